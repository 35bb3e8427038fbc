import { join, resolve } from 'node:path';
import type { ConnectRouter } from '@connectrpc/connect';
import { authConfig } from '@fiscal/auth';
import { parseEvent } from '@fiscal/contracts';
import { gatewayHttpConfig, gatewayQuotaConfig } from '@fiscal/gateway';
import {
  createFsObjectStore,
  createMemoryObjectStore,
  embeddedShardsConfig,
  eventLogConfig,
  type InvoiceSchema,
  type InvoiceStore,
  openInvoiceStore,
  processingConfig,
  retentionConfig,
  shardMapConfig,
} from '@fiscal/invoice';
import { authenticateRpcCallers, createServiceCallerVerifier } from '@fiscal/kit/auth';
import { type Cache, createMemoryCache } from '@fiscal/kit/cache';
import { boolean, commonConfig, defineConfig, parseConfig, string } from '@fiscal/kit/config';
import { createDatabase, openEmbeddedPostgres } from '@fiscal/kit/db';
import { createInProcessBus, createMemoryQueueStore, createSqlDeadLetterShelf } from '@fiscal/kit/events';
import { createInMemoryTransport } from '@fiscal/kit/grpc';
import { accessLogConfig, listen } from '@fiscal/kit/http';
import { createLogger } from '@fiscal/kit/log';
import { ensurePortFree } from '@fiscal/kit/net';
import { runModules, type ServiceModule } from '@fiscal/kit/runtime';
import { notificationConfig } from '@fiscal/notification';
import { startHost } from '../host.js';
import { inboxRetentionConfig } from '../retention-schedule.js';
import { buildBackEnd, type Engines, topology } from '../topology.js';

export const embeddedConfig = defineConfig({
  ...commonConfig,
  ...embeddedShardsConfig,
  ...shardMapConfig,
  ...processingConfig,
  ...eventLogConfig,
  ...authConfig,
  ...notificationConfig,
  ...gatewayQuotaConfig,
  ...accessLogConfig,
  ...retentionConfig,
  ...inboxRetentionConfig,
  ...gatewayHttpConfig({ host: '127.0.0.1' }),
  dataDir: {
    env: 'FISCAL_DATA_DIR',
    type: string(),
    default: './data',
    doc: 'Where embedded mode keeps its database and archived documents.',
  },
  memory: {
    env: 'FISCAL_MEMORY',
    type: boolean(),
    default: false,
    doc: 'Keep everything in memory, write no files (same as `fiscal start --memory`).',
  },
});

/**
 * Embedded mode: every service of the topology in this process, on one PGlite (a schema per
 * service), the in-process bus (its queues in memory, its dead letters in the same PGlite; each
 * outbox keeps an event until every consumer handled it, so a crash loses nothing), memory caches,
 * and in-memory gRPC transports between the services.
 */
