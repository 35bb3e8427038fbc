import { createHash } from 'node:crypto';
import { type CertificateStore, type CfdiCatalogs, validateCfdi } from '@fiscal/cfdi';
import type { Logger } from 'pino';
import {
  type DocumentCodec,
  DocumentDownloadError,
  type DocumentFetcher,
  describeDownloadFailure,
  ObjectConflict,
  type ObjectStore,
} from '../domain/document/index.js';
import {
  type ArchivedDocument,
  archive,
  type Change,
  chain,
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
  type UpdateOutcome,
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
  /**
   * The back-off after the `attempt`-th claim of an invoice failed transiently, in milliseconds: its
   * claim keeps every processor away until then, and whoever resumes lapsed claims takes it up. 0 (the
   * default) releases it at once, for a caller that schedules the retry itself.
   */
  retryDelay?: (attempt: number) => number;
}

export interface ProcessOptions {
  /** The bus will not deliver this event again: a transient failure now is final (`failed`). */
  finalAttempt: boolean;
}

/** One invoice to process, as one delivered event asks. */
export interface ProcessingRequest extends ProcessOptions {
  key: InvoiceKey;
  /**
   * The bus hands this event out for the first time (not a redelivery, a retry or a sweep): its
   * invoice, if still pending with its document inline, is processed without a claim of its own.
   */
  firstDelivery?: boolean;
}

/**
 * What became of one request of a batch. `retry` says when the invoice may be claimed again;
 * `error` is a failure nothing anticipated (a bug, the database): the invoice's claim was released
 * when that was possible, and retrying is the caller's to arrange.
 */
export type ProcessingReport =
  | { result: Exclude<ProcessingResult, 'retry'> }
  | { result: 'retry'; retryAt: Date }
  | { result: 'error'; error: unknown };

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

/** How one claimed invoice's run ended, before it is committed. */
interface Run {
  position: number;
  /**
   * The invoice as our claim left it: the claim's start is the token that proves it is still ours.
   * Unclaimed, the invoice as read: its version is the token, and the claim is taken with the outcome.
   */
  claimed: Invoice;
  /** Run without a claim of its own, from this moment (see `runsUnclaimed`). */
  unclaimedSince?: Date;
  finalAttempt: boolean;
  /** Set when the document passed validation in this run (not when it was validated before). */
  validationMs?: number;
  ending:
    | { kind: 'archive'; document: ArchivedDocument }
    | { kind: 'verdict'; verdict: Verdict }
    | { kind: 'error'; error: unknown };
}

/**
 * The processor, for a batch of invoices: claim them all (one transaction per shard), run each
 * document through download → checksum → validate → compress → store at once, then commit every
 * outcome (one transaction per shard): validated and archived together, or rejected, failed, or the
 * claim released for a retry. A redelivered or duplicated event finds the invoice claimed or decided
 * and does nothing; a crashed run's claim lapses and is taken over; one invoice's failure is its own.
 */
