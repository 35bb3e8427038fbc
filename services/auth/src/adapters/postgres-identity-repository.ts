import { type Kysely, type Selectable, sql } from 'kysely';
import type {
  IdentityRepository,
  Organization,
  Role,
  Tier,
  User,
  UserCredentials,
  UserStatus,
} from '../domain/index.js';
import type { AuthSchema, OrganizationsTable, UsersTable } from './auth-rows.js';

/** Organisations and users over `db`: a transaction or the database alike. */
export function createPostgresIdentityRepository(db: Kysely<AuthSchema>): IdentityRepository {
  return {
    async addOrganization(organization) {
      const row = await db
        .insertInto('organizations')
        .values(organization)
        .returningAll()
        .executeTakeFirstOrThrow();
      return toOrganization(row);
    },

    async findOrganization(id) {
      const row = await db.selectFrom('organizations').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toOrganization(row);
    },

    async lockOrganization(id) {
      const row = await db
        .selectFrom('organizations')
        .select('id')
        .where('id', '=', id)
        .forUpdate()
        .executeTakeFirst();
      return row !== undefined;
    },

    async listOrganizations() {
      const rows = await db
        .selectFrom('organizations')
        .selectAll()
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(toOrganization);
    },

    async addUser(user) {
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
    },

    async findUser(id) {
      const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toUser(row);
    },

    async findUserByEmail(email): Promise<UserCredentials | undefined> {
      const row = await db
        .selectFrom('users')
        .selectAll()
        .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
        .executeTakeFirst();
      return row && { ...toUser(row), passwordHash: row.password_hash };
    },

    async listUsers(orgId) {
      let query = db.selectFrom('users').selectAll().orderBy('created_at').orderBy('id');
      if (orgId) query = query.where('org_id', '=', orgId);
      return (await query.execute()).map(toUser);
    },

    async countUsers(orgId) {
      let query = db.selectFrom('users').select((eb) => eb.fn.countAll<string>().as('count'));
      if (orgId) query = query.where('org_id', '=', orgId);
      return Number((await query.executeTakeFirstOrThrow()).count);
    },

    async setUserStatus(orgId, id, status) {
      const row = await db
        .updateTable('users')
        .set({ status })
        .where('id', '=', id)
        .where('org_id', '=', orgId)
        .returningAll()
        .executeTakeFirst();
      return row && toUser(row);
    },

    async lockBootstrap() {
      await sql`select pg_advisory_xact_lock(hashtext('fiscal-auth:bootstrap'))`.execute(db);
    },
  };
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
