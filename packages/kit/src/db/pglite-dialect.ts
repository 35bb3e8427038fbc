import {
  CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryResult,
} from 'kysely';
import type { EmbeddedPostgres } from './embedded-postgres.js';

const writeCommands = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE']);

class PgliteConnection implements DatabaseConnection {
  constructor(
    private readonly embedded: EmbeddedPostgres,
    readonly release: () => void,
  ) {}

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const result = await this.embedded.pglite.query<R>(compiledQuery.sql, [...compiledQuery.parameters]);
    // As Kysely's own PostgreSQL driver does: a write reports its count, even after a `with` clause.
    const isWrite = writeCommands.has(result.command ?? '');
    return {
      rows: result.rows,
      ...(isWrite ? { numAffectedRows: BigInt(result.affectedRows ?? 0) } : {}),
    };
  }

  // biome-ignore lint/correctness/useYield: streaming is not supported on PGlite's single connection
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming queries are not supported on the embedded engine');
  }
}

class PgliteDriver implements Driver {
  constructor(
    private readonly embedded: EmbeddedPostgres,
    private readonly schema: string,
  ) {}

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    const release = await this.embedded.acquire(this.schema);
    return new PgliteConnection(this.embedded, release);
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin'));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    (connection as PgliteConnection).release();
  }

  // The embedded instance is shared; its owner closes it.
  async destroy(): Promise<void> {}
}

/**
 * Kysely on the shared embedded PostgreSQL, confined to one schema. Written here because the
 * published PGlite dialects lag PGlite 0.5 and do not serialise transactions on its single
 * connection, which several services share in embedded mode.
 */
export class PgliteDialect implements Dialect {
  constructor(
    private readonly embedded: EmbeddedPostgres,
    private readonly schema: string,
  ) {}

  createDriver(): Driver {
    return new PgliteDriver(this.embedded, this.schema);
  }

  createQueryCompiler() {
    return new PostgresQueryCompiler();
  }

  createAdapter() {
    return new PostgresAdapter();
  }

  // biome-ignore lint/suspicious/noExplicitAny: Kysely's introspector takes any database shape
  createIntrospector(db: Kysely<any>) {
    return new PostgresIntrospector(db);
  }
}
