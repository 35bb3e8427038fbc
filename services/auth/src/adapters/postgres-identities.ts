import { type Kysely, type Selectable, sql } from 'kysely';
import type { Organization, Role, Tier, User, UserStatus } from '../domain/index.js';
import type { AuthSchema, OrganizationsTable, UsersTable } from './auth-rows.js';

/** Rows of organisations and users; every function runs on a transaction or the database alike. */
type Executor = Kysely<AuthSchema>;

export interface UserWithHash extends User {
  passwordHash: string;
}

export async function insertOrganization(db: Executor, organization: Omit<Organization, 'createdAt'>) {
  const row = await db
    .insertInto('organizations')
    .values(organization)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toOrganization(row);
}

export async function findOrganization(db: Executor, id: string): Promise<Organization | undefined> {
  const row = await db.selectFrom('organizations').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toOrganization(row);
}

/**
 * Locks the organisation's row until the transaction ends, so what it holds is counted and added to
 * by one transaction at a time; false when there is no such organisation.
 */
export async function lockOrganization(db: Executor, id: string): Promise<boolean> {
  const row = await db
    .selectFrom('organizations')
    .select('id')
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  return row !== undefined;
}

export async function listOrganizations(db: Executor): Promise<Organization[]> {
  const rows = await db.selectFrom('organizations').selectAll().orderBy('created_at').orderBy('id').execute();
  return rows.map(toOrganization);
}

export interface NewUserRow {
  id: string;
  orgId: string;
  email: string;
  passwordHash: string;
  role: Role;
  platformAdmin: boolean;
}

/** Inserts a user; `undefined` when the email is taken (case-insensitively). */
export async function insertUser(db: Executor, user: NewUserRow): Promise<User | undefined> {
  const row = await db
    .insertInto('users')
    .values({
      id: user.id,
      org_id: user.orgId,
      email: user.email,
      password_hash: user.passwordHash,
      role: user.role,
      platform_admin: user.platformAdmin,
    })
    .onConflict((conflict) => conflict.expression(lowerEmail).doNothing())
    .returningAll()
    .executeTakeFirst();
  return row && toUser(row);
}

export async function findUserByEmail(db: Executor, email: string): Promise<UserWithHash | undefined> {
  const row = await db
    .selectFrom('users')
    .selectAll()
    .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
    .executeTakeFirst();
  return row && { ...toUser(row), passwordHash: row.password_hash };
}

export async function findUser(db: Executor, id: string): Promise<User | undefined> {
  const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toUser(row);
}

export async function listUsers(db: Executor, orgId: string | undefined): Promise<User[]> {
  let query = db.selectFrom('users').selectAll().orderBy('created_at').orderBy('id');
  if (orgId) query = query.where('org_id', '=', orgId);
  return (await query.execute()).map(toUser);
}

/** Every user, or an organisation's. */
export async function countUsers(db: Executor, orgId?: string): Promise<number> {
  let query = db.selectFrom('users').select((eb) => eb.fn.countAll<string>().as('count'));
  if (orgId) query = query.where('org_id', '=', orgId);
  return Number((await query.executeTakeFirstOrThrow()).count);
}

export async function updateUserStatus(
  db: Executor,
  orgId: string,
  id: string,
  status: UserStatus,
): Promise<User | undefined> {
  const row = await db
    .updateTable('users')
    .set({ status })
    .where('id', '=', id)
    .where('org_id', '=', orgId)
    .returningAll()
    .executeTakeFirst();
  return row && toUser(row);
}

// The unique index is on lower(email); `on conflict` names the same expression to use it.
const lowerEmail = sql`lower(email)`;

function toOrganization(row: Selectable<OrganizationsTable>): Organization {
  return { id: row.id, name: row.name, tier: row.tier as Tier, createdAt: new Date(row.created_at) };
}

function toUser(row: Selectable<UsersTable>): User {
  return {
    id: row.id,
    orgId: row.org_id,
    email: row.email,
    role: row.role as Role,
    status: row.status as UserStatus,
    platformAdmin: row.platform_admin,
    createdAt: new Date(row.created_at),
  };
}
