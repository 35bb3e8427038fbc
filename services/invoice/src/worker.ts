import { loadCfdiReferences } from '@fiscal/cfdi';
import { InvoiceEventTypes } from '@fiscal/contracts';
import { backoffDelay, type EventBus, type RetryPolicy, type Subscriber } from '@fiscal/kit/events';
import type { ServiceModule } from '@fiscal/kit/runtime';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { createHttpDocumentFetcher } from './adapters/http-document-fetcher.js';
import { createProcessingInstruments } from './adapters/prometheus-processing-instruments.js';
import { createResilientDocumentFetcher } from './adapters/resilient-document-fetcher.js';
import { defaultCodec } from './adapters/zlib-codecs.js';
import { processInvoicesHandler } from './app/process-invoice.js';
import { resumeLapsedClaimsHandler } from './app/resume-lapsed-claims.js';
import type { DocumentFetcher, ObjectStore } from './domain/document/index.js';
import type { ProcessingSettings } from './settings.js';
import type { InvoiceStore } from './store.js';

export const processorGroup = 'invoice-processor';

/**
 * How the bus redelivers an event whose handling failed unexpectedly (the database, a bug), and how
 * long an invoice whose document failed transiently (a download, the object store) waits before it
 * is claimed again: the same delays and attempts, counted by the bus for the one and by the
 * invoice's claims for the other.
 */
export function processorRetryPolicy(
  settings: Pick<ProcessingSettings, 'processingMaxAttempts' | 'processingRetryDelay'>,
): RetryPolicy {
  return {
    maxAttempts: settings.processingMaxAttempts,
    initialDelayMs: settings.processingRetryDelay,
    maxDelayMs: 5 * 60_000,
  };
}

/**
 * Invoices per batch: half the prefetch, so two batches are in flight: one claims, validates and
 * stores while the other commits, and a slow download holds up the acknowledgements of its own
 * batch only, not every delivery the worker has.
 */
export function batchSizeOf(settings: Pick<ProcessingSettings, 'workerPrefetch'>): number {
  return Math.max(1, Math.ceil(settings.workerPrefetch / 2));
}

/**
 * When this worker next sweeps for lapsed claims because a retry comes due: the invoices themselves
 * keep their retry time (their claim), so these timers only bring the periodic sweep forward.
 */
function createRetrySchedule(sweep: () => void) {
  const due: number[] = [];
  let timer: NodeJS.Timeout | undefined;
  let armedFor = Number.POSITIVE_INFINITY;

  function arm() {
    const next = due[0];
    if (next === undefined || next >= armedFor) return;
    clearTimeout(timer);
    armedFor = next;
    // A little after the claim expires: the sweep looks for claims that expired before its clock.
    timer = setTimeout(fire, Math.max(0, next - Date.now()) + 10);
    timer.unref();
  }

  function fire() {
    armedFor = Number.POSITIVE_INFINITY;
    const now = Date.now();
    while (due.length > 0 && due[0]! <= now) due.shift();
    sweep();
    arm();
  }

  return {
    add(at: Date) {
      const time = at.getTime();
      let index = due.length;
      while (index > 0 && due[index - 1]! > time) index -= 1;
      due.splice(index, 0, time);
      arm();
    },
    clear() {
      clearTimeout(timer);
      due.length = 0;
      armedFor = Number.POSITIVE_INFINITY;
    },
  };
}

export interface InvoiceWorkerDependencies {
  store: InvoiceStore;
  bus: EventBus;
  objects: ObjectStore;
  logger: Logger;
  registry: Registry;
  settings: ProcessingSettings;
  /** Replaces the HTTP fetcher (its resilience wrapper stays). */
  fetcher?: DocumentFetcher;
  /** This process's own ports (HTTP, admin, gRPC): the fetcher never reaches them on this machine. */
  platformPorts?: readonly number[];
  /** How often lapsed claims are looked for; a fraction of the lease by default. */
  sweepIntervalMs?: number;
}

/**
 * Composition root of `invoice-worker`, the processor: consumes `fiscal.invoice.created` and
 * `.requeued` in the `invoice-processor` group in batches, and resumes invoices whose processor
 * crashed or whose back-off after a transient failure is over.
 */
