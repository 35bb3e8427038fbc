import type { EventEnvelope } from '@fiscal/contracts';
import { type RawBuilder, sql } from 'kysely';
import type { Logger } from 'pino';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Database } from '../db/index.js';
import { backoffDelay } from '../events/index.js';
import { createWakeableSleep } from '../lifecycle/wakeable-sleep.js';
import { startProducerSpans } from '../telemetry/producer-spans.js';
import { relayLeadership } from './leadership.js';
import { type OutboxSchema, wakeOnOutboxCommit } from './outbox.js';
import { outboxTables } from './outbox-tables.js';

/** What the relay hands events to; resolves only once the broker durably accepted the batch. */
export interface EventPublisher {
  publish(events: readonly EventEnvelope[]): Promise<void>;
  /**
   * Batches this publisher should be given at once to stay busy: more than one for a publisher
   * whose `publish` resolves only once consumers handled the events. The relay's default.
   */
  readonly publishConcurrency?: number;
}

export interface OutboxRelayOptions {
  // biome-ignore lint/suspicious/noExplicitAny: the relay reads only the outbox table of any service
  database: Database<any>;
  publisher: EventPublisher;
  logger: Logger;
  registry: Registry;
  batchSize?: number;
  pollIntervalMs?: number;
  /** Published rows older than this are deleted; `Infinity` keeps them (an event log). */
  retentionMs?: number;
  maxBackoffMs?: number;
  /**
   * This relay is the outbox's only one (embedded mode): it publishes without first taking the
   * leadership its replicas would share.
   */
  exclusive?: boolean;
  /** How often a standby replica tries to take the lead (a leader that died frees it at once). */
  standbyPollMs?: number;
  /**
   * Batches published at once, each marked when its own publish resolves. 1 (the default) waits
   * for each batch; more keeps a publisher whose `publish` resolves late (a bus that resolves once
   * consumers handled the events) busy. Batches still leave in the outbox's order. Default: what
   * the publisher asks for, else 1.
   */
  publishConcurrency?: number;
}

export interface OutboxRelay {
  start(): void;
  /**
   * Wakes the relay now instead of at its next poll. An append through `appendToOutbox` in a
   * `Database.transaction` of this relay's database wakes it by itself once committed.
   */
  notify(): void;
  /** Publishes everything pending; part of graceful shutdown. */
  flush(): Promise<void>;
  /** Ends the loop after the batch in progress. */
  stop(): Promise<void>;
}

interface RelayMetrics {
  /** Counted when scraped, by each live relay of the registry. */
  backlogProbes: Set<{ schema: string; count: () => Promise<number> }>;
  published: Counter<'schema'>;
  failures: Counter<'schema'>;
  batchSize: Histogram<'schema'>;
}

const metricsByRegistry = new WeakMap<Registry, RelayMetrics>();

function relayMetrics(registry: Registry): RelayMetrics {
  let metrics = metricsByRegistry.get(registry);
  if (!metrics) {
    const backlogProbes: RelayMetrics['backlogProbes'] = new Set();
    new Gauge({
      name: 'outbox_backlog',
      help: 'Outbox events committed but not yet published',
      labelNames: ['schema'],
      registers: [registry],
      async collect() {
        // Relays of one schema in one process (the shards of a service, each a database whose
        // schema has the service's name) add up; a failed count leaves that schema's last value,
        // since the scrape must not fail with the database.
        const totals = new Map<string, number | undefined>();
        for (const probe of backlogProbes) {
          const count = await probe.count().catch(() => undefined);
          const total = totals.has(probe.schema) ? totals.get(probe.schema) : 0;
          totals.set(probe.schema, count === undefined || total === undefined ? undefined : total + count);
        }
        for (const [schema, total] of totals) if (total !== undefined) this.set({ schema }, total);
      },
    });
    metrics = {
      backlogProbes,
      published: new Counter({
        name: 'outbox_published_total',
        help: 'Outbox events published to the broker',
        labelNames: ['schema'],
        registers: [registry],
      }),
      failures: new Counter({
        name: 'outbox_publish_failures_total',
        help: 'Outbox batches the broker did not accept (retried)',
        labelNames: ['schema'],
        registers: [registry],
      }),
      batchSize: new Histogram({
        name: 'outbox_publish_batch_size',
        help: 'Events per published outbox batch',
        labelNames: ['schema'],
        buckets: [1, 5, 10, 25, 50, 100, 250, 500],
        registers: [registry],
      }),
    };
    metricsByRegistry.set(registry, metrics);
  }
  return metrics;
}

