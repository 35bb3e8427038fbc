import type { Transport } from '@connectrpc/connect';
import { createJwksKeyStore } from '@fiscal/kit/auth';
import { type Cache, createMemoryCache } from '@fiscal/kit/cache';
import { type AccessLogOptions, createHttpServer } from '@fiscal/kit/http';
import { createPolicy } from '@fiscal/kit/resilience';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { createCachedInvoiceQueries } from './adapters/cached-invoice-queries.js';
import { createMemoryRateLimiter } from './adapters/flexible-rate-limiter.js';
import { createGrpcAnalyticsReports } from './adapters/grpc-analytics-reports.js';
import { createGrpcIdentity } from './adapters/grpc-identity.js';
import { createGrpcInvoiceCommands } from './adapters/grpc-invoice-commands.js';
import { createGrpcInvoiceDocuments } from './adapters/grpc-invoice-documents.js';
import { createGrpcInvoiceQueries } from './adapters/grpc-invoice-queries.js';
import { createGrpcWebhooks } from './adapters/grpc-webhooks.js';
import { createTokenCallerResolver } from './adapters/token-caller-resolver.js';
import { installAuthentication } from './api/authentication.js';
import { installAuthenticationChallenge } from './api/authentication-challenge.js';
import { registerIdentityRoutes } from './api/identity-routes.js';
import { registerInvoiceListRoutes } from './api/invoice-list-routes.js';
import { registerInvoiceRoutes } from './api/invoice-routes.js';
import { registerOpenApi } from './api/openapi.js';
import { defaultAnonymousRoutePrefixes, installRateLimits } from './api/rate-limits.js';
import { registerReportRoutes } from './api/report-routes.js';
import { installSecurityHeaders } from './api/security-headers.js';
import { installStaleViewHeader } from './api/stale-views.js';
import { registerWebhookRoutes } from './api/webhook-routes.js';
import type { CallerResolver } from './app/caller.js';
import { defaultQuotasPerMinute, type RateLimiter } from './app/quotas.js';

export {
  createMemoryRateLimiter,
  createRedisRateLimiter,
  type MemoryRateLimiterOptions,
  type RedisRateLimiterOptions,
} from './adapters/flexible-rate-limiter.js';
export { openApiDocument } from './api/openapi-document.js';
export type { QuotasPerMinute, RateLimiter } from './app/quotas.js';
export { gatewayQuotaConfig, quotasOf } from './quota-settings.js';
export { gatewayHttpConfig, gatewayProxyConfig, gatewayUpstreamConfig } from './settings.js';

export interface GatewayDependencies {
  logger: Logger;
  registry: Registry;
  invoiceTransport: Transport;
  queryTransport: Transport;
  authTransport: Transport;
  analyticsTransport: Transport;
  notificationTransport: Transport;
  /** Revoked access tokens, shared with the auth service: memory when embedded, Redis when distributed. */
  revocations: Cache;
  /** Replaces bearer-token authentication (route tests). */
  callers?: CallerResolver;
  authentication?: AuthenticationSettings;
  bodyLimitBytes?: number;
  /**
   * Behind a load balancer, clients are told apart (login throttling, anonymous quotas) by the
   * `X-Forwarded-For` it sets; never set this on a gateway clients reach directly, who could forge it.
   */
  trustProxy?: boolean;
  /** Which requests get an access-log line (`FISCAL_ACCESS_LOG_SAMPLE_RATIO`); all by default. */
  accessLog?: AccessLogOptions;
  /** Body limit of `POST /api/v1/invoices/batch` alone: 1,000 invoices with their documents inline. */
  batchBodyLimitBytes?: number;
  /** Per-caller quotas; Redis-backed when distributed. Default: in memory, default quotas. */
  rateLimiter?: RateLimiter;
  /**
   * Invoice views last read, served while the query service is down. Default: this replica's memory,
   * which is enough for a fallback and spares every read a write to a shared cache.
   */
  readCache?: Cache;
  /**
   * How long an invoice view read from the query service answers reads of it without asking again
   * (1 s); 0 asks every time.
   */
  freshViewMs?: number;
}

