import type { Transport } from '@connectrpc/connect';
import { createHttpServer } from '@fiscal/kit/http';
import { createPolicy } from '@fiscal/kit/resilience';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { createGrpcInvoiceCommands } from './adapters/grpc-invoice-commands.js';
import { createGrpcInvoiceDocuments } from './adapters/grpc-invoice-documents.js';
import { createGrpcInvoiceQueries } from './adapters/grpc-invoice-queries.js';
import { createSingleTenantCallerResolver } from './adapters/single-tenant-caller-resolver.js';
import { registerInvoiceRoutes } from './api/invoice-routes.js';
import type { CallerResolver } from './app/caller.js';

export interface GatewayDependencies {
  logger: Logger;
  registry: Registry;
  invoiceTransport: Transport;
  queryTransport: Transport;
  callers?: CallerResolver;
  bodyLimitBytes?: number;
  /** Body limit of `POST /api/v1/invoices/batch` alone: 1,000 invoices with their documents inline. */
  batchBodyLimitBytes?: number;
}

export const defaultOrganisation = 'org_default';
export const defaultBatchBodyLimitBytes = 16 * 1_048_576;
const batchTimeoutMs = 60_000;

/**
 * Composition root of the gateway: the public REST API in front of the services' gRPC APIs,
 * each upstream behind its own circuit breaker and bulkhead so one failing service answers 503
 * quickly instead of holding requests.
 */
export function createGatewayServer(dependencies: GatewayDependencies): FastifyInstance {
  const { logger, registry } = dependencies;
  const app = createHttpServer({
    service: 'gateway',
    logger,
    registry,
    bodyLimitBytes: dependencies.bodyLimitBytes,
  });
  const upstreamPolicy = (name: string) =>
    createPolicy({
      name,
      registry,
      timeoutMs: 5_000,
      breaker: { consecutiveFailures: 5, halfOpenAfterMs: 5_000 },
      bulkhead: { limit: 256, queue: 1_024 },
    });
  const invoicePolicy = upstreamPolicy('invoice-service');
  // A batch writes up to 1,000 invoices in one call: a longer deadline, and few at a time.
  const invoiceBatchPolicy = createPolicy({
    name: 'invoice-service-batches',
    registry,
    timeoutMs: batchTimeoutMs,
    breaker: { consecutiveFailures: 5, halfOpenAfterMs: 5_000 },
    bulkhead: { limit: 8, queue: 64 },
  });

  registerInvoiceRoutes(app, {
    callers: dependencies.callers ?? createSingleTenantCallerResolver(defaultOrganisation),
    commands: createGrpcInvoiceCommands(dependencies.invoiceTransport, {
      policy: invoicePolicy,
      batchPolicy: invoiceBatchPolicy,
      batchTimeoutMs,
    }),
    documents: createGrpcInvoiceDocuments(dependencies.invoiceTransport, invoicePolicy),
    queries: createGrpcInvoiceQueries(dependencies.queryTransport, upstreamPolicy('query-service')),
    batchBodyLimitBytes: dependencies.batchBodyLimitBytes ?? defaultBatchBodyLimitBytes,
  });
  return app;
}
