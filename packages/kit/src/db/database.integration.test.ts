import { Writable } from 'node:stream';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../log/index.js';
import { createTestDatabase, type TestDatabase } from '../testing/databases.js';
import { probeService } from '../testing/services.js';
import { createDatabase, type Database, type NamedMigration } from './database.js';
import { openEmbeddedPostgres } from './embedded-postgres.js';

interface AccountsTable {
  id: string;
  owner: string;
  balance: string;
  version: number;
  opened_at: Date;
}
interface Schema {
  accounts: AccountsTable;
}

const migrations: NamedMigration[] = [
  {
    name: '001-accounts',
    async up(db) {
      await sql`create table accounts (
        id text primary key, owner text not null unique, balance numeric not null,
        version integer not null, opened_at timestamptz not null default now())`.execute(db);
    },
  },
];

class VersionConflict extends Error {}

/** A tiny repository, the shape every service's repository has: optimistic locking on `version`. */
function accountsRepository(database: Database<Schema>) {
  return {
    open: (id: string, owner: string, balance: string) =>
      database.db
        .insertInto('accounts')
        .values({ id, owner, balance, version: 1, opened_at: new Date() })
        .execute(),
    find: (id: string) =>
      database.db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst(),
    async setBalance(id: string, balance: string, expectedVersion: number) {
      const result = await database.db
        .updateTable('accounts')
        .set({ balance, version: expectedVersion + 1 })
        .where('id', '=', id)
        .where('version', '=', expectedVersion)
        .executeTakeFirst();
      if (result.numUpdatedRows === 0n) throw new VersionConflict(id);
    },
  };
}

const postgresAvailable = await probeService('postgres');
const engines = [
  ['pglite', true],
  ['postgres', postgresAvailable],
] as const;

