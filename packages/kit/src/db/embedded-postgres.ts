import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { Mutex } from './mutex.js';

const int8 = 20;
const bytea = 17;

/** `\x…` hex, PostgreSQL's text form of bytea, to the bytes (a Buffer, which is a Uint8Array). */
function parseBytea(value: string): Uint8Array {
  return Buffer.from(value.slice(2), 'hex');
}

function serializeBytea(value: unknown): string {
  if (!(value instanceof Uint8Array)) throw new TypeError('a bytea value must be a Uint8Array');
  return `\\x${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')}`;
}

/**
 * One embedded PostgreSQL (PGlite) for the whole process. PGlite has a single connection, so every
 * user takes turns through a mutex; a transaction holds it until it commits or rolls back. Each
 * service sees only its own schema: the `search_path` is switched when the holder changes schema.
 */
export class EmbeddedPostgres {
  private readonly mutex = new Mutex();
  private activeSchema: string | undefined;
  /** Marks the async flow running a transaction's work, which owns the connection meanwhile. */
  private readonly transactionFlow = new AsyncLocalStorage<{ holding: boolean }>();

  private constructor(readonly pglite: PGlite) {}

  /** `dataDir` undefined keeps everything in memory. */
  static async open({ dataDir }: { dataDir?: string | undefined } = {}): Promise<EmbeddedPostgres> {
    if (dataDir) await mkdir(dataDir, { recursive: true });
    const pglite = await PGlite.create(dataDir, {
      // int8 as text, as node-postgres returns it, so rows look the same on both engines. bytea
      // through Node's native hex codec: PGlite's own goes through a JS call per byte, and a 5 KB
      // inline document then cost a millisecond to read and another to write.
      parsers: { [int8]: (value: string) => value, [bytea]: parseBytea },
      serializers: { [bytea]: serializeBytea },
      // Loadable with `create extension`, as on PostgreSQL: the query service's trigram search.
      extensions: { pg_trgm },
    });
    return new EmbeddedPostgres(pglite);
  }

  /**
   * Runs a transaction's work. A query from that work that bypasses the transaction would wait for
   * the connection the transaction itself holds, forever (on PostgreSQL it would merely take another
   * pooled connection); it fails at once instead, naming the mistake.
   */
  async whileHolding<T>(work: () => Promise<T>): Promise<T> {
    const flow = { holding: true };
    try {
      return await this.transactionFlow.run(flow, work);
    } finally {
      // Timers started by the work inherit the flow; once it ends they may query freely.
      flow.holding = false;
    }
  }

  /** Takes the connection for `schema`; the returned function gives it back. */
  async acquire(schema: string): Promise<() => void> {
    if (this.transactionFlow.getStore()?.holding) {
      throw new Error(
        'query outside the transaction while it holds the embedded connection: use the transaction',
      );
    }
    const release = await this.mutex.lock();
    try {
      if (this.activeSchema !== schema) {
        await this.pglite.exec(`set search_path to ${quoteIdentifier(schema)}, public`);
        this.activeSchema = schema;
      }
    } catch (error) {
      release();
      throw error;
    }
    return release;
  }

  async close(): Promise<void> {
    const release = await this.mutex.lock();
    try {
      if (!this.pglite.closed) await this.pglite.close();
    } finally {
      release();
    }
  }
}

export function openEmbeddedPostgres(
  options: { dataDir?: string | undefined } = {},
): Promise<EmbeddedPostgres> {
  return EmbeddedPostgres.open(options);
}

export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
