import type { Transport } from '@connectrpc/connect';
import { analyticsGroup, createAnalyticsService, finalEventTypes } from '@fiscal/analytics';
import { type AuthSettings, createAuthService } from '@fiscal/auth';
import { AuthEventTypes, InvoiceEventTypes, NotificationEventTypes } from '@fiscal/contracts';
import { AnalyticsService } from '@fiscal/contracts/rpc/analytics';
import { AuthService } from '@fiscal/contracts/rpc/auth';
import { InvoiceService } from '@fiscal/contracts/rpc/invoice';
import { NotificationService } from '@fiscal/contracts/rpc/notification';
import { QueryService } from '@fiscal/contracts/rpc/query';
import {
  createGatewayServer,
  createMemoryRateLimiter,
  createRedisRateLimiter,
  type gatewayQuotaConfig,
  type QuotasPerMinute,
  quotasOf,
} from '@fiscal/gateway';
import {
  applyRetention,
  createInvoiceService,
  createInvoiceWorker,
  createShardRetention,
  type eventLogConfig,
  type InvoiceServiceDependencies,
  type InvoiceStore,
  type ProcessingSettings,
  processorGroup,
  type retentionConfig,
} from '@fiscal/invoice';
import type { Cache } from '@fiscal/kit/cache';
import type { ConfigOf } from '@fiscal/kit/config';
import type { Database } from '@fiscal/kit/db';
import type { EventBus } from '@fiscal/kit/events';
import type { accessLogConfig } from '@fiscal/kit/http';
import type { ServiceModule } from '@fiscal/kit/runtime';
import {
  createNotificationService,
  type NotificationSettings,
  notifiableEventTypes,
  notificationGroup,
} from '@fiscal/notification';
import {
  createQueryService,
  projectedEventTypes,
  projectorGroup,
  summaryCacheMaxBytes,
  summaryCacheName,
} from '@fiscal/query';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Host } from './host.js';
import { type inboxRetentionConfig, scheduleRetention, withInboxRetention } from './retention-schedule.js';

/**
 * What a topology lends the services it builds. Embedded mode (`fiscal start`) answers with one
 * PGlite, the in-process bus, memory caches and in-memory transports, shared by every service of
 * the process; distributed mode (`fiscal serve <service>`) with PostgreSQL, RabbitMQ, Redis and gRPC
 * for the one service it runs. Where the two modes really differ, the difference is a capability
 * here, so the table below reads the same for both.
 */
export interface Engines {
  /** The process: its readiness, its shutdown, its schedules. */
  readonly host: Host;
  readonly registry: Registry;
  /** The logger whose lines carry `service`'s name. */
  logger(service: string): Logger;
  /** The service's own database (its schema). */
  database<DB>(service: string): Promise<Database<DB>>;
  bus(): Promise<EventBus>;
  /** A named cache; `bounds` limit it where it lives in this process's memory. */
  cache(name: string, bounds: CacheBounds): Cache;
  /** Where archived invoice documents are kept. */
  objectStore(): InvoiceServiceDependencies['objects'];
  /** The invoice shards, their repository and outbox relays, which the command API and the worker share. */
  invoiceStore(): Promise<InvoiceStore>;
  /** A client of `service`'s gRPC API, carrying this service's calls. */
  transportTo(service: string): Transport;
  /**
   * Counters every replica of a service shares (Redis), named for what they count; absent where
   * there is one replica, which counts in its own memory.
   */
  sharedCounters?(name: string): Redis;
  /** This process is its databases' only user: outbox claims a killed predecessor left are void. */
  readonly exclusiveDatabase: boolean;
  /** This process's own ports, which a document fetcher or webhook must never reach. */
  readonly platformPorts: readonly number[];
  /** Where the operator finds files a service writes for them (the first administrator's password). */
  readonly dataDir?: string | undefined;
  /**
   * Runs `work` unless another replica holds `lock` on `database` (then skips it); with one
   * replica, simply runs it.
   */
  oneReplicaAtATime<DB>(database: Database<DB>, lock: string, work: () => Promise<void>): Promise<void>;
}

export interface CacheBounds {
  maxEntries: number;
  maxBytes?: number;
}