export interface AuthenticationSettings {
  /** The auth service's keys are fetched again when older than this, so retired keys stop verifying. */
  jwksMaxAgeMs?: number;
  /** At most one key fetch per this long for tokens naming an unknown key. */
  jwksRefetchCooldownMs?: number;
  clockToleranceSeconds?: number;
  /** How long an API key's verification is trusted before the auth service is asked again. */
  apiKeyTtlMs?: number;
  now?: () => number;
}

export const defaultOrganisation = 'org_default';
export const defaultBatchBodyLimitBytes = 16 * 1_048_576;
const batchTimeoutMs = 60_000;
const apiVersion = '1.0.0';
const defaultReadCacheEntries = 10_000;
// A view carries its problems (up to some 80 KB): the count alone would let the cache grow to gigabytes.
const defaultReadCacheBytes = 64 * 1_048_576;

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
    trustProxy: dependencies.trustProxy,
    accessLog: dependencies.accessLog,
  });
  // Before any route, so every route is documented and charged.
  registerOpenApi(app, { version: apiVersion, anonymousRoutePrefixes: defaultAnonymousRoutePrefixes });
  installRateLimits(app, {
    limiter:
      dependencies.rateLimiter ?? createMemoryRateLimiter({ quotas: defaultQuotasPerMinute, registry }),
    anonymousRoutePrefixes: defaultAnonymousRoutePrefixes,
  });
  installStaleViewHeader(app);
  installSecurityHeaders(app);
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

  installAuthenticationChallenge(app);
  const settings = dependencies.authentication ?? {};
  const now = settings.now ?? Date.now;
  const identity = createGrpcIdentity(dependencies.authTransport, upstreamPolicy('auth-service'));
  const keys = createJwksKeyStore({
    fetchJwks: () => identity.jwks(),
    maxAgeMs: settings.jwksMaxAgeMs ?? 300_000,
    refetchCooldownMs: settings.jwksRefetchCooldownMs ?? 5_000,
    now,
  });
  const tokens = createTokenCallerResolver({
    identity,
    keys,
    revocations: dependencies.revocations,
    now,
    clockToleranceSeconds: settings.clockToleranceSeconds,
    apiKeyTtlMs: settings.apiKeyTtlMs,
  });
  const callers = dependencies.callers ?? tokens;
  installAuthentication(app, callers);
  registerIdentityRoutes(app, {
    identity,
    callers,
    keys,
    revocations: dependencies.revocations,
    now,
    onApiKeyRevoked: (keyId) => tokens.apiKeyRevoked(keyId),
  });

  const queries = createCachedInvoiceQueries(
    createGrpcInvoiceQueries(dependencies.queryTransport, upstreamPolicy('query-service')),
    {
      cache:
        dependencies.readCache ??
        createMemoryCache({
          name: 'gateway-invoice-views',
          registry,
          maxEntries: defaultReadCacheEntries,
          maxBytes: defaultReadCacheBytes,
        }),
      logger,
      freshForMs: dependencies.freshViewMs,
    },
  );
  const invoiceCommands = createGrpcInvoiceCommands(dependencies.invoiceTransport, {
    policy: invoicePolicy,
    batchPolicy: invoiceBatchPolicy,
    batchTimeoutMs,
  });
  registerInvoiceRoutes(app, {
    commands: {
      ...invoiceCommands,
      async reprocess(requester, id) {
        const state = await invoiceCommands.reprocess(requester, id);
        // The view this replica holds would hide the reprocessing from the client that asked for it.
        queries.forget(requester.caller.orgId, id);
        return state;
      },
    },
    documents: createGrpcInvoiceDocuments(dependencies.invoiceTransport, invoicePolicy),
    queries,
    batchBodyLimitBytes: dependencies.batchBodyLimitBytes ?? defaultBatchBodyLimitBytes,
  });
  const reports = createGrpcAnalyticsReports(
    dependencies.analyticsTransport,
    upstreamPolicy('analytics-service'),
  );
  const webhooks = createGrpcWebhooks(
    dependencies.notificationTransport,
    upstreamPolicy('notification-service'),
  );
  // Registered as a plugin, so the OpenAPI generator (itself a plugin, loaded first) sees the routes.
  app.register(async (routes) => {
    registerInvoiceListRoutes(routes, { queries });
    registerReportRoutes(routes, { reports });
    registerWebhookRoutes(routes, { webhooks });
  });
  return app;
}
