import { authConfig } from '@fiscal/auth';
import { parseEvent } from '@fiscal/contracts';
import {
  gatewayHttpConfig,
  gatewayProxyConfig,
  gatewayQuotaConfig,
  gatewayUpstreamConfig,
} from '@fiscal/gateway';
import {
  createFsObjectStore,
  distributedShardsConfig,
  eventLogConfig,
  type InvoiceSchema,
  type InvoiceStore,
  invoiceShardUrls,
  objectStoreConfig,
  openInvoiceStore,
  processingConfig,
  retentionConfig,
  shardMapConfig,
} from '@fiscal/invoice';
import { authenticateRpcCallers, callerKeysConfig, createServiceCallerVerifier } from '@fiscal/kit/auth';
import { type Cache, createRedisCache, redisConfig } from '@fiscal/kit/cache';
import {
  ConfigError,
  type ConfigOf,
  commonConfig,
  defineConfig,
  type Field,
  parseConfig,
} from '@fiscal/kit/config';
import { createDatabase, databaseConfig } from '@fiscal/kit/db';
import { createRabbitMqBus, type EventBus, type RabbitMqBus, rabbitMqConfig } from '@fiscal/kit/events';
import {
  createGrpcClientTransport,
  createGrpcServer,
  createInMemoryTransport,
  type GrpcClientTransport,
  grpcServerConfig,
} from '@fiscal/kit/grpc';
import { accessLogConfig, listen } from '@fiscal/kit/http';
import { runModules, type ServiceModule } from '@fiscal/kit/runtime';
import { notificationConfig } from '@fiscal/notification';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import { type Host, startHost } from '../host.js';
import { inboxRetentionConfig } from '../retention-schedule.js';
import { type BackEnd, buildBackEnd, type Engines, topology } from '../topology.js';

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

type Spec = Record<string, Field<unknown>>;

/** A back end of the topology with the settings its own process reads. */
interface Deployable {
  config: Spec;
  // biome-ignore lint/suspicious/noExplicitAny: the settings parsed from `config`
  service: BackEnd<any>;
}

/** Pairs a back end with its process's settings, which must include what the back end reads. */
const deployable = <S extends Spec>(config: S, service: BackEnd<ConfigOf<S>>): Deployable => ({
  config,
  service,
});

const { backEnds } = topology;
const deployables: Record<keyof typeof backEnds, Deployable> = {
  invoice: deployable(invoiceConfig, backEnds.invoice),
  'invoice-worker': deployable(invoiceWorkerConfig, backEnds['invoice-worker']),
  query: deployable(queryConfig, backEnds.query),
  auth: deployable(authServiceConfig, backEnds.auth),
  analytics: deployable(analyticsConfig, backEnds.analytics),
  notification: deployable(notificationServiceConfig, backEnds.notification),
};

/** The settings each `fiscal serve <service>` reads, for the deployment manifests' tests and docs. */
export const serviceConfigs: Record<string, Record<string, Field<unknown>>> = {
  gateway: gatewayConfig,
  ...Object.fromEntries(Object.entries(deployables).map(([name, { config }]) => [name, config])),
};

/**
 * What a process's settings may hold: the engines read the parts of them the service they run
 * needs, and each service's spec (above) declares those parts.
 */
type ProcessSettings = ConfigOf<typeof commonConfig> &
  Partial<
    ConfigOf<typeof invoiceStoreConfig> & ConfigOf<typeof gatewayConfig> & ConfigOf<typeof redisConfig>
  >;

/** A setting the running service's spec declares; its absence is a configuration error. */
function required<T>(value: T | undefined, field: { env: string }): T {
  if (value === undefined) throw new ConfigError([`${field.env}: required`]);
  return value;
}

/**
 * Distributed engines for the one service a process runs: PostgreSQL, RabbitMQ, Redis, and gRPC
 * to the other services at the addresses configured. Each engine is opened once, by its first user,
 * and closed when the process shuts down.
 */
