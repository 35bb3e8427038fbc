import type { Organization, Role, User, UserStatus } from './identity.js';

/** A user with the hash their password is checked against: what a login reads. */
export interface UserCredentials extends User {
  passwordHash: string;
}

export interface NewUserRecord {
  id: string;
  orgId: string;
  email: string;
  passwordHash: string;
  role: Role;
  platformAdmin: boolean;
}

/** Port: organisations and their users. The locks last until the store's transaction ends. */
export interface IdentityRepository {
  addOrganization(organization: Omit<Organization, 'createdAt'>): Promise<Organization>;
  findOrganization(id: string): Promise<Organization | undefined>;
  /**
   * Locks the organisation, so what it holds is counted and added to by one transaction at a time;
   * false when there is no such organisation.
   */
  lockOrganization(id: string): Promise<boolean>;
  /** Oldest first. */
  listOrganizations(): Promise<Organization[]>;
  /** Adds a user; undefined when the email is taken (case-insensitively). */
  addUser(user: NewUserRecord): Promise<User | undefined>;
  findUser(id: string): Promise<User | undefined>;
  /** Case-insensitive. */
  findUserByEmail(email: string): Promise<UserCredentials | undefined>;
  /** Oldest first: an organisation's, or every user when `orgId` is undefined. */
  listUsers(orgId: string | undefined): Promise<User[]>;
  /** Every user, or an organisation's. */
  countUsers(orgId?: string): Promise<number>;
  /** Undefined when the organisation has no such user. */
  setUserStatus(orgId: string, id: string, status: UserStatus): Promise<User | undefined>;
  /** Replicas starting together take turns on this lock, so one of them creates the first administrator. */
  lockBootstrap(): Promise<void>;
}