export async function runStart(options: { memory: boolean }): Promise<void> {
  const settings = parseConfig(embeddedConfig);
  const inMemory = options.memory || settings.memory;
  const api = { host: settings.httpHost, port: settings.httpPort, setting: embeddedConfig.httpPort.env };
  // The API's port is bound last, after seconds of starting: a port in use is said at once instead.
  await ensurePortFree(api);
  const host = await startHost('fiscal', settings, {
    adminTokenDir: inMemory ? undefined : settings.dataDir,
  });
  const { logger, registry, shutdown } = host;
  // One process, but each service's log lines carry its own name, as they would in distributed mode.
  const loggerOf = (service: string) => createLogger({ service, level: settings.logLevel });

  const dataDir = resolve(settings.dataDir);
  const embedded = await openEmbeddedPostgres({ dataDir: inMemory ? undefined : join(dataDir, 'postgres') });
  const database = <DB>(schema: string) =>
    createDatabase<DB>({ engine: 'pglite', embedded, schema, registry });

  // Queues in memory, dead letters in the database: an event stays unpublished in its service's
  // outbox until every consumer handled it, so a crash loses nothing and the bus writes no row per
  // delivery. Consumers bind at start, so publishes wait for `open()`.
  const bus = createInProcessBus({
    store: createMemoryQueueStore({ deadLetters: await createSqlDeadLetterShelf(await database('bus')) }),
    logger: logger.child({ component: 'bus' }),
    registry,
    validate: parseEvent,
    // This process is the embedded store's only user: redrives a killed predecessor left are void.
    reclaimLeasesOnStart: true,
    publishWaitsForHandling: true,
  });

  host.provideDeadLetters(bus.deadLetters);

  const openSharedInvoiceStore = async () => {
    // Shard 0 keeps the service's schema name; each further shard is a schema of its own.
    const shardDatabases = [];
    for (let shard = 0; shard < settings.invoiceShards; shard++) {
      shardDatabases.push(await database<InvoiceSchema>(shard === 0 ? 'invoice' : `invoice_${shard}`));
    }
    return openInvoiceStore({
      databases: shardDatabases,
      shardMap: settings.invoiceShardMap,
      publisher: bus,
      logger: loggerOf('invoice'),
      registry,
      exclusiveDatabase: true,
      eventRetentionMs: settings.invoiceEventRetention,
    });
  };
  // The command API and the worker share one invoice store and one object store, and the auth
  // service and the gateway one cache of revoked tokens: each is opened once, by its first user.
  let invoiceStore: Promise<InvoiceStore> | undefined;
  const objects = inMemory
    ? createMemoryObjectStore()
    : createFsObjectStore({ root: join(dataDir, 'objects') });
  const caches = new Map<string, Cache>();

  const modules: ServiceModule[] = [];
  const rpcOf = (name: string) => {
    const module = modules.find((candidate) => candidate.name === name);
    if (!module?.registerRpc) throw new Error(`service ${name} has no gRPC API`);
    return { module, register: (router: ConnectRouter) => module.registerRpc!(router) };
  };
  // Every service verifies the token each call carries, in one process as across a network; the
  // keys come from the auth service, as they would over gRPC.
  let callerVerifier: ReturnType<typeof createServiceCallerVerifier> | undefined;
  const transportTo = (name: string) => {
    callerVerifier ??= createServiceCallerVerifier({
      authTransport: createInMemoryTransport(rpcOf('auth').register, { logger: loggerOf('auth') }),
    });
    const { module, register } = rpcOf(name);
    return createInMemoryTransport(register, {
      logger: loggerOf(name),
      serverInterceptors: [
        authenticateRpcCallers({ verifier: callerVerifier, anonymous: module.anonymousRpc }),
      ],
    });
  };

  const engines: Engines = {
    host,
    registry,
    logger: loggerOf,
    database,
    bus: async () => bus,
    cache: (name, bounds) => {
      let cache = caches.get(name);
      if (!cache) {
        cache = createMemoryCache({ name, registry, ...bounds });
        caches.set(name, cache);
      }
      return cache;
    },
    objectStore: () => objects,
    invoiceStore: () => {
      invoiceStore ??= openSharedInvoiceStore();
      return invoiceStore;
    },
    transportTo,
    // No sharedCounters: one process, whose counters (login attempts, quotas) are its own.
    exclusiveDatabase: true,
    platformPorts: [settings.httpPort, settings.adminPort],
    dataDir: inMemory ? undefined : dataDir,
    // No other replica to wait for.
    oneReplicaAtATime: (_database, _lock, work) => work(),
  };

  for (const service of Object.values(topology.backEnds))
    modules.push(await buildBackEnd(service, engines, settings));
  const gateway = topology.gateway.create(engines, settings);

  // No outbox flush on shutdown: what is unpublished when the consumers stop stays in the outboxes,
  // and is published at the next start.
  await runModules(host, modules, { flushOnShutdown: false });
  bus.open();
  const httpPort = await listen(gateway, api);

  shutdown.register('stop-accepting', 'gateway', () => gateway.close());
  shutdown.register('close', 'bus', () => bus.close());
  shutdown.register('close', 'embedded-postgres', () => embedded.close());

  host.markStarted();
  // `/api/v1` itself answers 404: the reference is the address that answers, and lists every route.
  const baseUrl = `http://${settings.httpHost}:${httpPort}`;
  logger.info(
    { port: httpPort, dataDir: inMemory ? 'memory' : dataDir, api: `${baseUrl}/api/v1` },
    `Fiscal is running: the API's reference is at ${baseUrl}/docs (its routes under ${baseUrl}/api/v1/)`,
  );
}
