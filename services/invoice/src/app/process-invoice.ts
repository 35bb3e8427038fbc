import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { type CertificateStore, type CfdiCatalogs, validateCfdi } from '../domain/cfdi/index.js';
import {
  type DocumentCodec,
  DocumentDownloadError,
  type DocumentFetcher,
  describeDownloadFailure,
  ObjectConflict,
  type ObjectStore,
} from '../domain/document/index.js';
import {
  archive,
  type Change,
  claimRefusal,
  type DocumentProblem,
  type FailureReason,
  fail,
  type Invoice,
  type InvoiceKey,
  type InvoiceRepository,
  markValidated,
  type RejectionReason,
  reject,
  releaseClaim,
  startProcessing,
} from '../domain/invoice/index.js';

export type ProcessingStep = 'claim' | 'download' | 'checksum' | 'validate' | 'compress' | 'store';

/**
 * - `archived`, `rejected`, `failed`: this run decided the invoice's fate.
 * - `retry`: a transient failure; the claim was released for a later attempt.
 * - `skipped`: nothing to do: already decided, or another processor holds a live claim.
 */
export type ProcessingResult = 'archived' | 'rejected' | 'failed' | 'retry' | 'skipped';

/** Port: spans and metrics around each step and outcome (the adapter picks the telemetry). */
export interface ProcessingInstruments {
  step<T>(step: ProcessingStep, work: () => Promise<T>): Promise<T>;
  outcome(result: ProcessingResult): void;
}

export interface ProcessInvoiceDependencies {
  invoices: InvoiceRepository;
  fetcher: DocumentFetcher;
  objects: ObjectStore;
  codec: DocumentCodec;
  instruments: ProcessingInstruments;
  /**
   * Where the details of a failed download, checksum or store go (addresses, digests, sizes, errors);
   * the invoice and its events tell the client the cause in general terms only.
   */
  logger: Logger;
  clock: () => Date;
  /** How long a claim holds before another processor may take the invoice over. */
  leaseMs: number;
  /** Claims an invoice gets before a transient failure or a lapsed claim makes it `failed`. */
  maxAttempts: number;
  /** Accept sealed documents without a TimbreFiscalDigital (pre-stamp deployments). */
  allowUnstamped: boolean;
  /** What the validator checks documents against: SAT's catalogs and the PAC certificates. */
  references: { catalogs: CfdiCatalogs; certificates: CertificateStore };
}

export interface ProcessOptions {
  /** The bus will not deliver this event again: a transient failure now is final (`failed`). */
  finalAttempt: boolean;
}

/** Raised inside an update closure when our claim was taken over: the other processor decides. */
class ClaimLost extends Error {}

/**
 * A step's failure that ends processing with a decision: reject (the document is wrong), fail now
 * (nothing a retry can change, but not the document's fault either), or transient (retry, and fail
 * once attempts are exhausted).
 */
class Verdict extends Error {
  constructor(
    readonly kind: 'reject' | 'fail' | 'transient',
    readonly reason: RejectionReason | FailureReason,
    readonly problems: DocumentProblem[],
  ) {
    super(`${kind}: ${reason}`);
    this.name = 'Verdict';
  }
}

/**
 * The processor: claim → download → checksum → validate → compress → store → archive. Each state
 * change is an optimistic-locked update with its event; a redelivered or duplicated event finds the
 * invoice claimed or decided and does nothing, and a crashed run's claim lapses and is taken over.
 */