function distributedEngines(host: Host, settings: ProcessSettings): Engines {
  let bus: RabbitMqBus | undefined;
  let invoiceStore: Promise<InvoiceStore> | undefined;
  let objects: ReturnType<typeof createFsObjectStore> | undefined;
  const caches = new Map<string, Cache>();
  const upstreams: GrpcClientTransport[] = [];
  const upstreamUrls: Record<string, [string | undefined, { env: string }]> = {
    invoice: [settings.invoiceGrpcUrl, gatewayUpstreamConfig.invoiceGrpcUrl],
    query: [settings.queryGrpcUrl, gatewayUpstreamConfig.queryGrpcUrl],
    auth: [settings.authGrpcUrl, gatewayUpstreamConfig.authGrpcUrl],
    analytics: [settings.analyticsGrpcUrl, gatewayUpstreamConfig.analyticsGrpcUrl],
    notification: [settings.notificationGrpcUrl, gatewayUpstreamConfig.notificationGrpcUrl],
  };
  const redisSettings = () => ({
    redisUrl: required(settings.redisUrl, redisConfig.redisUrl),
    redisKeyPrefix: required(settings.redisKeyPrefix, redisConfig.redisKeyPrefix),
  });
  const engines: Engines = {
    host,
    registry: host.registry,
    // The process runs one service: its own logger carries the name.
    logger: () => host.logger,
    database: <DB>(service: string) => openDatabase<DB>(host, settings, service),
    bus: async () => {
      bus ??= connectBus(host, {
        rabbitmqUrl: required(settings.rabbitmqUrl, rabbitMqConfig.rabbitmqUrl),
        rabbitmqNamePrefix: required(settings.rabbitmqNamePrefix, rabbitMqConfig.rabbitmqNamePrefix),
      });
      return bus;
    },
    // Redis keeps its own bounds.
    cache: (name) => {
      let cache = caches.get(name);
      if (!cache) {
        cache = redisCache(host, redisSettings(), name);
        caches.set(name, cache);
      }
      return cache;
    },
    objectStore: () => {
      objects ??= createFsObjectStore({
        root: required(settings.objectStoreDir, objectStoreConfig.objectStoreDir),
      });
      return objects;
    },
    invoiceStore: () => {
      // Only the invoice deployables open the store, and their specs extend invoiceStoreConfig.
      invoiceStore ??= engines
        .bus()
        .then((publisher) =>
          openShardedStore(host, settings as ConfigOf<typeof invoiceStoreConfig>, publisher),
        );
      return invoiceStore;
    },
    transportTo: (service) => {
      const upstream = upstreamUrls[service];
      if (!upstream) throw new Error(`${service} serves no gRPC API`);
      const transport = createGrpcClientTransport({ baseUrl: required(...upstream) });
      if (upstreams.length === 0)
        host.shutdown.register('close', 'upstream-connections', async () => {
          for (const upstream of upstreams) upstream.close();
        });
      upstreams.push(transport);
      return transport;
    },
    sharedCounters: (name) => redisClient(host, redisSettings(), name),
    exclusiveDatabase: false,
    platformPorts:
      settings.grpcPort === undefined ? [settings.adminPort] : [settings.adminPort, settings.grpcPort],
    oneReplicaAtATime: async (database, lock, work) => {
      // Other replicas find the lock taken and leave the work to the one holding it.
      await database.transaction(async (trx) => {
        const { rows } = await sql<{ locked: boolean }>`
          select pg_try_advisory_xact_lock(hashtext(${lock})) as locked`.execute(trx);
        if (rows[0]?.locked) await work();
      });
    },
  };
  return engines;
}

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
  publisher: EventBus,
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
    publisher,
    logger: host.logger,
    registry: host.registry,
  });
}

async function openDatabase<DB>(
  host: Host,
  settings: { databaseUrl?: string | undefined; databaseSchema?: string | undefined },
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

function connectBus(host: Host, settings: { rabbitmqUrl: string; rabbitmqNamePrefix: string }) {
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

/** Distributed mode: one service of the topology per process, against PostgreSQL, RabbitMQ and Redis. */
export async function runServe(service: string | undefined): Promise<number | undefined> {
  if (service === 'gateway') return serveGateway();
  const deployable = service === undefined ? undefined : deployables[service as keyof typeof deployables];
  if (!deployable || service === undefined) {
    console.error(
      `fiscal serve: ${service === undefined ? 'name a service' : `"${service}" has no deployable yet`}; available: gateway, ${Object.keys(deployables).join(', ')}`,
    );
    return 2;
  }
  const settings = parseConfig(deployable.config) as BackendSettings;
  const host = await startHost(service, settings);
  const module = await buildBackEnd(deployable.service, distributedEngines(host, settings), settings);
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
  const gateway = topology.gateway.create(distributedEngines(host, settings), settings);
  await listen(gateway, {
    host: settings.httpHost,
    port: settings.httpPort,
    setting: gatewayConfig.httpPort.env,
  });
  host.shutdown.register('stop-accepting', 'gateway', () => gateway.close());
  host.markStarted();
  return undefined;
}
