import { createAnalyticsService } from '@fiscal/analytics';
import { authConfig, createAuthService } from '@fiscal/auth';
import { parseEvent } from '@fiscal/contracts';
import {
  createGatewayServer,
  createRedisRateLimiter,
  gatewayHttpConfig,
  gatewayProxyConfig,
  gatewayQuotaConfig,
  gatewayUpstreamConfig,
  quotasOf,
} from '@fiscal/gateway';
import {
  applyRetention,
  createFsObjectStore,
  createInvoiceService,
  createInvoiceWorker,
  createShardRetention,
  distributedShardsConfig,
  eventLogConfig,
  type InvoiceSchema,
  invoiceShardUrls,
  objectStoreConfig,
  openInvoiceStore,
  processingConfig,
  retentionConfig,
  shardMapConfig,
} from '@fiscal/invoice';
import { authenticateRpcCallers, callerKeysConfig, createServiceCallerVerifier } from '@fiscal/kit/auth';
import { createRedisCache, redisConfig } from '@fiscal/kit/cache';
import {
  ConfigError,
  type ConfigOf,
  commonConfig,
  defineConfig,
  type Field,
  parseConfig,
} from '@fiscal/kit/config';
import { createDatabase, databaseConfig } from '@fiscal/kit/db';
import { createRabbitMqBus, rabbitMqConfig } from '@fiscal/kit/events';
import {
  createGrpcClientTransport,
  createGrpcServer,
  createInMemoryTransport,
  grpcServerConfig,
} from '@fiscal/kit/grpc';
import { accessLogConfig, listen } from '@fiscal/kit/http';
import { runModules, type ServiceModule } from '@fiscal/kit/runtime';
import { createNotificationService, notificationConfig } from '@fiscal/notification';
import { createQueryService, summaryCacheName } from '@fiscal/query';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import { type Host, startHost } from '../host.js';
import { inboxRetentionConfig, scheduleRetention, withInboxRetention } from '../retention-schedule.js';

const backendConfig = defineConfig({
  ...commonConfig,
  ...databaseConfig,
  ...rabbitMqConfig,
  ...grpcServerConfig,
});

const gatewayConfig = defineConfig({
  ...commonConfig,
  ...redisConfig,
  ...gatewayQuotaConfig,
  ...accessLogConfig,
  ...gatewayHttpConfig({ host: '0.0.0.0' }),
  ...gatewayProxyConfig,
  ...gatewayUpstreamConfig,
});

/** The invoice store is sharded: FISCAL_INVOICE_SHARD_URLS, or FISCAL_DATABASE_URL as the one shard. */
const invoiceStoreConfig = defineConfig({
  ...backendConfig,
  databaseUrl: { ...backendConfig.databaseUrl, default: undefined },
  ...distributedShardsConfig,
  ...shardMapConfig,
  ...objectStoreConfig,
  ...eventLogConfig,
});

const invoiceConfig = defineConfig({ ...invoiceStoreConfig, ...callerKeysConfig, ...retentionConfig });
const invoiceWorkerConfig = defineConfig({ ...invoiceStoreConfig, ...processingConfig });
const queryConfig = defineConfig({
  ...backendConfig,
  ...callerKeysConfig,
  ...redisConfig,
  ...inboxRetentionConfig,
});
const analyticsConfig = defineConfig({ ...backendConfig, ...callerKeysConfig, ...inboxRetentionConfig });
const authServiceConfig = defineConfig({ ...backendConfig, ...redisConfig, ...authConfig });
const notificationServiceConfig = defineConfig({
  ...backendConfig,
  ...callerKeysConfig,
  ...notificationConfig,
  ...inboxRetentionConfig,
});

export const serveConfigs = {
  backendConfig,
  gatewayConfig,
  invoiceWorkerConfig,
  authServiceConfig,
  notificationServiceConfig,
};

/** What every backend's settings include (each spec extends `backendConfig`'s host and gRPC parts). */
type BackendSettings = ConfigOf<typeof commonConfig> & { grpcHost: string; grpcPort: number };

interface Backend {
  // biome-ignore lint/suspicious/noExplicitAny: each backend reads its own settings spec
  config: Record<string, any>;
  // biome-ignore lint/suspicious/noExplicitAny: the settings parsed from `config`
  create(host: Host, settings: any): Promise<ServiceModule>;
}

const backend = <S extends Record<string, Field<unknown>>>(
  config: S,
  create: (host: Host, settings: ConfigOf<S>) => Promise<ServiceModule>,
): Backend => ({ config, create });

