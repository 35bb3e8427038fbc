import { keptProblems } from '@fiscal/cfdi';
import { InvalidTransition, ReprocessLimitReached } from './errors.js';
import type {
  ArchivedDocument,
  Change,
  DocumentProblem,
  Invoice,
  InvoiceEvent,
  InvoiceStatus,
} from './invoice.js';

/**
 * The processing state machine. Each function checks the transition is allowed from the current
 * state, returns the next state (version + 1) and the events it raised, and touches nothing else.
 */

export type ClaimRefusal = 'finished' | 'claimed';

/** Whether a processor may claim the invoice now, and if not, why. */
export function claimRefusal(invoice: Invoice, now: Date): ClaimRefusal | undefined {
  if (invoice.status === 'pending') return undefined;
  if (invoice.status === 'processing' || invoice.status === 'validated') {
    // A claim whose lease lapsed belongs to a processor that crashed or stalled: take it over.
    return invoice.claim && Date.parse(invoice.claim.expiresAt) > now.getTime() ? 'claimed' : undefined;
  }
  return 'finished';
}

/**
 * Claims the invoice for one processor. `fiscal.invoice.processing_started` is raised when the work
 * can take a while or is a repeat: a document to download, or a second attempt (a retry, or a claim
 * taken over from a processor that crashed). A first claim of an inline document is decided within
 * the same run, milliseconds later, by an event of its own; announcing it would cost every consumer
 * a delivery that is superseded at once (a quarter of the processing's events).
 */
export function startProcessing(invoice: Invoice, options: { now: Date; leaseMs: number }): Change {
  const refusal = claimRefusal(invoice, options.now);
  if (refusal) throw new InvalidTransition(invoice, 'claim', refusal);
  const expiresAt = new Date(options.now.getTime() + options.leaseMs).toISOString();
  const attempt = invoice.processingAttempts + 1;
  // A lapsed claim on a validated invoice resumes it as validated: validation is not undone.
  const status: InvoiceStatus = invoice.status === 'validated' ? 'validated' : 'processing';
  const next = advance(invoice, options.now, {
    status,
    processingAttempts: attempt,
    claim: { startedAt: options.now.toISOString(), expiresAt },
  });
  if (attempt === 1 && invoice.source.kind === 'inline') return { invoice: next, events: [] };
  return {
    invoice: next,
    events: [
      {
        type: 'fiscal.invoice.processing_started',
        data: { invoiceId: invoice.id, uuid: invoice.uuid, attempt, leaseExpiresAt: expiresAt },
      },
    ],
  };
}

/**
 * Gives the claim up after a transient failure: no event, nothing decided. Without `retryAt` any
 * processor may take the invoice at once; with it, none before then, so the lapsed claim is the
 * back-off before the next attempt, kept with the invoice rather than with a message.
 */
export function releaseClaim(invoice: Invoice, now: Date, retryAt: Date = now): Change {
  requireStatus(invoice, 'release', ['processing', 'validated']);
  const claim = invoice.claim && { ...invoice.claim, expiresAt: retryAt.toISOString() };
  return { invoice: advance(invoice, now, { claim }), events: [] };
}

export function markValidated(invoice: Invoice, options: { now: Date; validationMs: number }): Change {
  if (invoice.status === 'validated') return { invoice, events: [] };
  requireStatus(invoice, 'validate', ['processing']);
  return {
    invoice: advance(invoice, options.now, { status: 'validated' }),
    events: [
      {
        type: 'fiscal.invoice.validated',
        data: {
          invoiceId: invoice.id,
          uuid: invoice.uuid,
          validationMs: Math.max(0, Math.round(options.validationMs)),
          checksum: invoice.checksum,
        },
      },
    ],
  };
}

export function archive(invoice: Invoice, options: { now: Date; document: ArchivedDocument }): Change {
  requireStatus(invoice, 'archive', ['validated']);
  const startedAt = invoice.claim ? Date.parse(invoice.claim.startedAt) : Date.parse(invoice.createdAt);
  const archivedAt = options.now.toISOString();
  return {
    invoice: advance(invoice, options.now, {
      status: 'archived',
      archive: options.document,
      claim: null,
      // The archive is now the document of record; the inline copy would only weigh on the shard.
      source: invoice.source.kind === 'inline' ? { kind: 'inline', xml: '' } : invoice.source,
    }),
    events: [
      {
        type: 'fiscal.invoice.archived',
        data: {
          invoiceId: invoice.id,
          uuid: invoice.uuid,
          issuer: invoice.issuer,
          amount: invoice.amount,
          currency: invoice.currency,
          originalSize: options.document.originalSize,
          compressedSize: options.document.compressedSize,
          storageKey: options.document.storageKey,
          archivedAt,
          processingMs: Math.max(0, options.now.getTime() - startedAt),
        },
      },
    ],
  };
}