/** A back-end service: what it serves, calls, consumes and publishes, and how it is built. */
export interface BackEnd<Settings> {
  readonly name: string;
  /** The gRPC API it serves; `anonymous`: some of its procedures take no access token (the module lists them). */
  readonly api?: { readonly service: string; readonly anonymous?: true };
  /** The services whose gRPC APIs it calls. */
  readonly upstreams: readonly string[];
  /** The events it handles, as one consumer group. */
  readonly consumes?: { readonly group: string; readonly events: readonly string[] };
  readonly publishes: readonly string[];
  readonly create: (engines: Engines, settings: Settings) => Promise<ServiceModule>;
}

/** The public REST API: it serves HTTP, and calls the back ends' gRPC APIs. */
export interface Edge<Settings> {
  readonly name: string;
  readonly upstreams: readonly string[];
  readonly create: (engines: Engines, settings: Settings) => FastifyInstance;
}

type InvoiceSettings = ConfigOf<typeof retentionConfig> & ConfigOf<typeof eventLogConfig>;
type ConsumerSettings = ConfigOf<typeof inboxRetentionConfig>;
type GatewaySettings = ConfigOf<typeof gatewayQuotaConfig> &
  ConfigOf<typeof accessLogConfig> & { trustProxy?: boolean };

const invoiceRetentionLock = 'fiscal-retention:invoice';

const invoice: BackEnd<InvoiceSettings> = {
  name: 'invoice',
  api: { service: InvoiceService.typeName },
  upstreams: [],
  publishes: [InvoiceEventTypes.created, InvoiceEventTypes.requeued],
  create: async (engines, settings) => {
    const store = await engines.invoiceStore();
    const objects = engines.objectStore();
    // Months of invoices past the keeping period with their archived originals, and event-log months.
    scheduleRetention(engines.host, 'invoice', settings.retentionInterval, async () => {
      const [first] = store.shards.all;
      if (!first) return;
      await engines.oneReplicaAtATime(first.database, invoiceRetentionLock, async () => {
        const report = await applyRetention({
          shards: store.shards.all.map(createShardRetention),
          objects,
          policy: {
            documentYears: settings.retentionYears,
            eventRetentionMs: settings.invoiceEventRetention,
          },
          now: new Date(),
          dryRun: false,
          logger: engines.host.logger,
        });
        if (report.invoiceMonths.length + report.outboxMonths.length > 0)
          engines.host.logger.info({ report }, 'retention applied');
      });
    });
    return createInvoiceService({ store, objects });
  },
};

const invoiceWorker: BackEnd<ProcessingSettings> = {
  name: 'invoice-worker',
  upstreams: [],
  consumes: { group: processorGroup, events: [InvoiceEventTypes.created, InvoiceEventTypes.requeued] },
  publishes: [
    InvoiceEventTypes.processingStarted,
    InvoiceEventTypes.validated,
    InvoiceEventTypes.rejected,
    InvoiceEventTypes.archived,
    InvoiceEventTypes.failed,
  ],
  create: async (engines, settings) => {
    const bus = await engines.bus();
    return createInvoiceWorker({
      store: await engines.invoiceStore(),
      bus,
      objects: engines.objectStore(),
      logger: engines.logger('invoice-worker'),
      registry: engines.registry,
      settings,
      platformPorts: engines.platformPorts,
    });
  },
};

const query: BackEnd<ConsumerSettings> = {
  name: 'query',
  api: { service: QueryService.typeName },
  upstreams: [],
  consumes: { group: projectorGroup, events: projectedEventTypes },
  publishes: [],
  create: async (engines, settings) =>
    createQueryService({
      database: withInboxRetention(engines.host, settings, await engines.database('query')),
      bus: await engines.bus(),
      cache: engines.cache(summaryCacheName, { maxEntries: 50_000, maxBytes: summaryCacheMaxBytes }),
      registry: engines.registry,
    }),
};

const analytics: BackEnd<ConsumerSettings> = {
  name: 'analytics',
  api: { service: AnalyticsService.typeName },
  upstreams: [],
  consumes: { group: analyticsGroup, events: finalEventTypes },
  publishes: [],
  create: async (engines, settings) =>
    createAnalyticsService({
      database: withInboxRetention(engines.host, settings, await engines.database('analytics')),
      bus: await engines.bus(),
      registry: engines.registry,
    }),
};