const backends: Record<string, Backend> = {
  invoice: backend(invoiceConfig, async (host, settings) => {
    const store = await openShardedStore(host, settings);
    const objects = createFsObjectStore({ root: settings.objectStoreDir });
    scheduleRetention(host, 'invoice', settings.retentionInterval, async () => {
      // One replica at a time: the others find the lock taken and wait for the next run.
      const [first] = store.shards.all;
      await first?.database.transaction(async (trx) => {
        const { rows } = await sql<{ locked: boolean }>`
          select pg_try_advisory_xact_lock(hashtext('fiscal-retention:invoice')) as locked`.execute(trx);
        if (!rows[0]?.locked) return;
        const report = await applyRetention({
          shards: store.shards.all.map(createShardRetention),
          objects,
          policy: {
            documentYears: settings.retentionYears,
            eventRetentionMs: settings.invoiceEventRetention,
          },
          now: new Date(),
          dryRun: false,
          logger: host.logger,
        });
        if (report.invoiceMonths.length + report.outboxMonths.length > 0)
          host.logger.info({ report }, 'retention applied');
      });
    });
    return createInvoiceService({ store, objects });
  }),
  'invoice-worker': backend(invoiceWorkerConfig, async (host, settings) => {
    const bus = await connectBus(host, settings);
    return createInvoiceWorker({
      store: await openShardedStore(host, settings, bus),
      bus,
      objects: createFsObjectStore({ root: settings.objectStoreDir }),
      logger: host.logger,
      registry: host.registry,
      settings,
      platformPorts: [settings.adminPort, settings.grpcPort],
    });
  }),
  query: backend(queryConfig, async (host, settings) =>
    createQueryService({
      database: withInboxRetention(host, settings, await openDatabase(host, settings, 'query')),
      bus: await connectBus(host, settings),
      cache: redisCache(host, settings, summaryCacheName),
      registry: host.registry,
    }),
  ),
  auth: backend(authServiceConfig, async (host, settings) =>
    createAuthService({
      database: await openDatabase(host, settings, 'auth'),
      revocations: redisCache(host, settings, 'revoked-tokens'),
      publisher: await connectBus(host, settings),
      loginLimiterRedis: redisClient(host, settings, 'login-limiter'),
      settings,
      logger: host.logger,
      registry: host.registry,
    }),
  ),
  analytics: backend(analyticsConfig, async (host, settings) =>
    createAnalyticsService({
      database: withInboxRetention(host, settings, await openDatabase(host, settings, 'analytics')),
      bus: await connectBus(host, settings),
      registry: host.registry,
    }),
  ),
  notification: backend(notificationServiceConfig, async (host, settings) =>
    createNotificationService({
      database: withInboxRetention(host, settings, await openDatabase(host, settings, 'notification')),
      bus: await connectBus(host, settings),
      registry: host.registry,
      logger: host.logger,
      settings,
      platformPorts: [settings.adminPort, settings.grpcPort],
    }),
  ),
};

/** The settings each `fiscal serve <service>` reads, for the deployment manifests' tests and docs. */
export const serviceConfigs: Record<string, Record<string, Field<unknown>>> = {
  gateway: gatewayConfig,
  ...Object.fromEntries(Object.entries(backends).map(([name, { config }]) => [name, config])),
};

type RedisSettings = ConfigOf<typeof redisConfig>;

/** A cache on the shared Redis; the key prefix keeps each cache's keys apart. */
function redisCache(host: Host, settings: RedisSettings, name: string) {
  const cache = createRedisCache({
    name,
    registry: host.registry,
    logger: host.logger,
    url: settings.redisUrl,
    // Token revocations are written by auth and read by the gateway: one key space for both.
    keyPrefix: settings.redisKeyPrefix,
  });
  host.shutdown.register('close', `cache-${name}`, () => cache.close());
  return cache;
}

function redisClient(host: Host, settings: RedisSettings, name: string) {
  const client = new Redis(settings.redisUrl, { maxRetriesPerRequest: 1, lazyConnect: false });
  client.on('error', () => {
    // Reported by the users of the client (a failed command); reconnection is automatic.
  });
  host.shutdown.register('close', `redis-${name}`, async () => {
    client.disconnect();
  });
  return client;
}

async function openShardedStore(
  host: Host,
  settings: ConfigOf<typeof invoiceStoreConfig>,
  publisher?: Awaited<ReturnType<typeof connectBus>>,
) {
  const databases = [];
  for (const [shard, url] of invoiceShardUrls(settings).entries()) {
    databases.push(
      await openDatabase<InvoiceSchema>(host, { ...settings, databaseUrl: url }, 'invoice', `shard-${shard}`),
    );
  }
  return openInvoiceStore({
    databases,
    shardMap: settings.invoiceShardMap,
    publisher: publisher ?? (await connectBus(host, settings)),
    logger: host.logger,
    registry: host.registry,
  });
}

async function openDatabase<DB>(
  host: Host,
  settings: { databaseUrl?: string | undefined; databaseSchema: string },
  service: string,
  name = 'database',
) {
  if (!settings.databaseUrl) throw new ConfigError(['FISCAL_DATABASE_URL: required']);
  const database = await createDatabase<DB>({
    engine: 'postgres',
    url: settings.databaseUrl,
    schema: settings.databaseSchema || service,
    applicationName: `fiscal-${service}`,
    registry: host.registry,
    onIdleConnectionError: (error) => host.logger.warn({ err: error }, 'idle database connection lost'),
  });
  host.shutdown.register('close', name, () => database.close());
  return database;
}

