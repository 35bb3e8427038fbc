import { type Cache, createMemoryCache, type MemoryCacheOptions } from '@fiscal/kit/cache';
import type { Database } from '@fiscal/kit/db';
import type { EventBus, Subscriber } from '@fiscal/kit/events';
import type { ServiceModule } from '@fiscal/kit/runtime';
import { queryMigrations } from './adapters/migrations.js';
import { createPostgresSummaryStore } from './adapters/postgres-summary-store.js';
import { createPostgresTimelineStore } from './adapters/postgres-timeline-store.js';
import type { QuerySchema } from './adapters/query-schema.js';
import { registerQueryRpc } from './api/query-rpc.js';
import { getInvoiceHandler } from './app/get-invoice.js';
import { getTimelineHandler } from './app/get-timeline.js';
import { listInvoicesHandler } from './app/list-invoices.js';
import {
  projectInvoiceEventsHandler,
  projectorBatchSize,
  projectorGroup,
  projectorPrefetch,
} from './app/project-invoice-event.js';
import { createSummaryCache, noSummaryCache } from './app/summary-cache.js';
import { projectedEventTypes } from './domain/invoice-summary/index.js';

export interface QueryServiceDependencies {
  database: Database<QuerySchema>;
  bus: EventBus;
  /**
   * Cache of GetInvoice (Redis when distributed, memory LRU when embedded). Absent: a memory LRU
   * reporting to `registry` when one is given, otherwise no cache.
   */
  cache?: Cache;
  registry?: MemoryCacheOptions['registry'];
}

export const summaryCacheName = 'invoice-summaries';
const defaultCacheEntries = 10_000;
/** A summary carries its problems (up to some 80 KB): the count alone would let the cache reach gigabytes. */
export const summaryCacheMaxBytes = 64 * 1_048_576;

/** Composition root of the query service: the read model, its projector and the read API. */
export async function createQueryService({
  database,
  bus,
  cache,
  registry,
}: QueryServiceDependencies): Promise<ServiceModule> {
  await database.migrate(queryMigrations);
  const summaries = createPostgresSummaryStore(database);
  const chosenCache =
    cache ??
    (registry &&
      createMemoryCache({
        name: summaryCacheName,
        registry,
        maxEntries: defaultCacheEntries,
        maxBytes: summaryCacheMaxBytes,
      }));
  const summaryCache = chosenCache ? createSummaryCache(chosenCache) : noSummaryCache;
  const project = projectInvoiceEventsHandler(summaries, summaryCache);
  let projector: Subscriber | undefined;

  return {
    name: 'query',
    registerRpc: (router) =>
      registerQueryRpc(router, {
        getInvoice: getInvoiceHandler(summaries, summaryCache),
        listInvoices: listInvoicesHandler(summaries),
        getTimeline: getTimelineHandler(createPostgresTimelineStore(database)),
      }),
    async start() {
      projector = await bus.subscribe({
        group: projectorGroup,
        types: projectedEventTypes,
        prefetch: projectorPrefetch,
        batchSize: projectorBatchSize,
        handleBatch: async (batch) => {
          await project(batch.map((item) => item.event));
        },
      });
    },
    async stop() {
      await projector?.stop();
    },
    readinessChecks: { 'query-database': () => database.ping() },
  };
}

export type { QuerySchema } from './adapters/query-schema.js';
export { type ReplayReadModelOptions, type ReplayReport, replayReadModel } from './replay.js';
export { projectedEventTypes, projectorGroup, queryMigrations };
