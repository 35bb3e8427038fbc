import type { EventEnvelope } from '@fiscal/contracts';
import { type ColumnType, type Generated, type Kysely, sql, type Transaction } from 'kysely';
import { afterCommit, type NamedMigration } from '../db/index.js';

export interface OutboxTable {
  /** bigserial: the publishing order. */
  id: Generated<string>;
  event_id: string;
  type: string;
  /** Read back parsed; written as JSON text, which both engines accept for jsonb. */
  envelope: ColumnType<EventEnvelope, string, never>;
  created_at: Generated<Date>;
  published_at: Date | null;
  /**
   * Unused: relays that shared an outbox by claiming rows wrote it; they now elect one leader that
   * writes nothing before publishing. Kept so an older relay still running during an upgrade works.
   */
  claimed_until: Date | null;
  attempts: Generated<number>;
  last_error: string | null;
}

export interface OutboxSchema {
  outbox: OutboxTable;
}

export const outboxMigrations: readonly NamedMigration[] = [
  {
    name: '0000-outbox',
    async up(db) {
      await sql`create table outbox (
        id bigserial primary key,
        event_id uuid not null unique,
        type text not null,
        envelope jsonb not null,
        created_at timestamptz not null default now(),
        published_at timestamptz,
        claimed_until timestamptz,
        attempts integer not null default 0,
        last_error text
      )`.execute(db);
      await sql`create index outbox_unpublished on outbox (id) where published_at is null`.execute(db);
    },
  },
];

/** The relays of each database (by its Kysely instance) in this process, woken by its commits. */
const relaysByConnection = new WeakMap<object, Set<() => void>>();

/**
 * Calls `wake` whenever a transaction of `connection` that appended to the outbox commits in this
 * process, so a relay publishes at once instead of at its next poll. Returns the unsubscribe.
 */
export function wakeOnOutboxCommit(connection: object, wake: () => void): () => void {
  let relays = relaysByConnection.get(connection);
  if (!relays) {
    relays = new Set();
    relaysByConnection.set(connection, relays);
  }
  relays.add(wake);
  return () => relays.delete(wake);
}

/**
 * Records events in the caller's transaction, beside the state change that raised them: both
 * commit or neither does, so an accepted change always has its events and a rolled-back one never.
 * Once the transaction commits, the relays of its database in this process are woken; rows
 * another process wrote reach them at their next poll.
 */
export async function appendToOutbox(
  // biome-ignore lint/suspicious/noExplicitAny: the outbox lives beside any service's own tables
  trx: Transaction<any> | Kysely<any>,
  envelopes: readonly EventEnvelope[],
): Promise<void> {
  if (envelopes.length === 0) return;
  await (trx as Kysely<OutboxSchema>)
    .insertInto('outbox')
    .values(
      envelopes.map((envelope) => ({
        event_id: envelope.id,
        type: envelope.type,
        envelope: JSON.stringify(envelope),
      })),
    )
    .execute();
  afterCommit(trx, (connection) => {
    for (const wake of relaysByConnection.get(connection) ?? []) wake();
  });
}
