import { boolean, ConfigError, defineConfig, duration, integer, list, string, url } from '@fiscal/kit/config';

/** How the invoice store is laid out over shards; read by every process that opens it. */
export const shardMapConfig = defineConfig({
  invoiceShardMap: {
    env: 'FISCAL_INVOICE_SHARD_MAP',
    type: string(),
    default: '',
    doc: 'Slot ranges per invoice shard, e.g. `0-2047:0,2048-4095:1`; empty: the 4,096 slots split evenly.',
  },
});

/** The outbox kept as the service's event log, which read models replay to rebuild themselves. */
export const eventLogConfig = defineConfig({
  invoiceEventRetention: {
    env: 'FISCAL_INVOICE_EVENT_RETENTION',
    type: duration(),
    default: 0,
    doc: 'How long published invoice events are kept as the event log `fiscal replay` reads, e.g. 8760h; 0 keeps them forever.',
  },
});

/** Embedded mode: the shards are schemas of the embedded database. */
export const embeddedShardsConfig = defineConfig({
  invoiceShards: {
    env: 'FISCAL_INVOICE_SHARDS',
    type: integer({ min: 1, max: 64 }),
    default: 2,
    doc: 'Number of invoice shards in embedded mode.',
  },
});

/** Distributed mode: the shards are PostgreSQL databases. */
export const distributedShardsConfig = defineConfig({
  invoiceShardUrls: {
    env: 'FISCAL_INVOICE_SHARD_URLS',
    type: list(url({ protocols: ['postgres', 'postgresql'] })),
    default: [] as string[],
    doc: 'PostgreSQL URL of each invoice shard, in shard order; empty: FISCAL_DATABASE_URL is the only shard.',
  },
});

/** Invoice shard URLs: FISCAL_INVOICE_SHARD_URLS, or FISCAL_DATABASE_URL as the one shard. */
export function invoiceShardUrls(settings: {
  invoiceShardUrls: string[];
  databaseUrl?: string | undefined;
}): string[] {
  if (settings.invoiceShardUrls.length > 0) return settings.invoiceShardUrls;
  if (settings.databaseUrl) return [settings.databaseUrl];
  throw new ConfigError([
    'FISCAL_INVOICE_SHARD_URLS: required (or FISCAL_DATABASE_URL for a single invoice shard)',
  ]);
}

/** Distributed mode: where archived documents live. */
export const objectStoreConfig = defineConfig({
  objectStoreDir: {
    env: 'FISCAL_OBJECT_STORE_DIR',
    type: string({ minLength: 1 }),
    doc: 'Directory (a shared filesystem in distributed mode) where archived documents are stored.',
  },
});

/** The processor (`invoice-worker`): downloads, validation and claims. */
export const processingConfig = defineConfig({
  fetchAllowHosts: {
    env: 'FISCAL_FETCH_ALLOW_HOSTS',
    type: list(string({ minLength: 1 })),
    default: [] as string[],
    doc: "Hosts (name, IP, or host:port) the document fetcher may reach even on private or loopback addresses; without a port only the scheme's default port (80 for http, 443 for https) is open, `host:port` opens exactly that port. The platform's own ports on this machine (loopback, its own addresses) stay closed whatever is listed: 8080, 9090, 50051 and the process's configured HTTP, admin and gRPC ports.",
  },
  fetchMaxBytes: {
    env: 'FISCAL_FETCH_MAX_BYTES',
    type: integer({ min: 1024, max: 16 * 1024 * 1024 }),
    default: 5 * 1024 * 1024,
    doc: 'Largest document the fetcher downloads, in bytes (at most 16 MiB, what an archived copy may decompress to).',
  },
  fetchTimeout: {
    env: 'FISCAL_FETCH_TIMEOUT',
    type: duration(),
    default: 30_000,
    doc: 'Deadline of one download attempt (headers and body).',
  },
  fetchConcurrency: {
    env: 'FISCAL_FETCH_CONCURRENCY',
    type: integer({ min: 1, max: 1_000 }),
    default: 25,
    doc: 'Downloads running at once per worker (bulkhead); more wait in a bounded queue.',
  },
  processingLease: {
    env: 'FISCAL_PROCESSING_LEASE',
    type: duration(),
    default: 120_000,
    doc: "How long a worker's claim on an invoice holds; a crashed worker's invoices are resumed after it.",
  },
  processingMaxAttempts: {
    env: 'FISCAL_PROCESSING_MAX_ATTEMPTS',
    type: integer({ min: 1, max: 100 }),
    default: 5,
    doc: 'Attempts (deliveries or claims) before a transient failure leaves an invoice `failed`.',
  },
  processingRetryDelay: {
    env: 'FISCAL_PROCESSING_RETRY_DELAY',
    type: duration(),
    default: 2_000,
    doc: 'First back-off before a transiently failed invoice is tried again (doubles each time, max 5m).',
  },
  workerPrefetch: {
    env: 'FISCAL_WORKER_PREFETCH',
    type: integer({ min: 1, max: 1_000 }),
    default: 32,
    doc: 'Invoices one worker processes at once.',
  },
  certificateDir: {
    env: 'FISCAL_CERTIFICATE_DIR',
    type: string(),
    default: '',
    doc: 'Directory of PAC/SAT certificates (.cer, .pem) that verify stamps; empty: the ones the service ships with.',
  },
  allowUnstamped: {
    env: 'FISCAL_ALLOW_UNSTAMPED',
    type: boolean(),
    default: false,
    doc: 'Accept sealed documents without a TimbreFiscalDigital (pre-stamp); by default a stamp is required.',
  },
});

export interface ProcessingSettings {
  fetchAllowHosts: string[];
  fetchMaxBytes: number;
  fetchTimeout: number;
  fetchConcurrency: number;
  processingLease: number;
  processingMaxAttempts: number;
  processingRetryDelay: number;
  workerPrefetch: number;
  certificateDir: string;
  allowUnstamped: boolean;
}

/** How long the invoice store keeps what it holds, and how often it applies that in-process. */
export const retentionConfig = defineConfig({
  retentionYears: {
    env: 'FISCAL_RETENTION_YEARS',
    type: integer({ min: 1, max: 100 }),
    default: 5,
    doc: 'Years invoices and their archived originals are kept after their issuance month (Mexican law: 5 for CFDI); past it they are removed a whole month at a time.',
  },
  retentionInterval: {
    env: 'FISCAL_RETENTION_INTERVAL',
    type: duration(),
    default: 86_400_000,
    doc: 'How often a running invoice service applies retention (and each consumer prunes its inbox), e.g. 24h; 0: never in-process (run `fiscal retention run` on a schedule instead).',
  },
});