describe.each(engines)('Database on %s', (engine, available) => {
  let test: TestDatabase<Schema>;
  let accounts: ReturnType<typeof accountsRepository>;

  beforeAll(async () => {
    if (!available) return;
    test = await createTestDatabase<Schema>(engine, 'ledger');
    await test.database.migrate(migrations);
    accounts = accountsRepository(test.database);
  });
  afterAll(async () => {
    await test?.dispose();
  });

  it.skipIf(!available)('stores and reads rows with exact decimals and timestamps', async () => {
    await accounts.open('a-1', 'ana', '1160.50');
    const row = await accounts.find('a-1');
    expect(row).toMatchObject({ id: 'a-1', balance: '1160.50', version: 1 });
    expect(row?.opened_at).toBeInstanceOf(Date);
  });

  it.skipIf(!available)('reports a lost optimistic-lock race instead of overwriting', async () => {
    await accounts.open('a-2', 'bea', '10.00');
    await accounts.setBalance('a-2', '20.00', 1);
    await expect(accounts.setBalance('a-2', '30.00', 1)).rejects.toBeInstanceOf(VersionConflict);
    expect((await accounts.find('a-2'))?.balance).toBe('20.00');
  });

  it.skipIf(!available)('leaves nothing behind when a transaction rolls back', async () => {
    await expect(
      test.database.transaction(async (trx) => {
        await trx
          .insertInto('accounts')
          .values({ id: 'a-3', owner: 'cy', balance: '1', version: 1, opened_at: new Date() })
          .execute();
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await accounts.find('a-3')).toBeUndefined();
    // The connection is usable after the rollback.
    await accounts.open('a-4', 'dee', '2');
    expect(await accounts.find('a-4')).toBeDefined();
  });

  it.skipIf(!available)('surfaces a unique violation with its SQLSTATE', async () => {
    await accounts.open('a-5', 'eve', '1');
    await expect(accounts.open('a-6', 'eve', '1')).rejects.toMatchObject({ code: '23505' });
  });

  it.skipIf(!available).each([
    ['a NUL character', 'text', 'hooks.example.com/\u0000x'],
    ['text longer than its column', 'varchar(5)', 'too long by far'],
    ['a number out of range', 'numeric(5,2)', '12345678'],
    ['a malformed uuid', 'uuid', 'abc'],
    ['a malformed timestamp', 'timestamptz', 'yesterday-ish'],
  ])('refuses %s as an invalid value, not an internal error', async (_, type, value) => {
    const table = `refused_${type.replace(/\W/g, '_')}`;
    await sql`create table ${sql.raw(table)} (value ${sql.raw(type)})`.execute(test.database.db);
    const insert = sql`insert into ${sql.raw(table)} (value) values (${value})`;
    const refusal = { kind: 'invalid', code: 'invalid_value' };
    await expect(insert.execute(test.database.db)).rejects.toMatchObject(refusal);
    await expect(test.database.transaction((trx) => insert.execute(trx))).rejects.toMatchObject(refusal);
    // The connection is usable afterwards.
    await sql`select 1`.execute(test.database.db);
  });

  it.skipIf(!available)(
    "logs a failed statement's error without the statement, its parameters or the values it quotes",
    async () => {
      const secret = 'whsec_c2VjcmV0LXNpZ25pbmcta2V5';
      await accounts.open('s-1', secret, '1');
      const failure = await accounts.open('s-2', secret, '1').catch((error: unknown) => error);
      expect(failure).toMatchObject({ code: '23505' });
      // The driver's error does carry the value: pg quotes it in `detail`, PGlite keeps `params`.
      expect(JSON.stringify({ ...(failure as object) })).toContain(secret);
      const lines: string[] = [];
      const logger = createLogger({
        service: 'test',
        destination: new Writable({
          write(chunk, _encoding, done) {
            lines.push(String(chunk));
            done();
          },
        }),
      });
      logger.error({ err: failure }, 'unexpected error');
      expect(lines.join('')).toContain('23505');
      expect(lines.join('')).not.toContain(secret);
    },
  );

  it.skipIf(!available)('keeps concurrent transactions from interleaving their effects', async () => {
    await accounts.open('counter', 'fay', '0');
    const increment = () =>
      test.database.transaction(async (trx) => {
        const row = await trx
          .selectFrom('accounts')
          .select('balance')
          .where('id', '=', 'counter')
          .forUpdate()
          .executeTakeFirstOrThrow();
        await trx
          .updateTable('accounts')
          .set({ balance: String(Number(row.balance) + 1) })
          .where('id', '=', 'counter')
          .execute();
      });
    await Promise.all(Array.from({ length: 20 }, increment));
    expect((await accounts.find('counter'))?.balance).toBe('20');
  });

  it.skipIf(!available)(
    'counts the rows a write changes, even one that starts with a with clause',
    async () => {
      await accounts.open('w-1', 'gus', '5');
      await accounts.open('w-2', 'hal', '5');
      const result = await test.database.db
        .with('chosen', (db) => db.selectFrom('accounts').select('id').where('id', 'in', ['w-1', 'w-2']))
        .updateTable('accounts')
        .set({ balance: '6' })
        .where('id', 'in', (eb) => eb.selectFrom('chosen').select('id'))
        .executeTakeFirst();
      expect(result.numUpdatedRows).toBe(2n);
    },
  );

  it.skipIf(!available)('applies each migration once, however often migrate runs', async () => {
    const counted: NamedMigration = {
      name: '002-notes',
      up: (db) => sql`create table notes (id serial primary key)`.execute(db).then(() => undefined),
    };
    await Promise.all([
      test.database.migrate([...migrations, counted]),
      test.database.migrate([...migrations, counted]),
    ]);
    await test.database.migrate([...migrations, counted]);
    const applied = await sql<{ name: string }>`select name from schema_migrations order by name`.execute(
      test.database.db,
    );
    expect(applied.rows.map((row) => row.name)).toEqual(['001-accounts', '002-notes']);
  });
});

describe('schemas on one embedded instance', () => {
  it('refuse a query that bypasses the transaction holding the connection, instead of waiting forever', async () => {
    const embedded = await openEmbeddedPostgres();
    try {
      const database = await createDatabase<Schema>({ engine: 'pglite', embedded, schema: 'ledger' });
      await database.migrate(migrations);
      await expect(
        database.transaction(async (trx) => {
          await trx
            .insertInto('accounts')
            .values({ id: 'y', owner: 'o', balance: '1', version: 1, opened_at: new Date() })
            .execute();
          await database.db.selectFrom('accounts').selectAll().execute();
        }),
      ).rejects.toThrow('use the transaction');
      // The transaction rolled back and released the connection.
      expect(await database.db.selectFrom('accounts').selectAll().execute()).toEqual([]);
      // Work a transaction scheduled for later may query on its own once the transaction is over.
      const later = new Promise<unknown[]>((resolve, reject) => {
        void database.transaction(async () => {
          setTimeout(
            () => database.db.selectFrom('accounts').selectAll().execute().then(resolve, reject),
            20,
          );
        });
      });
      expect(await later).toEqual([]);
    } finally {
      await embedded.close();
    }
  });

  it('keep each service to its own tables', async () => {
    const embedded = await openEmbeddedPostgres();
    try {
      const invoice = await createDatabase<Schema>({ engine: 'pglite', embedded, schema: 'invoice' });
      const query = await createDatabase<Schema>({ engine: 'pglite', embedded, schema: 'query' });
      await invoice.migrate(migrations);
      await invoice.db
        .insertInto('accounts')
        .values({ id: 'x', owner: 'o', balance: '1', version: 1, opened_at: new Date() })
        .execute();
      await expect(query.db.selectFrom('accounts').selectAll().execute()).rejects.toMatchObject({
        code: '42P01',
      });
      await query.migrate(migrations);
      expect(await query.db.selectFrom('accounts').selectAll().execute()).toEqual([]);
      expect(await invoice.db.selectFrom('accounts').selectAll().execute()).toHaveLength(1);
    } finally {
      await embedded.close();
    }
  });
});

describe.skipIf(!postgresAvailable)('replicas on PostgreSQL', () => {
  it('all start when they create the same new schema at the same moment', async () => {
    const test = await createTestDatabase<Schema>('postgres', 'first');
    try {
      const url = test.url ?? '';
      // Connection set-up spreads the replicas out; several rounds make the collision certain.
      for (const schema of ['shared_1', 'shared_2', 'shared_3', 'shared_4', 'shared_5']) {
        const replicas = await Promise.all(
          Array.from({ length: 8 }, () =>
            createDatabase<Schema>({ engine: 'postgres', url, schema, poolSize: 1 }),
          ),
        );
        await Promise.all(replicas.map((replica) => replica.ping()));
        await Promise.all(replicas.map((replica) => replica.close()));
        expect(replicas.map((replica) => replica.schema)).toEqual(Array(8).fill(schema));
      }
    } finally {
      await test.dispose();
    }
  });
});