async function connectBus(host: Host, settings: { rabbitmqUrl: string; rabbitmqNamePrefix: string }) {
  const bus = createRabbitMqBus({
    url: settings.rabbitmqUrl,
    namePrefix: settings.rabbitmqNamePrefix,
    logger: host.logger.child({ component: 'bus' }),
    registry: host.registry,
    validate: parseEvent,
  });
  host.shutdown.register('close', 'bus', () => bus.close());
  host.provideDeadLetters(bus.deadLetters);
  return bus;
}

/**
 * What a service verifies its callers' access tokens with: the auth service's published keys, from
 * the auth service at FISCAL_AUTH_GRPC_URL, or, in the auth service itself, from its own handlers.
 */
function callerVerifierOf(host: Host, module: ServiceModule, settings: { authGrpcUrl?: string }) {
  if (module.name === 'auth') {
    const ownHandlers = createInMemoryTransport((router) => module.registerRpc!(router), {
      logger: host.logger,
    });
    return createServiceCallerVerifier({ authTransport: ownHandlers });
  }
  if (!settings.authGrpcUrl) throw new ConfigError(['FISCAL_AUTH_GRPC_URL: required']);
  const authTransport = createGrpcClientTransport({ baseUrl: settings.authGrpcUrl });
  host.shutdown.register('close', 'auth-keys-connection', async () => authTransport.close());
  return createServiceCallerVerifier({ authTransport });
}

/** Distributed mode: one service per process against PostgreSQL and RabbitMQ. */
export async function runServe(service: string | undefined): Promise<number | undefined> {
  if (service === 'gateway') return serveGateway();
  const factory = service === undefined ? undefined : backends[service];
  if (!factory || service === undefined) {
    console.error(
      `fiscal serve: ${service === undefined ? 'name a service' : `"${service}" has no deployable yet`}; available: gateway, ${Object.keys(backends).join(', ')}`,
    );
    return 2;
  }
  const settings = parseConfig(factory.config) as BackendSettings;
  const host = await startHost(service, settings);
  const module = await factory.create(host, settings);
  // The broker outlives this process: what its outbox still holds is handed over before it closes.
  await runModules(host, [module], { flushOnShutdown: true });
  if (module.registerRpc) {
    const server = createGrpcServer({
      register: (router) => module.registerRpc!(router),
      logger: host.logger,
      registry: host.registry,
      interceptors: [
        authenticateRpcCallers({
          verifier: callerVerifierOf(host, module, settings as BackendSettings & { authGrpcUrl?: string }),
          anonymous: module.anonymousRpc,
        }),
      ],
    });
    await server.listen({
      host: settings.grpcHost,
      port: settings.grpcPort,
      setting: backendConfig.grpcPort.env,
    });
    host.shutdown.register('stop-accepting', 'grpc-server', () => server.close());
  }
  host.markStarted();
  return undefined;
}

async function serveGateway(): Promise<undefined> {
  const settings = parseConfig(gatewayConfig);
  const host = await startHost('gateway', settings);
  const transports = {
    invoiceTransport: createGrpcClientTransport({ baseUrl: settings.invoiceGrpcUrl }),
    queryTransport: createGrpcClientTransport({ baseUrl: settings.queryGrpcUrl }),
    authTransport: createGrpcClientTransport({ baseUrl: settings.authGrpcUrl }),
    analyticsTransport: createGrpcClientTransport({ baseUrl: settings.analyticsGrpcUrl }),
    notificationTransport: createGrpcClientTransport({ baseUrl: settings.notificationGrpcUrl }),
  };
  const rateLimiter = createRedisRateLimiter({
    quotas: quotasOf(settings),
    registry: host.registry,
    client: redisClient(host, settings, 'rate-limits'),
    logger: host.logger,
  });
  // Requests a replica took from the shared quotas and did not spend go back before Redis closes.
  host.shutdown.register('flush', 'rate-limit-budgets', () => rateLimiter.close());
  const gateway = createGatewayServer({
    logger: host.logger,
    registry: host.registry,
    ...transports,
    trustProxy: settings.trustProxy,
    accessLog: { sampleRatio: settings.accessLogSampleRatio },
    revocations: redisCache(host, settings, 'revoked-tokens'),
    rateLimiter,
  });
  await listen(gateway, {
    host: settings.httpHost,
    port: settings.httpPort,
    setting: gatewayConfig.httpPort.env,
  });
  host.shutdown.register('stop-accepting', 'gateway', () => gateway.close());
  host.markStarted();
  host.shutdown.register('close', 'upstream-connections', async () => {
    for (const transport of Object.values(transports)) transport.close();
  });
  return undefined;
}
