import type { Database } from '@fiscal/kit/db';
import { createOutboxRelay, type EventPublisher, type OutboxRelay } from '@fiscal/kit/outbox';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { InvoiceSchema } from './adapters/invoice-rows.js';
import { type InvoiceShards, openInvoiceShards } from './adapters/invoice-shards.js';
import { comingMonths, ensureOutboxPartitions } from './adapters/monthly-partitions.js';
import { registerOutboxAgeProbe } from './adapters/outbox-age-metrics.js';
import { createPostgresIdempotencyStore } from './adapters/postgres-idempotency-store.js';
import { createPostgresInvoiceRepository } from './adapters/postgres-invoice-repository.js';
import type { IdempotencyStore, InvoiceRepository } from './domain/invoice/index.js';
import { ShardMap } from './domain/sharding/index.js';

export interface InvoiceStoreDependencies {
  /** One database per shard, in shard order. */
  databases: readonly Database<InvoiceSchema>[];
  /** `FISCAL_INVOICE_SHARD_MAP`; empty: slots split evenly over the databases. */
  shardMap?: string;
  publisher: EventPublisher;
  logger: Logger;
  registry: Registry;
  /** The only process on these databases (embedded mode): outbox claims of a killed run are void. */
  exclusiveDatabase?: boolean;
  /**
   * How long published events stay in the outbox, which is the service's event log (read models are
   * rebuilt by replaying it): `FISCAL_INVOICE_EVENT_RETENTION`; 0 or absent keeps them forever.
   */
  eventRetentionMs?: number;
}

/**
 * The invoice write side both deployables share (the command API and the worker): the shards, the
 * repository over them, and one outbox relay per shard. Start and flush are idempotent, so one store
 * can serve both modules in embedded mode.
 */
export interface InvoiceStore {
  shards: InvoiceShards;
  invoices: InvoiceRepository;
  idempotency: IdempotencyStore;
  /** Starts the relays; each is woken by the commits of its shard that append events (kit/outbox). */
  start(): void;
  /** Publishes what is pending and stops the relays; part of graceful shutdown. */
  flush(): Promise<void>;
  readinessChecks: Record<string, () => Promise<void>>;
}

export async function openInvoiceStore(dependencies: InvoiceStoreDependencies): Promise<InvoiceStore> {
  const { databases } = dependencies;
  const map = dependencies.shardMap
    ? ShardMap.parse(dependencies.shardMap, databases.length)
    : ShardMap.even(databases.length);
  const shards = await openInvoiceShards(databases, map);
  const relays: OutboxRelay[] = shards.all.map((shard) =>
    createOutboxRelay({
      database: shard.database,
      publisher: dependencies.publisher,
      logger: dependencies.logger.child({ component: 'outbox-relay', shard: shard.index }),
      registry: dependencies.registry,
      exclusive: dependencies.exclusiveDatabase ?? false,
      retentionMs: dependencies.eventRetentionMs || Number.POSITIVE_INFINITY,
    }),
  );
  for (const shard of shards.all) {
    // The event log's partitions of this month and the next two; retention keeps them coming.
    await ensureOutboxPartitions(shard.database.db, comingMonths(new Date()));
    registerOutboxAgeProbe(dependencies.registry, shard.index, shard.database);
  }
  let started = false;
  let flushed: Promise<void> | undefined;
  return {
    shards,
    invoices: createPostgresInvoiceRepository(shards),
    idempotency: createPostgresIdempotencyStore(shards),
    start() {
      if (started) return;
      started = true;
      for (const relay of relays) relay.start();
    },
    flush() {
      flushed ??= Promise.all(
        relays.map(async (relay) => {
          await relay.flush();
          await relay.stop();
        }),
      ).then(() => undefined);
      return flushed;
    },
    readinessChecks: Object.fromEntries(
      shards.all.map((shard) => [`invoice-shard-${shard.index}`, () => shard.database.ping()]),
    ),
  };
}
