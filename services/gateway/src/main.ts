import type { Transport } from '@connectrpc/connect';
import { createHttpServer } from '@fiscal/kit/http';
import { createPolicy } from '@fiscal/kit/resilience';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { createGrpcInvoiceCommands } from './adapters/grpc-invoice-commands.js';
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
}

export const defaultOrganisation = 'org_default';

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

  registerInvoiceRoutes(app, {
    callers: dependencies.callers ?? createSingleTenantCallerResolver(defaultOrganisation),
    commands: createGrpcInvoiceCommands(dependencies.invoiceTransport, upstreamPolicy('invoice-service')),
    queries: createGrpcInvoiceQueries(dependencies.queryTransport, upstreamPolicy('query-service')),
  });
  return app;
}
