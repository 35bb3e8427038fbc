import type { ServiceModule } from '@fiscal/kit/runtime';
import { v7 as uuidv7 } from 'uuid';
import { codecByName } from './adapters/zlib-codecs.js';
import { type BatchAnswer, registerInvoiceRpc, toBatchAnswer } from './api/invoice-rpc.js';
import { createInvoicesHandler } from './app/create-invoices.js';
import { getDocumentHandler } from './app/get-document.js';
import { rememberAnswer } from './app/remember-answer.js';
import { reprocessInvoiceHandler } from './app/reprocess-invoice.js';
import type { ObjectStore } from './domain/document/index.js';
import { InvoiceNotFound } from './domain/invoice/index.js';
import type { InvoiceStore } from './store.js';

export interface InvoiceServiceDependencies {
  store: InvoiceStore;
  objects: ObjectStore;
}

/** Composition root of the invoice service's command API: create, batch, reprocess, documents. */
export async function createInvoiceService({
  store,
  objects,
}: InvoiceServiceDependencies): Promise<ServiceModule> {
  const { invoices, idempotency } = store;
  const clock = () => new Date();
  const createInvoices = createInvoicesHandler({ invoices, newId: uuidv7, clock });
  const reprocessInvoice = reprocessInvoiceHandler({ invoices, clock });
  const getDocument = getDocumentHandler({ invoices, objects, codecByName });

  return {
    name: 'invoice',
    registerRpc: (router) =>
      registerInvoiceRpc(router, {
        createInvoices: ({ orgId, submissions, idempotencyKey, operation }) =>
          rememberAnswer<BatchAnswer>(
            idempotency,
            { orgId, key: idempotencyKey, operation, body: submissions },
            async () => toBatchAnswer(await createInvoices({ orgId, submissions })),
          ),
        getInvoice: async (key) => {
          const invoice = await invoices.findById(key);
          if (!invoice) throw new InvoiceNotFound(key.id);
          return invoice;
        },
        reprocessInvoice,
        getDocument,
      }),
    start: async () => store.start(),
    stop: async () => {},
    flush: () => store.flush(),
    readinessChecks: store.readinessChecks,
  };
}

export { createFsObjectStore } from './adapters/fs-object-store.js';
export type { InvoiceSchema } from './adapters/invoice-rows.js';
export { openInvoiceShards } from './adapters/invoice-shards.js';
export { createMemoryObjectStore } from './adapters/memory-object-store.js';
export { invoiceMigrations } from './adapters/migrations.js';
export { createPostgresEventLog } from './adapters/postgres-event-log.js';
export { createShardRetention } from './adapters/postgres-retention.js';
export { moveSlots } from './adapters/slot-mover.js';
export { applyRetention, type RetentionPolicy, type RetentionReport } from './app/apply-retention.js';
export {
  type EventLogPage,
  eventLogOf,
  type ReadEventLogOptions,
  readEventLog,
} from './app/read-event-log.js';
export type { ShardRetention } from './domain/retention/index.js';
export { ShardMap } from './domain/sharding/index.js';
export * from './settings.js';
export { type InvoiceStore, type InvoiceStoreDependencies, openInvoiceStore } from './store.js';
export {
  createInvoiceWorker,
  type InvoiceWorkerDependencies,
  processorGroup,
  processorRetryPolicy,
} from './worker.js';
