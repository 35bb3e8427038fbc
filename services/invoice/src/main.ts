import type { Database } from '@fiscal/kit/db';
import { createOutboxRelay, type EventPublisher } from '@fiscal/kit/outbox';
import type { ServiceModule } from '@fiscal/kit/runtime';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { v7 as uuidv7 } from 'uuid';
import { invoiceMigrations } from './adapters/migrations.js';
import {
  createPostgresInvoiceRepository,
  type InvoiceSchema,
} from './adapters/postgres-invoice-repository.js';
import { registerInvoiceRpc } from './api/invoice-rpc.js';
import { createInvoiceHandler } from './app/create-invoice.js';

export interface InvoiceServiceDependencies {
  database: Database<InvoiceSchema>;
  publisher: EventPublisher;
  logger: Logger;
  registry: Registry;
  /** The only process on this database (embedded mode): outbox claims of a killed run are void. */
  exclusiveDatabase?: boolean;
}

/** Composition root of the invoice service: its store, use cases, outbox relay and gRPC API. */
export async function createInvoiceService({
  database,
  publisher,
  logger,
  registry,
  exclusiveDatabase = false,
}: InvoiceServiceDependencies): Promise<ServiceModule> {
  await database.migrate(invoiceMigrations);
  const invoices = createPostgresInvoiceRepository(database);
  const relay = createOutboxRelay({
    database,
    publisher,
    logger: logger.child({ component: 'outbox-relay' }),
    registry,
    exclusive: exclusiveDatabase,
  });
  const createInvoice = createInvoiceHandler({
    invoices,
    newId: uuidv7,
    clock: () => new Date(),
  });

  return {
    name: 'invoice',
    registerRpc: (router) =>
      registerInvoiceRpc(router, {
        createInvoice: async (command) => {
          const result = await createInvoice(command);
          // Wake the relay now rather than at its next poll: the event is committed.
          if (result.created) relay.notify();
          return result;
        },
      }),
    start: async () => relay.start(),
    stop: async () => {},
    flush: async () => {
      await relay.flush();
      await relay.stop();
    },
    readinessChecks: { 'invoice-database': () => database.ping() },
  };
}

export { invoiceMigrations };