export function processInvoicesHandler(dependencies: ProcessInvoiceDependencies) {
  const { invoices, instruments, clock } = dependencies;
  const retryDelay = dependencies.retryDelay ?? (() => 0);

  return async function processBatch(requests: readonly ProcessingRequest[]): Promise<ProcessingReport[]> {
    const reports: ProcessingReport[] = new Array(requests.length);
    // An invoice asked for twice in one batch (a duplicated event) is processed once.
    const firstRequests = new Map<string, number>();
    requests.forEach(({ key }, position) => {
      if (firstRequests.has(key.id)) reports[position] = { result: 'skipped' };
      else firstRequests.set(key.id, position);
    });
    const running: Promise<Run>[] = [];
    const positions = await startUnclaimed([...firstRequests.values()], running);
    const claims = await instruments.step('claim', () =>
      invoices.updateMany(
        positions.map((position) => ({ key: requests[position]!.key, change: claimChange })),
      ),
    );
    claims.forEach((claim, index) => {
      const position = positions[index]!;
      if (claim.status === 'refused') reports[position] = { result: 'error', error: claim.error };
      else if (claim.status !== 'updated') reports[position] = { result: 'skipped' };
      else if (claim.invoice.status === 'failed') reports[position] = { result: 'failed' };
      else running.push(run(position, claim.invoice, requests[position]!.finalAttempt));
    });
    const ended = await Promise.all(running);
    // An unclaimed run that failed unexpectedly left nothing to release: its event is retried.
    const runs: Run[] = [];
    for (const run of ended) {
      if (run.unclaimedSince && run.ending.kind === 'error')
        reports[run.position] = { result: 'error', error: run.ending.error };
      else runs.push(run);
    }
    const commits = await invoices.updateMany(
      runs.map((run) => ({
        key: run.claimed,
        change: (current: Invoice) => conclusionOf(current, run),
      })),
    );
    commits.forEach((commit, index) => {
      const run = runs[index]!;
      reports[run.position] = reportOf(run, commit);
    });
    for (const report of reports) if (report.result !== 'error') instruments.outcome(report.result);
    return reports;

    /**
     * Starts the runs of the first deliveries whose invoice `runsUnclaimed`, from one read; returns
     * the positions left to claim.
     */
    async function startUnclaimed(positions: number[], running: Promise<Run>[]): Promise<number[]> {
      const first = positions.filter((position) => requests[position]!.firstDelivery);
      if (first.length === 0) return positions;
      const found = await instruments.step('claim', () =>
        invoices.findByIds(first.map((position) => requests[position]!.key)),
      );
      const now = clock();
      return positions.filter((position) => {
        const request = requests[position]!;
        const invoice = found.get(request.key.id);
        if (!request.firstDelivery || !invoice || !runsUnclaimed(invoice)) return true;
        running.push(run(position, invoice, request.finalAttempt, now));
        return false;
      });
    }
  };

  /**
   * A pending invoice never tried, whose document is inline, on its event's first delivery, runs
   * without a claim: its run takes milliseconds, and its claim, written with its outcome, saves a
   * transaction and a row version per invoice. A duplicate delivery running beside it is told apart by the version: the
   * first outcome committed wins, the other is skipped. A crash leaves nothing behind, and the
   * redelivered event is processed under a claim, as is a download (slow, and announced).
   */
  function runsUnclaimed(invoice: Invoice): boolean {
    return (
      invoice.status === 'pending' && invoice.processingAttempts === 0 && invoice.source.kind === 'inline'
    );
  }

  /** Claims a pending invoice or takes over a lapsed claim; fails one whose claims kept lapsing. */
  function claimChange(current: Invoice): Change | undefined {
    const now = clock();
    if (claimRefusal(current, now)) return undefined;
    if (current.processingAttempts >= dependencies.maxAttempts) {
      // Every earlier claim lapsed: whatever kills the processor would kill this one too.
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
    return startProcessing(current, { now, leaseMs: dependencies.leaseMs });
  }

  async function run(
    position: number,
    claimed: Invoice,
    finalAttempt: boolean,
    unclaimedSince?: Date,
  ): Promise<Run> {
    const ended: Omit<Run, 'ending'> = { position, claimed, finalAttempt, unclaimedSince };
    try {
      const document = await instruments.step('download', () => obtainDocument(claimed));
      await instruments.step('checksum', async () => verifyChecksum(claimed, document));
      // A claim taken over from a validated invoice resumes after validation: its verdict stands.
      if (claimed.status !== 'validated') {
        const startedAt = performance.now();
        await instruments.step('validate', async () => validate(claimed, document));
        ended.validationMs = performance.now() - startedAt;
      }
      const compressed = await instruments.step('compress', () => dependencies.codec.compress(document));
      const storageKey = storageKeyOf(claimed, dependencies.codec.name);
      await instruments.step('store', () => store(claimed, storageKey, compressed));
      const archived: ArchivedDocument = {
        storageKey,
        codec: dependencies.codec.name,
        originalSize: document.byteLength,
        compressedSize: compressed.byteLength,
      };
      return { ...ended, ending: { kind: 'archive', document: archived } };
    } catch (error) {
      if (error instanceof Verdict) return { ...ended, ending: { kind: 'verdict', verdict: error } };
      return { ...ended, ending: { kind: 'error', error } };
    }
  }

  /**
   * The run's outcome as one change: `validated` first when this run validated the document, so the
   * verdict stands whatever follows, then the decision. A transient failure keeps the invoice
   * validated and its claim until the retry; an unexpected error releases the claim at once.
   */
  function conclusionOf(current: Invoice, ended: Run): Change {
    const now = clock();
    if (ended.unclaimedSince) {
      // Untouched since it was read, or another processor got there first and decides.
      if (current.version !== ended.claimed.version) throw new ClaimLost();
      const claim = startProcessing(current, { now: ended.unclaimedSince, leaseMs: dependencies.leaseMs });
      return chain(claim, (claimed) => outcomeOf(claimed, ended, now));
    }
    if (current.claim?.startedAt !== ended.claimed.claim?.startedAt) throw new ClaimLost();
    return outcomeOf(current, ended, now);
  }

  function outcomeOf(current: Invoice, ended: Run, now: Date): Change {
    const validated =
      ended.validationMs === undefined
        ? { invoice: current, events: [] }
        : markValidated(current, { now, validationMs: ended.validationMs });
    return chain(validated, (invoice) => decisionOf(invoice, ended, now));
  }

  function decisionOf(invoice: Invoice, ended: Run, now: Date): Change {
    const { ending } = ended;
    if (ending.kind === 'archive') return archive(invoice, { now, document: ending.document });
    if (ending.kind === 'error') return releaseClaim(invoice, now);
    const { verdict } = ending;
    const { problems } = verdict;
    if (verdict.kind === 'reject')
      return reject(invoice, { now, reason: verdict.reason as RejectionReason, problems });
    const final = ended.finalAttempt || invoice.processingAttempts >= dependencies.maxAttempts;
    if (verdict.kind === 'fail' || final)
      return fail(invoice, { now, reason: verdict.reason as FailureReason, problems });
    const retryAt = new Date(now.getTime() + retryDelay(invoice.processingAttempts));
    return releaseClaim(invoice, now, retryAt);
  }

  function reportOf(ended: Run, commit: UpdateOutcome): ProcessingReport {
    if (commit.status === 'refused')
      return commit.error instanceof ClaimLost
        ? { result: 'skipped' }
        : { result: 'error', error: commit.error };
    if (commit.status !== 'updated') return { result: 'skipped' };
    const { ending } = ended;
    if (ending.kind === 'error') return { result: 'error', error: ending.error };
    const { invoice } = commit;
    if (invoice.status === 'archived') return { result: 'archived' };
    if (invoice.status === 'rejected') return { result: 'rejected' };
    if (invoice.status === 'failed') return { result: 'failed' };
    return { result: 'retry', retryAt: new Date(invoice.claim?.expiresAt ?? clock()) };
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

/**
 * The processor for one invoice at a time: a batch of one. An unexpected error is thrown (after the
 * claim, if it had been taken, was released), so the caller's retry finds the invoice free.
 */
export function processInvoiceHandler(dependencies: ProcessInvoiceDependencies) {
  const processBatch = processInvoicesHandler(dependencies);
  return async function process(key: InvoiceKey, options: ProcessOptions): Promise<ProcessingResult> {
    const [report] = await processBatch([{ key, ...options }]);
    if (report!.result === 'error') throw report!.error;
    return report!.result;
  };
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