const notification: BackEnd<ConsumerSettings & NotificationSettings> = {
  name: 'notification',
  api: { service: NotificationService.typeName },
  upstreams: [],
  consumes: { group: notificationGroup, events: notifiableEventTypes },
  publishes: [NotificationEventTypes.subscriptionDisabled],
  create: async (engines, settings) =>
    createNotificationService({
      database: withInboxRetention(engines.host, settings, await engines.database('notification')),
      bus: await engines.bus(),
      registry: engines.registry,
      logger: engines.logger('notification'),
      settings,
      exclusiveDatabase: engines.exclusiveDatabase,
      platformPorts: engines.platformPorts,
    }),
};

/** Logged-out access tokens: the auth service writes them, the gateway reads them. */
const revokedTokens = { name: 'revoked-tokens', bounds: { maxEntries: 1_000_000 } };

const auth: BackEnd<AuthSettings> = {
  name: 'auth',
  api: { service: AuthService.typeName, anonymous: true },
  upstreams: [],
  publishes: Object.values(AuthEventTypes),
  create: async (engines, settings) =>
    createAuthService({
      database: await engines.database('auth'),
      revocations: engines.cache(revokedTokens.name, revokedTokens.bounds),
      publisher: await engines.bus(),
      loginLimiterRedis: engines.sharedCounters?.('login-limiter'),
      settings,
      logger: engines.logger('auth'),
      registry: engines.registry,
      dataDir: engines.dataDir,
      exclusiveDatabase: engines.exclusiveDatabase,
    }),
};

const gateway: Edge<GatewaySettings> = {
  name: 'gateway',
  upstreams: ['invoice', 'query', 'auth', 'analytics', 'notification'],
  create: (engines, settings) => {
    const quotas = quotasOf(settings);
    const counters = engines.sharedCounters?.('rate-limits');
    const rateLimiter = counters
      ? sharedRateLimiter(engines, quotas, counters)
      : createMemoryRateLimiter({ quotas, registry: engines.registry });
    return createGatewayServer({
      logger: engines.logger('gateway'),
      registry: engines.registry,
      invoiceTransport: engines.transportTo('invoice'),
      queryTransport: engines.transportTo('query'),
      authTransport: engines.transportTo('auth'),
      analyticsTransport: engines.transportTo('analytics'),
      notificationTransport: engines.transportTo('notification'),
      revocations: engines.cache(revokedTokens.name, revokedTokens.bounds),
      rateLimiter,
      trustProxy: settings.trustProxy,
      accessLog: { sampleRatio: settings.accessLogSampleRatio },
    });
  },
};

/** Quotas every gateway replica draws from together. */
function sharedRateLimiter(engines: Engines, quotas: QuotasPerMinute, client: Redis) {
  const rateLimiter = createRedisRateLimiter({
    quotas,
    registry: engines.registry,
    client,
    logger: engines.logger('gateway'),
  });
  // Requests a replica took from the shared quotas and did not spend go back before Redis closes.
  engines.host.shutdown.register('flush', 'rate-limit-budgets', () => rateLimiter.close());
  return rateLimiter;
}

/**
 * The system, in one place: every service, in the order a process running all of them builds and
 * starts them (auth last, the gateway once the back ends it calls exist). `fiscal start` builds
 * them all in one process; `fiscal serve <name>` builds the one named.
 */
export const topology = {
  backEnds: { invoice, 'invoice-worker': invoiceWorker, query, analytics, notification, auth },
  gateway,
};

/**
 * Builds `service` and holds it to what the table says of it: its name, whether it serves a gRPC
 * API, and whether some of its procedures are anonymous. A service that changed without its row
 * stops its process at start-up rather than being wired wrongly.
 */
export async function buildBackEnd<Settings>(
  service: BackEnd<Settings>,
  engines: Engines,
  settings: Settings,
): Promise<ServiceModule> {
  const module = await service.create(engines, settings);
  const servesApi = module.registerRpc !== undefined;
  const hasAnonymous = (module.anonymousRpc?.length ?? 0) > 0;
  if (
    module.name !== service.name ||
    servesApi !== Boolean(service.api) ||
    hasAnonymous !== Boolean(service.api?.anonymous)
  )
    throw new Error(
      `the topology's ${service.name} row does not match the service it builds (name ${module.name}, gRPC API ${servesApi}, anonymous procedures ${hasAnonymous})`,
    );
  return module;
}
