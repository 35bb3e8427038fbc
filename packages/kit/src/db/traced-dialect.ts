import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type {
  CompiledQuery,
  DatabaseConnection,
  Dialect,
  Driver,
  QueryResult,
  TransactionSettings,
} from 'kysely';
import { inputErrorOf } from './input-errors.js';
import type { StatementTally } from './statement-metrics.js';

const tracer = trace.getTracer('fiscal-db');

/** The statement's verb (`select`, `insert`, ...): span names must stay low-cardinality. */
function operationOf(sqlText: string): string {
  return /^\s*(\w+)/.exec(sqlText)?.[1]?.toLowerCase() ?? 'query';
}

async function untraced<R>(connection: DatabaseConnection, query: CompiledQuery): Promise<QueryResult<R>> {
  try {
    return await connection.executeQuery<R>(query);
  } catch (error) {
    throw inputErrorOf(error) ?? error;
  }
}

function tracedConnection(
  connection: DatabaseConnection,
  schema: string,
  statements: StatementTally,
): DatabaseConnection {
  return {
    executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
      statements.count++;
      // A statement outside a recorded trace (a relay's poll, an unsampled request) is not a span:
      // spans nobody would see were a quarter of the invoice service's CPU under load.
      if (!trace.getActiveSpan()?.isRecording()) return untraced(connection, query);
      const operation = operationOf(query.sql);
      // The text carries `$n` placeholders only: parameter values (amounts, RFCs) never reach a trace.
      return tracer.startActiveSpan(
        `${operation} ${schema}`,
        {
          kind: SpanKind.CLIENT,
          attributes: {
            'db.system.name': 'postgresql',
            'db.namespace': schema,
            'db.operation.name': operation,
            'db.query.text': query.sql.slice(0, 2_000),
          },
        },
        async (span) => {
          try {
            return await connection.executeQuery<R>(query);
          } catch (error) {
            span.recordException(error as Error);
            span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
            throw inputErrorOf(error) ?? error;
          } finally {
            span.end();
          }
        },
      );
    },
    streamQuery: (query, chunkSize) => connection.streamQuery(query, chunkSize),
  };
}

/**
 * Wraps a dialect so every statement of a recorded trace is a client span (DESIGN §9: spans for
 * SQL), on both engines, and a statement refused for a value it was given fails as an `invalid`
 * AppError (input-errors.ts).
 * Every statement, transaction control included, is counted on `statements`.
 */
export function tracedDialect(
  dialect: Dialect,
  schema: string,
  statements: StatementTally = { count: 0 },
): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createDriver(): Driver {
      const driver = dialect.createDriver();
      const wrapped = new WeakMap<DatabaseConnection, DatabaseConnection>();
      const original = new WeakMap<DatabaseConnection, DatabaseConnection>();
      const unwrap = (connection: DatabaseConnection) => original.get(connection) ?? connection;
      return {
        init: () => driver.init(),
        async acquireConnection() {
          const connection = await driver.acquireConnection();
          let traced = wrapped.get(connection);
          if (!traced) {
            traced = tracedConnection(connection, schema, statements);
            wrapped.set(connection, traced);
            original.set(traced, connection);
          }
          return traced;
        },
        beginTransaction(connection, settings: TransactionSettings) {
          statements.count++;
          return driver.beginTransaction(unwrap(connection), settings);
        },
        commitTransaction(connection) {
          statements.count++;
          return driver.commitTransaction(unwrap(connection));
        },
        rollbackTransaction(connection) {
          statements.count++;
          return driver.rollbackTransaction(unwrap(connection));
        },
        releaseConnection: (connection) => driver.releaseConnection(unwrap(connection)),
        destroy: () => driver.destroy(),
      };
    },
  };
}