export async function createInvoiceWorker(dependencies: InvoiceWorkerDependencies): Promise<ServiceModule> {
  const { store, bus, settings, registry } = dependencies;
  const logger = dependencies.logger.child({ component: 'invoice-processor' });
  const httpFetcher = dependencies.fetcher
    ? undefined
    : createHttpDocumentFetcher({
        allowHosts: settings.fetchAllowHosts,
        platformPorts: dependencies.platformPorts ?? [],
        maxBytes: settings.fetchMaxBytes,
        bodyTimeoutMs: settings.fetchTimeout,
        headersTimeoutMs: settings.fetchTimeout,
      });
  const fetcher = createResilientDocumentFetcher({
    fetcher: dependencies.fetcher ?? httpFetcher!,
    registry,
    logger,
    concurrency: settings.fetchConcurrency,
    timeoutMs: settings.fetchTimeout,
  });
  const references = await loadCfdiReferences({ certificateDir: settings.certificateDir });
  logger.info(
    {
      certificates: references.certificates.certificateNumbers.length,
      skipped: references.certificates.skipped,
    },
    'loaded SAT catalogs and PAC certificates',
  );
  const clock = () => new Date();
  const retry = processorRetryPolicy(settings);
  const processBatch = processInvoicesHandler({
    invoices: store.invoices,
    fetcher,
    objects: dependencies.objects,
    codec: defaultCodec,
    instruments: createProcessingInstruments(registry),
    logger,
    clock,
    leaseMs: settings.processingLease,
    maxAttempts: settings.processingMaxAttempts,
    allowUnstamped: settings.allowUnstamped,
    references,
    // A transient failure keeps its claim for the back-off the bus would have waited; the invoice row,
    // not a message, then carries the retry, and the lapsed-claims sweep takes it up.
    retryDelay: (attempt) => backoffDelay(attempt, retry.initialDelayMs, retry.maxDelayMs),
  });
  const resumeLapsedClaims = resumeLapsedClaimsHandler({
    invoices: store.invoices,
    process: processBatch,
    clock,
    batchSize: batchSizeOf(settings),
  });

  let subscriber: Subscriber | undefined;
  let sweeper: NodeJS.Timeout | undefined;
  let sweeping: Promise<void> = Promise.resolve();
  let stopped = false;
  const sweepIntervalMs =
    dependencies.sweepIntervalMs ?? Math.max(1_000, Math.min(30_000, settings.processingLease / 4));
  const retries = createRetrySchedule(() => sweep());

  function sweep() {
    sweeping = sweeping
      .then(async () => {
        if (stopped) return;
        const resumed = await resumeLapsedClaims();
        if (resumed > 0) logger.info({ resumed }, 'resumed invoices whose claim lapsed');
      })
      .catch((error: unknown) => logger.error({ err: error }, 'resuming lapsed claims failed'));
  }

  return {
    name: 'invoice-worker',
    async start() {
      store.start();
      subscriber = await bus.subscribe({
        group: processorGroup,
        types: [InvoiceEventTypes.created, InvoiceEventTypes.requeued],
        prefetch: settings.workerPrefetch,
        batchSize: batchSizeOf(settings),
        retry,
        handleBatch: async (batch) => {
          const reports = await processBatch(
            batch.map(({ event, delivery }) => ({
              key: { orgId: event.tenant, id: event.subject },
              finalAttempt: delivery.attempt >= retry.maxAttempts,
              firstDelivery: !delivery.redelivered,
            })),
          );
          for (const report of reports) if (report.result === 'retry') retries.add(report.retryAt);
          // Only what nothing anticipated goes back to the bus: it hands each event of the batch to
          // this handler again on its own, the decided ones are skipped and the failing one is
          // retried with back-off, then dead-lettered if it keeps failing.
          const errors = reports.flatMap((report) => (report.result === 'error' ? [report.error] : []));
          if (errors.length === 1) throw errors[0];
          if (errors.length > 1)
            throw new AggregateError(errors, `${errors.length} invoices of the batch failed`);
        },
      });
      sweeper = setInterval(sweep, sweepIntervalMs);
      sweeper.unref();
    },
    async stop() {
      stopped = true;
      clearInterval(sweeper);
      await subscriber?.stop();
      // After the batches in flight, which may have scheduled retries: another worker's sweep, or
      // this one's after a restart, takes those up once their claims lapse.
      retries.clear();
      await sweeping;
      await httpFetcher?.close();
    },
    flush: () => store.flush(),
    readinessChecks: store.readinessChecks,
  };
}