const housekeepingEveryMs = 60_000;
const housekeepingBatchSize = 1_000;

interface ClaimedRow {
  id: string;
  envelope: EventEnvelope;
  /** The table (the outbox, or the partition) the row was claimed from. */
  table: string;
}

class BatchNotPublished extends Error {
  constructor(
    readonly ids: string[],
    cause: unknown,
  ) {
    super(`outbox batch of ${ids.length} not accepted by the broker: ${String(cause)}`, { cause });
  }
}

/**
 * Moves committed outbox rows to the broker in order and in batches. A batch is marked published
 * only after the broker confirmed it: a crash in between publishes the batch again (at least
 * once; consumers dedupe by event id), never loses it.
 */
export function createOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const { database, publisher, logger } = options;
  const db = database.db as unknown as import('kysely').Kysely<OutboxSchema>;
  const batchSize = options.batchSize ?? 100;
  const pollIntervalMs = options.pollIntervalMs ?? 250;
  const maxBackoffMs = options.maxBackoffMs ?? 10_000;
  const retentionMs = options.retentionMs ?? 7 * 24 * 3_600_000;
  const standbyPollMs = options.standbyPollMs ?? 1_000;
  const publishConcurrency = Math.max(1, options.publishConcurrency ?? publisher.publishConcurrency ?? 1);
  const metrics = relayMetrics(options.registry);
  const labels = { schema: database.schema };

  let running = false;
  let loop: Promise<void> | undefined;
  const pause = createWakeableSleep();
  let stopWaking = () => {};
  let failures = 0;
  let lastHousekeeping = 0;

  /** The rows handed to the publisher and not yet marked or failed. */
  const handedOver = new Set<string>();
  const leadership = relayLeadership(database);
  /** Whether this relay publishes now: it leads its replicas, or has none. */
  let leading = false;
  let claiming: Promise<unknown> = Promise.resolve();
  /** Settles once the election's current attempt has led or lost (flush waits for it). */
  let attempt: Promise<void> = Promise.resolve();
  const standby = createWakeableSleep();

  const tablesOfOutbox = outboxTables(db);
  const statistics = backlogStatistics(db, logger);

  /**
   * Takes the next batch in short statements, a table (partition) at a time until the batch is
   * full; it is published with no transaction open (the broker may be slow, and in embedded mode the
   * bus shares the database connection), then marked published. Only the leading relay publishes,
   * so it writes nothing to take a batch: it remembers what it handed over, and a crash forgets that
   * with everything else, leaving the rows to be published again by the next leader.
   */
  function claimBatch(): Promise<ClaimedRow[]> {
    // One at a time: each must see what the one before handed over (a flush beside the loop).
    const batch = claiming.then(takeBatch, takeBatch);
    claiming = batch.catch(() => undefined);
    return batch;
  }

  async function takeBatch(): Promise<ClaimedRow[]> {
    const claimed: ClaimedRow[] = [];
    for (const table of await tablesOfOutbox()) {
      const wanted = batchSize - claimed.length;
      if (wanted <= 0) break;
      const rows = await claimFrom(table, wanted);
      for (const row of rows) claimed.push({ ...row, table });
      if (rows.length === wanted) await statistics.backlogIn(table);
    }
    for (const row of claimed) handedOver.add(row.id);
    return claimed.sort((a, b) => Number(a.id) - Number(b.id));
  }

  async function claimFrom(table: string, limit: number) {
    const inFlight = [...handedOver];
    const { rows } = await sql<{ id: string; envelope: EventEnvelope }>`
      select id, envelope from ${sql.id(table)}
       where published_at is null
         ${inFlight.length > 0 ? sql`and not (id = any(${inFlight}::bigint[]))` : sql``}
       order by id
       limit ${limit}`.execute(db);
    return rows;
  }

  /** Updates claimed rows where they are, by id: one statement per table they came from. */
  async function updateClaimed(rows: readonly ClaimedRow[], set: RawBuilder<unknown>): Promise<void> {
    const idsByTable = new Map<string, string[]>();
    for (const { table, id } of rows) {
      const ids = idsByTable.get(table);
      if (ids) ids.push(id);
      else idsByTable.set(table, [id]);
    }
    for (const [table, ids] of idsByTable) {
      await sql`update ${sql.id(table)} set ${set} where id = any(${ids}::bigint[])`.execute(db);
    }
  }

  /** Publishes a claimed batch and marks it; a batch the publisher refused is recorded and released. */
  async function deliver(rows: readonly ClaimedRow[]): Promise<void> {
    const ids = rows.map((row) => row.id);
    try {
      const publishing = startProducerSpans(
        'outbox publish',
        rows.map((row) => row.envelope),
      );
      try {
        await publisher.publish(publishing.events);
        publishing.end();
      } catch (error) {
        publishing.end(error);
        const failure = new BatchNotPublished(ids, error);
        await recordFailure(rows, failure).catch(() => undefined);
        throw failure;
      }
      await updateClaimed(rows, sql`published_at = now()`);
    } finally {
      for (const id of ids) handedOver.delete(id);
    }
    metrics.published.inc(labels, rows.length);
    metrics.batchSize.observe(labels, rows.length);
  }

  async function publishBatch(): Promise<number> {
    const rows = await claimBatch();
    if (rows.length > 0) await deliver(rows);
    return rows.length;
  }

  /** Records the failure on the rows, for an operator reading the outbox. */
  async function recordFailure(rows: readonly ClaimedRow[], failure: BatchNotPublished): Promise<void> {
    metrics.failures.inc(labels);
    const error = String(failure.cause).slice(0, 1_000);
    await updateClaimed(rows, sql`attempts = attempts + 1, last_error = ${error}`);
  }

  async function publishAll(): Promise<void> {
    for (;;) {
      const published = await publishBatch();
      if (published === 0) break;
    }
  }

  /** Leads while it can, and stands by, trying again, while another replica leads. */
  async function elect(): Promise<void> {
    // Attempts in a row that could not reach the database: they back off as failed batches do.
    let unreachable = 0;
    while (running) {
      let settled!: () => void;
      attempt = new Promise((resolve) => {
        settled = resolve;
      });
      const led = await leadership
        .tryLead(async (lost) => {
          const onLost = () => {
            logger.warn({ err: lost.reason }, 'outbox relay leadership lost; standing by');
            pause.wake();
          };
          lost.addEventListener('abort', onLost, { once: true });
          leading = true;
          settled();
          try {
            await run(lost);
          } finally {
            leading = false;
            lost.removeEventListener('abort', onLost);
          }
        })
        .then(
          (led) => {
            unreachable = 0;
            return led;
          },
          (error: unknown) => {
            unreachable += 1;
            logger.warn(
              { err: error, failures: unreachable },
              'outbox relay could not try for leadership; will retry',
            );
            return false;
          },
        );
      settled();
      if (running && !led)
        await standby.sleep(
          unreachable === 0 ? standbyPollMs : backoffDelay(unreachable + 1, standbyPollMs, maxBackoffMs),
        );
    }
  }

  const backlog = {
    schema: database.schema,
    async count(): Promise<number> {
      const row = await db
        .selectFrom('outbox')
        .select(sql<string>`count(*)`.as('count'))
        .where('published_at', 'is', null)
        .executeTakeFirst();
      return Number(row?.count ?? 0);
    },
  };

  async function housekeeping(): Promise<void> {
    if (retentionMs === Number.POSITIVE_INFINITY) return;
    if (Date.now() - lastHousekeeping < housekeepingEveryMs) return;
    lastHousekeeping = Date.now();
    const cutoff = new Date(Date.now() - retentionMs);
    // Small batches keep each delete from holding locks (or the embedded connection) for long;
    // repeating them keeps up with any rate of publishing.
    for (;;) {
      const deleted = await sql`delete from outbox where id in (
        select id from outbox where published_at < ${cutoff} order by id limit ${housekeepingBatchSize})`.execute(
        db,
      );
      if (!running || Number(deleted.numAffectedRows ?? 0) < housekeepingBatchSize) return;
    }
  }

  function onFailure(error: unknown): void {
    failures += 1;
    logger.warn({ err: error, failures }, 'outbox batch not published; will retry');
  }

  async function run(lost?: AbortSignal): Promise<void> {
    const deliveries = new Set<Promise<void>>();
    const publishing = () => running && !lost?.aborted;
    while (publishing()) {
      let claimed = 0;
      try {
        if (deliveries.size < publishConcurrency) {
          const rows = await claimBatch();
          claimed = rows.length;
          if (rows.length === 0 && deliveries.size === 0) failures = 0;
          if (rows.length > 0) {
            const delivery: Promise<void> = deliver(rows).then(() => {
              failures = 0;
              pause.wake();
            }, onFailure);
            deliveries.add(delivery);
            void delivery.finally(() => deliveries.delete(delivery));
            if (publishConcurrency === 1) await delivery;
          }
        }
        await housekeeping();
      } catch (error) {
        onFailure(error);
      }
      if (!publishing()) break;
      // A full batch means more are waiting; a free publishing slot takes the next one at once.
      if (failures === 0 && claimed === batchSize && deliveries.size < publishConcurrency) continue;
      // Jittered, so relay replicas that failed together do not all retry the broker together.
      const backoff =
        failures === 0 ? pollIntervalMs : backoffDelay(failures + 1, pollIntervalMs, maxBackoffMs);
      await pause.sleep(backoff);
    }
    await Promise.all(deliveries);
  }

  return {
    start() {
      if (running) return;
      running = true;
      // The backlog is counted when scraped, not per batch: a statement per batch for a gauge read
      // every few seconds would be most of an idle relay's work.
      metrics.backlogProbes.add(backlog);
      stopWaking = wakeOnOutboxCommit(database.db, () => pause.wake());
      loop = options.exclusive ? run() : elect();
    },
    notify() {
      if (running) pause.wake();
    },
    async flush() {
      // A standby leaves the rows to the leader, unless none leads (a stopped fleet flushing).
      await attempt;
      if (options.exclusive || leading) await publishAll();
      else await leadership.tryLead(publishAll);
    },
    async stop() {
      running = false;
      stopWaking();
      pause.wake();
      standby.wake();
      await loop;
      metrics.backlogProbes.delete(backlog);
    },
  };
}

