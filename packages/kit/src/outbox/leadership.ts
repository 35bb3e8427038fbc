import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/index.js';

/**
 * Which of an outbox's relay replicas publishes. One leader at a time lets it read unpublished rows
 * in order and mark them, without writing a claim on every row first (a claim is an update per
 * event: a tenth of a shard's statements, most of its WAL, at full load); the others stand by.
 */
export interface RelayLeadership {
  /**
   * Runs `lead` if no other relay of the outbox leads, and resolves when it returns: false at once
   * when another leads. `lost` aborts when leadership can no longer be vouched for (the connection
   * holding it failed), and `lead` must then stop publishing.
   */
  tryLead(lead: (lost: AbortSignal) => Promise<void>): Promise<boolean>;
}

export interface RelayLeadershipOptions {
  /** How often the connection holding leadership is checked; a check unanswered this long loses it. */
  heartbeatMs?: number;
}

/** Embedded databases: the relays of one process share it, so leadership is a flag in memory. */
const embeddedLeaders = new WeakSet<object>();

/**
 * On PostgreSQL, a session advisory lock named after the outbox's schema, held on a connection of
 * the relay's pool for as long as it leads: a leader that dies, or whose connection drops, releases
 * it with its session, and the next standby to try takes over. Should two ever publish at once (a
 * leader cut off from the database while still reaching the broker), events go out twice, which
 * consumers' inboxes absorb; nothing is lost.
 */
export function relayLeadership(
  // biome-ignore lint/suspicious/noExplicitAny: the relay reads only the outbox table of any service
  database: Database<any>,
  options: RelayLeadershipOptions = {},
): RelayLeadership {
  if (database.engine === 'pglite') {
    return {
      async tryLead(lead) {
        if (embeddedLeaders.has(database)) return false;
        embeddedLeaders.add(database);
        try {
          await lead(new AbortController().signal);
        } finally {
          embeddedLeaders.delete(database);
        }
        return true;
      },
    };
  }
  const heartbeatMs = options.heartbeatMs ?? 5_000;
  const lockName = `fiscal-outbox-relay:${database.schema}`;
  return {
    async tryLead(lead) {
      return database.db.connection().execute(async (connection) => {
        const { rows } = await sql<{ held: boolean }>`
          select pg_try_advisory_lock(hashtext(${lockName})) as held`.execute(connection);
        if (!rows[0]?.held) return false;
        const lost = new AbortController();
        const heartbeat = setInterval(() => {
          void answersWithin(connection, heartbeatMs).then((alive) => {
            if (!alive) lost.abort(new Error('lost the connection holding outbox relay leadership'));
          });
        }, heartbeatMs);
        try {
          await lead(lost.signal);
        } finally {
          clearInterval(heartbeat);
          // Best effort: on a dead connection the session, and the lock with it, is gone already.
          await settlesWithin(
            sql`select pg_advisory_unlock(hashtext(${lockName}))`.execute(connection),
            heartbeatMs,
          );
        }
        return true;
      });
    },
  };
}

// biome-ignore lint/suspicious/noExplicitAny: any service's database
function answersWithin(connection: Kysely<any>, ms: number): Promise<boolean> {
  return settlesWithin(sql`select 1`.execute(connection), ms);
}

/** True when `work` succeeded within `ms`; false when it failed or took longer (a half-open socket). */
async function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([
      work.then(
        () => true,
        () => false,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
