import { createHash } from 'node:crypto';
import type pg from 'pg';

/** Statements worth preparing: plain data statements, whatever the service. */
const dataStatement = /^\s*(select|insert|update|delete|with)\b/i;
/**
 * Batch statements grow a placeholder per row (`in ($1, …, $500)`): each size would be a prepared
 * statement of its own, and parsing is a small part of such a statement's cost anyway.
 */
const mostParameters = 64;
/** Per connection; the server keeps every prepared statement until the connection ends. */
const mostStatementsPerConnection = 500;
/**
 * "cached plan must not change result type": a migration changed the columns a prepared
 * `select *` returns. That execution fails (its unit of work is retried); the statement is never
 * used by name again on that connection.
 */
const planOutdated = '0A000';

type QueryConfig = { name: string; text: string; values: unknown[] };

/**
 * Statement names by SQL text, shared by every pool: a SHA-1 of the text on every execution
 * showed in the workers' profiles.
 */
const namesByText = new Map<string, string>();

function statementName(text: string): string {
  let name = namesByText.get(text);
  if (name === undefined) {
    name = `fiscal_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    // Texts are the services' own statements, a few hundred; the cap only guards against a leak.
    if (namesByText.size >= 10_000) namesByText.clear();
    namesByText.set(text, name);
  }
  return name;
}
type Query = (...args: unknown[]) => unknown;

/**
 * Makes each pooled connection prepare the data statements it runs and reuse them by name, so
 * PostgreSQL parses and plans a statement once per connection instead of on every execution (most
 * of its CPU for the short statements services run). The SQL is the statement's identity: the
 * same text always means the same statement, whatever the values.
 */
export function preparingStatements(pool: pg.Pool): pg.Pool {
  const prepared = new WeakSet<pg.PoolClient>();
  pool.on('connect', (client) => {
    if (prepared.has(client)) return;
    prepared.add(client);
    const original = client.query.bind(client) as Query;
    const names = new Set<string>();
    const outdated = new Set<string>();
    (client as unknown as { query: Query }).query = (...args: unknown[]) => {
      const [text, values] = args;
      if (
        typeof text !== 'string' ||
        !Array.isArray(values) ||
        values.length > mostParameters ||
        !dataStatement.test(text)
      ) {
        return original(...args);
      }
      const name = statementName(text);
      if (outdated.has(name)) return original(...args);
      if (!names.has(name)) {
        if (names.size >= mostStatementsPerConnection) return original(...args);
        names.add(name);
      }
      const config: QueryConfig = { name, text, values };
      const running = original(config, ...args.slice(2));
      if (running instanceof Promise) {
        return running.catch((error: unknown) => {
          if ((error as { code?: unknown }).code === planOutdated) outdated.add(name);
          throw error;
        });
      }
      return running;
    };
  });
  return pool;
}