const analyzeEveryMs = 60_000;

/**
 * Keeps the planner's statistics of a table with a backlog at most a minute old. Without them it
 * guesses a few dozen unpublished rows and sorts them all to take the first batch (9 ms a claim at
 * 20,000, growing with the backlog) instead of reading the index in order (0.1 ms). Autovacuum
 * analyzes a table only after it changed by a tenth, checking once a minute, so a new month's
 * partition, or an outbox that filled during a broker outage, goes unanalyzed for minutes; PGlite
 * never analyzes at all. `skip_locked`: a replica or autovacuum analyzing it already is enough.
 */
function backlogStatistics(
  // biome-ignore lint/suspicious/noExplicitAny: the relay reads only the outbox table of any service
  db: import('kysely').Kysely<any>,
  logger: Logger,
) {
  const analyzedAt = new Map<string, number>();
  let refused = false;
  return {
    async backlogIn(table: string): Promise<void> {
      if (refused || Date.now() - (analyzedAt.get(table) ?? 0) < analyzeEveryMs) return;
      analyzedAt.set(table, Date.now());
      try {
        await sql`analyze (skip_locked) ${sql.id(table)}`.execute(db);
      } catch (error) {
        // Not the table's owner (an operator's choice of roles): autovacuum keeps them instead.
        refused = true;
        logger.warn({ err: error, table }, 'cannot analyze the outbox; leaving its statistics to autovacuum');
      }
    },
  };
}