export type RejectionReason = 'download_failed' | 'checksum_mismatch' | 'validation_failed' | 'duplicate';

/**
 * The document is wrong for good (4xx, checksum, invalid CFDI): a final verdict. Whatever the source
 * of the problems, the invoice and its event keep only as many as keptProblems allows.
 */
export function reject(
  invoice: Invoice,
  options: { now: Date; reason: RejectionReason; problems: DocumentProblem[] },
): Change {
  requireStatus(invoice, 'reject', ['processing', 'validated']);
  const startedAt = invoice.claim ? Date.parse(invoice.claim.startedAt) : Date.parse(invoice.createdAt);
  const problems = keptProblems(options.problems);
  return {
    invoice: advance(invoice, options.now, {
      status: 'rejected',
      claim: null,
      outcome: { reason: options.reason, problems },
    }),
    events: [
      {
        type: 'fiscal.invoice.rejected',
        data: {
          invoiceId: invoice.id,
          uuid: invoice.uuid,
          reason: options.reason,
          errors: problems,
          // What reports need to place a rejection beside the archived invoices of its day.
          issuer: invoice.issuer,
          amount: invoice.amount,
          currency: invoice.currency,
          processingMs: Math.max(0, options.now.getTime() - startedAt),
        },
      },
    ],
  };
}

export type FailureReason = 'download_failed' | 'storage_failed' | 'processing_failed' | 'stamp_unverifiable';

/** Transient causes outlasted every retry: not a verdict on the document, so it can be reprocessed. */
export function fail(
  invoice: Invoice,
  options: { now: Date; reason: FailureReason; problems: DocumentProblem[] },
): Change {
  requireStatus(invoice, 'fail', ['processing', 'validated']);
  const problems = keptProblems(options.problems);
  return {
    invoice: advance(invoice, options.now, {
      status: 'failed',
      claim: null,
      outcome: { reason: options.reason, problems },
    }),
    events: [
      {
        type: 'fiscal.invoice.failed',
        data: {
          invoiceId: invoice.id,
          uuid: invoice.uuid,
          reason: options.reason,
          errors: problems,
          attempts: Math.max(1, invoice.processingAttempts),
        },
      },
    ],
  };
}

/**
 * Times an invoice may be reprocessed. Each round adds events to its log and timeline; an operator
 * retrying after an outage needs a few, and a client repeating the call forever must not grow them.
 */
export const maxReprocessings = 10;

/** Sends a failed invoice back to the processor with a fresh attempt budget. */
export function requeue(invoice: Invoice, now: Date): Change {
  requireStatus(invoice, 'reprocess', ['failed']);
  if (invoice.reprocessings >= maxReprocessings)
    throw new ReprocessLimitReached(invoice.id, maxReprocessings);
  return {
    invoice: advance(invoice, now, {
      status: 'pending',
      processingAttempts: 0,
      reprocessings: invoice.reprocessings + 1,
      claim: null,
      outcome: null,
    }),
    events: [
      {
        type: 'fiscal.invoice.requeued',
        data: { invoiceId: invoice.id, uuid: invoice.uuid, previousStatus: invoice.status },
      },
    ],
  };
}

/**
 * Two transitions saved as one change (validated and archived in one commit): the result of `next`
 * applied to the first's invoice, with the events of both in order, each keeping the version its
 * own transition reached, so consumers see consecutive sequences as if they had been saved apart.
 */
export function chain(first: Change, next: (invoice: Invoice) => Change): Change {
  const second = next(first.invoice);
  return { invoice: second.invoice, events: [...sequenced(first), ...sequenced(second)] };
}

function sequenced({ invoice, events }: Change): InvoiceEvent[] {
  return events.map((event) =>
    event.sequence === undefined ? { ...event, sequence: invoice.version } : event,
  );
}

function advance(invoice: Invoice, now: Date, changes: Partial<Invoice>): Invoice {
  return { ...invoice, ...changes, version: invoice.version + 1, updatedAt: now.toISOString() };
}

function requireStatus(invoice: Invoice, action: string, allowed: readonly InvoiceStatus[]): void {
  if (!allowed.includes(invoice.status)) throw new InvalidTransition(invoice, action, invoice.status);
}
