import { InvoiceEventTypes } from '@fiscal/contracts';
import type { EventBus, RetryPolicy, Subscriber } from '@fiscal/kit/events';
import type { ServiceModule } from '@fiscal/kit/runtime';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { loadCfdiReferences } from './adapters/cfdi-references.js';
import { createHttpDocumentFetcher } from './adapters/http-document-fetcher.js';
import { createProcessingInstruments } from './adapters/prometheus-processing-instruments.js';
import { createResilientDocumentFetcher } from './adapters/resilient-document-fetcher.js';
import { defaultCodec } from './adapters/zlib-codecs.js';
import { processInvoiceHandler } from './app/process-invoice.js';
import { resumeLapsedClaimsHandler } from './app/resume-lapsed-claims.js';
import type { DocumentFetcher, ObjectStore } from './domain/document/index.js';
import type { ProcessingSettings } from './settings.js';
import type { InvoiceStore } from './store.js';

export const processorGroup = 'invoice-processor';

/** How the bus redelivers an invoice whose processing failed transiently. */
export function processorRetryPolicy(
  settings: Pick<ProcessingSettings, 'processingMaxAttempts' | 'processingRetryDelay'>,
): RetryPolicy {
  return {
    maxAttempts: settings.processingMaxAttempts,
    initialDelayMs: settings.processingRetryDelay,
    maxDelayMs: 5 * 60_000,
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
 * `.requeued` in the `invoice-processor` group, and resumes invoices whose processor crashed.
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
  const process = processInvoiceHandler({
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
  });
  const resumeLapsedClaims = resumeLapsedClaimsHandler({ invoices: store.invoices, process, clock });
  const retry = processorRetryPolicy(settings);

  let subscriber: Subscriber | undefined;
  let sweeper: NodeJS.Timeout | undefined;
  let sweeping: Promise<void> = Promise.resolve();
  const sweepIntervalMs =
    dependencies.sweepIntervalMs ?? Math.max(1_000, Math.min(30_000, settings.processingLease / 4));

  function sweep() {
    sweeping = sweeping
      .then(async () => {
        const resumed = await resumeLapsedClaims();
        if (resumed > 0) {
          logger.info({ resumed }, 'resumed invoices whose claim lapsed');
          store.notify();
        }
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
        retry,
        handler: async (event, delivery) => {
          const key = { orgId: event.tenant, id: event.subject };
          const result = await process(key, { finalAttempt: delivery.attempt >= retry.maxAttempts });
          store.notify();
          // The claim is released; the bus redelivers after its back-off.
          if (result === 'retry') throw new Error(`invoice ${key.id}: transient failure, will retry`);
        },
      });
      sweeper = setInterval(sweep, sweepIntervalMs);
      sweeper.unref();
    },
    async stop() {
      clearInterval(sweeper);
      await subscriber?.stop();
      await sweeping;
      await httpFetcher?.close();
    },
    flush: () => store.flush(),
    readinessChecks: store.readinessChecks,
  };
}