export function processInvoiceHandler(dependencies: ProcessInvoiceDependencies) {
  const { invoices, instruments, clock } = dependencies;

  return async function process(key: InvoiceKey, options: ProcessOptions): Promise<ProcessingResult> {
    const claimed = await instruments.step('claim', () => claim(key));
    if (claimed === 'skipped' || claimed === 'failed') {
      instruments.outcome(claimed);
      return claimed;
    }
    const result = await run(claimed, options).catch((error: unknown) => {
      if (error instanceof ClaimLost) return 'skipped' as const;
      throw error;
    });
    instruments.outcome(result);
    return result;
  };

  async function claim(key: InvoiceKey): Promise<Invoice | 'skipped' | 'failed'> {
    // Set by the update closure, which may run more than once: the last run's decision stands.
    const outcome: { decision: 'claimed' | 'skipped' | 'failed' } = { decision: 'skipped' };
    const invoice = await invoices.update(key, (current) => {
      const now = clock();
      outcome.decision = 'skipped';
      if (claimRefusal(current, now)) return undefined;
      if (current.processingAttempts >= dependencies.maxAttempts) {
        // Every earlier claim lapsed: whatever kills the processor would kill this one too.
        outcome.decision = 'failed';
        return fail(current, {
          now,
          reason: 'processing_failed',
          problems: [
            {
              code: 'processing_abandoned',
              path: '',
              message: `processing was abandoned ${current.processingAttempts} times (crash or timeout)`,
            },
          ],
        });
      }
      outcome.decision = 'claimed';
      return startProcessing(current, { now, leaseMs: dependencies.leaseMs });
    });
    if (!invoice) return 'skipped';
    return outcome.decision === 'claimed' ? invoice : outcome.decision;
  }

  async function run(invoice: Invoice, options: ProcessOptions): Promise<ProcessingResult> {
    const token = invoice.claim!.startedAt;
    const ours = (change: (current: Invoice) => Change) => (current: Invoice) => {
      if (current.claim?.startedAt !== token) throw new ClaimLost();
      return change(current);
    };
    const decide = async (verdict: Verdict): Promise<ProcessingResult> => {
      const now = clock();
      const { problems } = verdict;
      if (verdict.kind === 'reject') {
        const reason = verdict.reason as RejectionReason;
        await invoices.update(
          invoice,
          ours((current) => reject(current, { now, reason, problems })),
        );
        return 'rejected';
      }
      const final = options.finalAttempt || invoice.processingAttempts >= dependencies.maxAttempts;
      if (verdict.kind === 'fail' || final) {
        const reason = verdict.reason as FailureReason;
        await invoices.update(
          invoice,
          ours((current) => fail(current, { now, reason, problems })),
        );
        return 'failed';
      }
      await invoices.update(
        invoice,
        ours((current) => releaseClaim(current, now)),
      );
      return 'retry';
    };

    try {
      const document = await instruments.step('download', () => obtainDocument(invoice));
      await instruments.step('checksum', async () => verifyChecksum(invoice, document));
      if (invoice.status !== 'validated') {
        const startedAt = performance.now();
        await instruments.step('validate', async () => validate(invoice, document));
        const validationMs = performance.now() - startedAt;
        await invoices.update(
          invoice,
          ours((current) => markValidated(current, { now: clock(), validationMs })),
        );
      }
      const compressed = await instruments.step('compress', () => dependencies.codec.compress(document));
      const storageKey = storageKeyOf(invoice, dependencies.codec.name);
      await instruments.step('store', () => store(invoice, storageKey, compressed));
      await invoices.update(
        invoice,
        ours((current) =>
          archive(current, {
            now: clock(),
            document: {
              storageKey,
              codec: dependencies.codec.name,
              originalSize: document.byteLength,
              compressedSize: compressed.byteLength,
            },
          }),
        ),
      );
      return 'archived';
    } catch (error) {
      if (error instanceof Verdict) return decide(error);
      throw error;
    }
  }

  async function obtainDocument(invoice: Invoice): Promise<Uint8Array> {
    if (invoice.source.kind === 'inline') return new TextEncoder().encode(invoice.source.xml);
    try {
      return await dependencies.fetcher.fetch(invoice.source.url);
    } catch (error) {
      const download =
        error instanceof DocumentDownloadError
          ? error
          : new DocumentDownloadError('network', (error as Error).message ?? String(error), false);
      // A refused address may be someone probing our network: worth a warning, unlike a 404.
      const level = download.code === 'forbidden_address' ? 'warn' : 'info';
      dependencies.logger[level](
        {
          invoiceId: invoice.id,
          orgId: invoice.orgId,
          code: download.code,
          status: download.status,
          // The host of the hop that failed, not its URL: the path and query of a signed URL are credentials.
          host: hostOf(download.details.url),
          detail: download.message,
        },
        'document download failed',
      );
      throw new Verdict(download.permanent ? 'reject' : 'transient', 'download_failed', [
        {
          code: `download_${download.code}`,
          path: '/fileUrl',
          message: describeDownloadFailure(download),
        },
      ]);
    }
  }

  function verifyChecksum(invoice: Invoice, document: Uint8Array): void {
    const actual = createHash('sha256').update(document).digest('hex');
    if (actual === invoice.checksum) return;
    // The client sent an inline document and may see its digest; a downloaded one may have come
    // through a redirect from somewhere the client cannot see, so its digest stays in the log.
    let message = `declared SHA-256 ${invoice.checksum}, the document hashes to ${actual}`;
    if (invoice.source.kind !== 'inline') {
      dependencies.logger.warn(
        { invoiceId: invoice.id, orgId: invoice.orgId, declared: invoice.checksum, actual },
        'downloaded document does not match its declared checksum',
      );
      message = 'The downloaded document does not match the declared SHA-256 checksum';
    }
    throw new Verdict('reject', 'checksum_mismatch', [
      { code: 'checksum_mismatch', path: '/checksum', message },
    ]);
  }

  async function store(invoice: Invoice, storageKey: string, compressed: Uint8Array): Promise<void> {
    try {
      await dependencies.objects.put(storageKey, compressed);
    } catch (error) {
      if (error instanceof ObjectConflict) {
        throw new Verdict('reject', 'duplicate', [
          {
            code: 'duplicate_document',
            path: '',
            message: `a different document is already archived under ${storageKey}`,
          },
        ]);
      }
      dependencies.logger.error(
        { invoiceId: invoice.id, orgId: invoice.orgId, err: error },
        'storing the document failed',
      );
      throw new Verdict('transient', 'storage_failed', [
        {
          code: 'storage_unavailable',
          path: '',
          message: 'The document could not be stored',
        },
      ]);
    }
  }

  function validate(invoice: Invoice, document: Uint8Array): void {
    const verdict = validateCfdi(document, {
      ...dependencies.references,
      now: clock(),
      requireStamp: !dependencies.allowUnstamped,
      // The invoice is its declared metadata (uuid, issuer, receiver, amount, currency, issuanceDate).
      declared: invoice,
    });
    if (verdict.outcome === 'valid') return;
    // The stamp's PAC certificate is not in the store: not the document's fault, and no retry helps
    // until an operator adds the certificate, so the invoice fails (reprocessable) instead of rejecting.
    if (verdict.outcome === 'unverifiable') throw new Verdict('fail', 'stamp_unverifiable', verdict.problems);
    throw new Verdict('reject', 'validation_failed', verdict.problems);
  }
}

function hostOf(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    return new URL(url).host;
  } catch {
    return undefined;
  }
}

/** `org/issuer/yyyy/mm/uuid.xml.<codec>`, by issuance month (UTC). */
export function storageKeyOf(invoice: Invoice, codec: string): string {
  const issued = new Date(invoice.issuanceDate);
  const year = String(issued.getUTCFullYear()).padStart(4, '0');
  const month = String(issued.getUTCMonth() + 1).padStart(2, '0');
  return `${invoice.orgId}/${invoice.issuer}/${year}/${month}/${invoice.uuid}.xml.${codec}`;
}
