import { Kysely, PostgresDialect, sql, type Transaction } from 'kysely';
import pg from 'pg';
import type { Registry } from 'prom-client';
import { withCommitHooks } from './commit-hooks.js';
import { type EmbeddedPostgres, quoteIdentifier } from './embedded-postgres.js';
import { PgliteDialect } from './pglite-dialect.js';
import { preparingStatements } from './prepared-statements.js';
import { statementTally } from './statement-metrics.js';
import { tracedDialect } from './traced-dialect.js';

export interface NamedMigration {
  /** Unique and sortable, e.g. `2026-11-24-001-invoices`; applied in list order. */
  name: string;
  // biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was then
  up(db: Kysely<any>): Promise<void>;
}

export type DatabaseConfig = (
  | { engine: 'pglite'; embedded: EmbeddedPostgres; schema: string }
  | {
      engine: 'postgres';
      url: string;
      schema: string;
      /**
       * Connections at most (10). At least 2 where an outbox relay runs: while it leads, it holds
       * one for its advisory lock and queries through the others.
       */
      poolSize?: number;
      applicationName?: string;
      /** Errors of idle pooled connections (server restart, network); the next query reconnects. */
      onIdleConnectionError?: (error: Error) => void;
    }
) & {
  /** Where `db_statements_total{database}` counts this database's statements (the process's /metrics). */
  registry?: Registry;
};

/** A service's own database: the same SQL on PostgreSQL and on the embedded engine. */
export interface Database<DB> {
  readonly engine: 'pglite' | 'postgres';
  readonly schema: string;
  /** Queries outside a transaction. */
  readonly db: Kysely<DB>;
  transaction<T>(work: (trx: Transaction<DB>) => Promise<T>): Promise<T>;
  /** Applies the migrations not yet applied, in order, once even with several replicas starting. */
  migrate(migrations: readonly NamedMigration[]): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

const schemaPattern = /^[a-z_][a-z0-9_]{0,62}$/;

export async function createDatabase<DB>(config: DatabaseConfig): Promise<Database<DB>> {
  if (!schemaPattern.test(config.schema)) throw new Error(`invalid schema name "${config.schema}"`);
  const schema = config.schema;
  const dialect =
    config.engine === 'pglite'
      ? new PgliteDialect(config.embedded, schema)
      : new PostgresDialect({ pool: createPool(config) });
  const statements = config.registry && statementTally(config.registry, databaseNameOf(config));
  const db = new Kysely<DB>({ dialect: tracedDialect(dialect, schema, statements) });
  try {
    await createSchema(db, schema);
  } catch (error) {
    await db.destroy();
    throw error;
  }

  return {
    engine: config.engine,
    schema,
    db,
    transaction: (work) =>
      withCommitHooks(
        db,
        (tracked: typeof work) =>
          config.engine === 'pglite'
            ? db.transaction().execute((trx) => config.embedded.whileHolding(() => tracked(trx)))
            : db.transaction().execute(tracked),
        work,
      ),
    migrate: (migrations) => migrate(db, schema, migrations),
    async ping() {
      await sql`select 1`.execute(db);
    },
    close: () => db.destroy(),
  };
}

/** The database a statement reaches: on PostgreSQL the URL's, embedded the service's schema. */
function databaseNameOf(config: DatabaseConfig): string {
  if (config.engine === 'pglite') return config.schema;
  return decodeURIComponent(new URL(config.url).pathname.slice(1)) || config.schema;
}

async function createSchema<DB>(db: Kysely<DB>, schema: string): Promise<void> {
  try {
    await sql`create schema if not exists ${sql.raw(quoteIdentifier(schema))}`.execute(db);
  } catch (error) {
    // Replicas starting together race on `if not exists`: the loser sees the winner's schema as a
    // unique violation, and the schema it wanted exists.
    if ((error as { code?: string }).code !== uniqueViolation) throw error;
  }
}

const uniqueViolation = '23505';

function createPool(config: Extract<DatabaseConfig, { engine: 'postgres' }>): pg.Pool {
  const pool = new pg.Pool({
    connectionString: config.url,
    max: config.poolSize ?? 10,
    application_name: config.applicationName ?? `fiscal-${config.schema}`,
    // Unqualified names resolve to the service's schema on every pooled connection.
    options: `-c search_path=${config.schema},public`,
  });
  // Without a listener an idle connection dropped by the server would crash the process.
  pool.on('error', (error) => config.onIdleConnectionError?.(error));
  // The same for a connection checked out between queries (one holding a session lock): whoever
  // holds it learns of the failure from its next query, and the pool discards it when released.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return preparingStatements(pool);
}

async function migrate<DB>(
  db: Kysely<DB>,
  schema: string,
  migrations: readonly NamedMigration[],
): Promise<void> {
  const names = migrations.map((migration) => migration.name);
  const duplicate = names.find((name, index) => names.indexOf(name) !== index);
  if (duplicate) throw new Error(`migration ${duplicate} is listed twice`);

  await db.transaction().execute(async (trx) => {
    // Replicas starting together: one applies, the others wait here and then find nothing to do.
    await sql`select pg_advisory_xact_lock(hashtext(${`fiscal-migrations:${schema}`}))`.execute(trx);
    await sql`create table if not exists schema_migrations (
      name text primary key,
      applied_at timestamptz not null default now()
    )`.execute(trx);
    const applied = await sql<{ name: string }>`select name from schema_migrations`.execute(trx);
    const done = new Set(applied.rows.map((row) => row.name));
    for (const migration of migrations) {
      if (done.has(migration.name)) continue;
      await migration.up(trx);
      await sql`insert into schema_migrations (name) values (${migration.name})`.execute(trx);
    }
  });
}
