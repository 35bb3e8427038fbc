import type { Database } from '@fiscal/kit/db';
import type { EventBus, Subscriber } from '@fiscal/kit/events';
import type { ServiceModule } from '@fiscal/kit/runtime';
import { queryMigrations } from './adapters/migrations.js';
import { createPostgresSummaryStore, type QuerySchema } from './adapters/postgres-summary-store.js';
import { registerQueryRpc } from './api/query-rpc.js';
import { getInvoiceHandler } from './app/get-invoice.js';
import { projectInvoiceEventHandler, projectorGroup } from './app/project-invoice-event.js';
import { projectedEventTypes } from './domain/invoice-summary/index.js';

export interface QueryServiceDependencies {
  database: Database<QuerySchema>;
  bus: EventBus;
}

/** Composition root of the query service: the read model, its projector and the read API. */
export async function createQueryService({
  database,
  bus,
}: QueryServiceDependencies): Promise<ServiceModule> {
  await database.migrate(queryMigrations);
  const summaries = createPostgresSummaryStore(database, projectorGroup);
  const project = projectInvoiceEventHandler(summaries);
  let projector: Subscriber | undefined;

  return {
    name: 'query',
    registerRpc: (router) => registerQueryRpc(router, { getInvoice: getInvoiceHandler(summaries) }),
    async start() {
      projector = await bus.subscribe({
        group: projectorGroup,
        types: projectedEventTypes,
        handler: async (event) => {
          await project(event);
        },
      });
    },
    async stop() {
      await projector?.stop();
    },
    readinessChecks: { 'query-database': () => database.ping() },
  };
}

export { queryMigrations };
