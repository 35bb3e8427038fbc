/** Roles a user holds in an organisation, and the scopes each one grants. */
export const roles = ['admin', 'analyst', 'viewer'] as const;
export type Role = (typeof roles)[number];

export const scopes = ['invoices:write', 'invoices:read', 'reports:read', 'admin'] as const;
export type Scope = (typeof scopes)[number];

export const tiers = ['free', 'pro', 'enterprise'] as const;
export type Tier = (typeof tiers)[number];

/**
 * What one organisation may hold, so no client grows the identity tables (and the lists that show
 * them) without end. Users are never deleted, only suspended, so every one counts; a revoked API key
 * counts until `revokedApiKeyRetentionDays` after its revocation, when it is cleared.
 */
export const maxUsersPerOrganisation = 1_000;
export const maxApiKeysPerOrganisation = 100;
export const revokedApiKeyRetentionDays = 30;

export const userStatuses = ['active', 'suspended'] as const;
export type UserStatus = (typeof userStatuses)[number];

const scopesByRole: Record<Role, readonly Scope[]> = {
  admin: ['invoices:write', 'invoices:read', 'reports:read', 'admin'],
  analyst: ['invoices:write', 'invoices:read', 'reports:read'],
  viewer: ['invoices:read', 'reports:read'],
};

export function scopesOf(role: Role): Scope[] {
  return [...scopesByRole[role]];
}

export const isRole = (value: string): value is Role => (roles as readonly string[]).includes(value);
export const isScope = (value: string): value is Scope => (scopes as readonly string[]).includes(value);
export const isTier = (value: string): value is Tier => (tiers as readonly string[]).includes(value);
export const isUserStatus = (value: string): value is UserStatus =>
  (userStatuses as readonly string[]).includes(value);

/** Emails compare case-insensitively; stored and looked up in this form. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

// Deliberately loose: one `@` with something on both sides and a dot-free-or-not domain
// (`admin@localhost` is valid); deliverability is not this service's concern.
const emailPattern = /^[^\s@]+@[^\s@]+$/;

export function isEmail(value: string): boolean {
  return value.length <= 320 && emailPattern.test(value);
}

export interface Organization {
  id: string;
  name: string;
  tier: Tier;
  createdAt: Date;
}

export interface User {
  id: string;
  orgId: string;
  email: string;
  role: Role;
  status: UserStatus;
  platformAdmin: boolean;
  createdAt: Date;
}

export interface ApiKey {
  id: string;
  orgId: string;
  name: string;
  scopes: Scope[];
  prefix: string;
  createdAt: Date;
  revokedAt: Date | null;
}
