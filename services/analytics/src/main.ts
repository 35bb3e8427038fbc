import type { Database } from '@fiscal/kit/db';
import type { EventBus, Subscriber } from '@fiscal/kit/events';
import type { ServiceModule } from '@fiscal/kit/runtime';
import type { Registry } from 'prom-client';
import { analyticsMigrations } from './adapters/migrations.js';
import { type AnalyticsSchema, createPostgresRollupStore } from './adapters/postgres-rollup-store.js';
import { createRollupInstruments } from './adapters/prometheus-rollup-instruments.js';
import { registerAnalyticsRpc } from './api/analytics-rpc.js';
import { getDailyReportHandler } from './app/get-daily-report.js';
import {
  analyticsBatchSize,
  analyticsGroup,
  analyticsPrefetch,
  recordFinalInvoicesHandler,
} from './app/record-final-invoice.js';
import { finalEventTypes } from './domain/rollup/index.js';

export interface AnalyticsServiceDependencies {
  database: Database<AnalyticsSchema>;
  bus: EventBus;
  registry: Registry;
}

/** Composition root of the analytics service: daily rollups of final invoices and the report API. */
export async function createAnalyticsService({
  database,
  bus,
  registry,
}: AnalyticsServiceDependencies): Promise<ServiceModule> {
  await database.migrate(analyticsMigrations);
  const rollups = createPostgresRollupStore(database, analyticsGroup);
  const record = recordFinalInvoicesHandler({ rollups, instruments: createRollupInstruments(registry) });
  let consumer: Subscriber | undefined;

  return {
    name: 'analytics',
    registerRpc: (router) => registerAnalyticsRpc(router, { getDailyReport: getDailyReportHandler(rollups) }),
    async start() {
      consumer = await bus.subscribe({
        group: analyticsGroup,
        types: finalEventTypes,
        prefetch: analyticsPrefetch,
        batchSize: analyticsBatchSize,
        handleBatch: async (batch) => {
          await record(batch.map((item) => item.event));
        },
      });
    },
    async stop() {
      await consumer?.stop();
    },
    readinessChecks: { 'analytics-database': () => database.ping() },
  };
}

export { type AnalyticsSchema, analyticsGroup, analyticsMigrations, finalEventTypes };
