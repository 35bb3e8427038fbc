import { join, resolve } from 'node:path';
import type { ConnectRouter } from '@connectrpc/connect';
import { createAnalyticsService } from '@fiscal/analytics';
import { authConfig, createAuthService } from '@fiscal/auth';
import { parseEvent } from '@fiscal/contracts';
import {
  createGatewayServer,
  createMemoryRateLimiter,
  gatewayHttpConfig,
  gatewayQuotaConfig,
  quotasOf,
} from '@fiscal/gateway';
import type { InvoiceSchema } from '@fiscal/invoice';
import {
  applyRetention,
  createFsObjectStore,
  createInvoiceService,
  createInvoiceWorker,
  createMemoryObjectStore,
  createShardRetention,
  embeddedShardsConfig,
  eventLogConfig,
  openInvoiceStore,
  processingConfig,
  retentionConfig,
  shardMapConfig,
} from '@fiscal/invoice';
import { authenticateRpcCallers, createServiceCallerVerifier } from '@fiscal/kit/auth';
import { createMemoryCache } from '@fiscal/kit/cache';
import { boolean, commonConfig, defineConfig, parseConfig, string } from '@fiscal/kit/config';
import { createDatabase, openEmbeddedPostgres } from '@fiscal/kit/db';
import { createInProcessBus, createMemoryQueueStore, createSqlDeadLetterShelf } from '@fiscal/kit/events';
import { createInMemoryTransport } from '@fiscal/kit/grpc';
import { accessLogConfig, listen } from '@fiscal/kit/http';
import { createLogger } from '@fiscal/kit/log';
import { ensurePortFree } from '@fiscal/kit/net';
import { runModules, type ServiceModule } from '@fiscal/kit/runtime';
import { createNotificationService, notificationConfig } from '@fiscal/notification';
import { createQueryService, summaryCacheMaxBytes, summaryCacheName } from '@fiscal/query';
import { startHost } from '../host.js';
import { inboxRetentionConfig, scheduleRetention, withInboxRetention } from '../retention-schedule.js';

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
 * Embedded mode: every service in this process, on one PGlite (a schema per service), the
 * in-process bus (its queues in memory, its dead letters in the same PGlite; each outbox keeps an
 * event until every consumer handled it, so a crash loses nothing), and in-memory gRPC transports
 * between the gateway and the services.
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

  // Shard 0 keeps the service's schema name; each further shard is a schema of its own.
  const shardDatabases = [];
  for (let shard = 0; shard < settings.invoiceShards; shard++) {
    shardDatabases.push(await database<InvoiceSchema>(shard === 0 ? 'invoice' : `invoice_${shard}`));
  }
  const invoiceStore = await openInvoiceStore({
    databases: shardDatabases,
    shardMap: settings.invoiceShardMap,
    publisher: bus,
    logger: loggerOf('invoice'),
    registry,
    exclusiveDatabase: true,
    eventRetentionMs: settings.invoiceEventRetention,
  });
  const objects = inMemory
    ? createMemoryObjectStore()
    : createFsObjectStore({ root: join(dataDir, 'objects') });

  const modules: ServiceModule[] = [
    await createInvoiceService({ store: invoiceStore, objects }),
    await createInvoiceWorker({
      store: invoiceStore,
      bus,
      objects,
      logger: loggerOf('invoice-worker'),
      registry,
      settings,
      platformPorts: [settings.httpPort, settings.adminPort],
    }),
    await createQueryService({
      database: withInboxRetention(host, settings, await database('query')),
      bus,
      cache: createMemoryCache({
        name: summaryCacheName,
        registry,
        maxEntries: 50_000,
        maxBytes: summaryCacheMaxBytes,
      }),
      registry,
    }),
    await createAnalyticsService({
      database: withInboxRetention(host, settings, await database('analytics')),
      bus,
      registry,
    }),
    await createNotificationService({
      database: withInboxRetention(host, settings, await database('notification')),
      bus,
      registry,
      logger: loggerOf('notification'),
      settings,
      exclusiveDatabase: true,
      platformPorts: [settings.httpPort, settings.adminPort],
    }),
  ];
  // Logged-out access tokens: the auth service writes them, the gateway reads them.
  const revocations = createMemoryCache({ name: 'revoked-tokens', registry, maxEntries: 1_000_000 });
  modules.push(
    await createAuthService({
      database: await database('auth'),
      revocations,
      publisher: bus,
      settings,
      logger: loggerOf('auth'),
      registry,
      dataDir: inMemory ? undefined : dataDir,
      exclusiveDatabase: true,
    }),
  );
  const rpcOf = (name: string) => {
    const module = modules.find((candidate) => candidate.name === name);
    if (!module?.registerRpc) throw new Error(`service ${name} has no gRPC API`);
    return { module, register: (router: ConnectRouter) => module.registerRpc!(router) };
  };
  // Every service verifies the token each call carries, in one process as across a network; the
  // keys come from the auth service, as they would over gRPC.
  const callerVerifier = createServiceCallerVerifier({
    authTransport: createInMemoryTransport(rpcOf('auth').register, { logger: loggerOf('auth') }),
  });
  const transportFor = (name: string) => {
    const { module, register } = rpcOf(name);
    return createInMemoryTransport(register, {
      logger: loggerOf(name),
      serverInterceptors: [
        authenticateRpcCallers({ verifier: callerVerifier, anonymous: module.anonymousRpc }),
      ],
    });
  };

  const gateway = createGatewayServer({
    logger: loggerOf('gateway'),
    registry,
    invoiceTransport: transportFor('invoice'),
    queryTransport: transportFor('query'),
    authTransport: transportFor('auth'),
    analyticsTransport: transportFor('analytics'),
    notificationTransport: transportFor('notification'),
    revocations,
    rateLimiter: createMemoryRateLimiter({ quotas: quotasOf(settings), registry }),
    accessLog: { sampleRatio: settings.accessLogSampleRatio },
  });

  // No outbox flush on shutdown: what is unpublished when the consumers stop stays in the outboxes,
  // and is published at the next start.
  await runModules(host, modules, { flushOnShutdown: false });
  bus.open();
  // The same retention as distributed mode, on the same schedule: months of invoices past the
  // keeping period with their archived originals, event-log months, consumers' inboxes.
  scheduleRetention(host, 'invoice', settings.retentionInterval, async () => {
    const report = await applyRetention({
      shards: invoiceStore.shards.all.map(createShardRetention),
      objects,
      policy: { documentYears: settings.retentionYears, eventRetentionMs: settings.invoiceEventRetention },
      now: new Date(),
      dryRun: false,
      logger,
    });
    if (report.invoiceMonths.length + report.outboxMonths.length > 0)
      logger.info({ report }, 'retention applied');
  });
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
