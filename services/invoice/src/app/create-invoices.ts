import type { AppError } from '@fiscal/kit/errors';
import {
  BatchTooLarge,
  type Change,
  checkSubmission,
  checksumOf,
  createInvoice,
  documentSourceOf,
  InvalidInvoiceSubmission,
  type Invoice,
  type InvoiceRepository,
  type InvoiceSubmission,
  InvoiceUuidConflict,
  normalizeMetadata,
  sameSubmission,
} from '../domain/invoice/index.js';
import { invoiceIdForSlot, slotOfIssuer } from '../domain/sharding/index.js';

export const maximumBatchSize = 1_000;

/** A submission as the API received it: usable, or already refused while reading it (raw XML). */
export type ReceivedSubmission = { submission: InvoiceSubmission } | { refused: AppError };

export interface CreateInvoices {
  orgId: string;
  submissions: readonly ReceivedSubmission[];
}

/** One submission's outcome: accepted (new, or a replay of the same data) or refused with its reasons. */
export type CreateInvoiceOutcome =
  | { accepted: true; invoice: Invoice; created: boolean }
  | { accepted: false; error: AppError };

export interface CreateInvoicesDependencies {
  invoices: InvoiceRepository;
  /** A fresh UUIDv7; the invoice id is made from it and the issuer's slot. */
  newId: () => string;
  clock: () => Date;
}

/**
 * Accepts invoices, one or a batch of up to 1,000: each submission is checked on its own (one bad
 * item does not sink the others), stored with its `fiscal.invoice.created` event in one transaction
 * per shard (accepted means durable), and a fiscal UUID submitted before is idempotent: the same
 * data returns the stored invoice, different data is a conflict. Concurrent calls share their
 * statements: the repository writes them in groups.
 */
export function createInvoicesHandler({ invoices, newId, clock }: CreateInvoicesDependencies) {
  return async function handle({ orgId, submissions }: CreateInvoices): Promise<CreateInvoiceOutcome[]> {
    if (submissions.length > maximumBatchSize) throw new BatchTooLarge(submissions.length, maximumBatchSize);
    const outcomes: (CreateInvoiceOutcome | undefined)[] = new Array(submissions.length);
    const candidates: { index: number; submission: InvoiceSubmission }[] = [];
    submissions.forEach((received, index) => {
      if ('refused' in received) {
        outcomes[index] = { accepted: false, error: received.refused };
        return;
      }
      const { submission } = received;
      const problems = checkSubmission(submission);
      if (problems.length > 0) {
        outcomes[index] = { accepted: false, error: new InvalidInvoiceSubmission(problems) };
      } else {
        candidates.push({ index, submission: { ...submission, ...normalizeMetadata(submission) } });
      }
    });

    // The first submission of a UUID in this batch speaks for it; later ones are replays or conflicts.
    // A UUID stored before is found by `addMany`, which answers with its holder.
    const firstOfUuid = new Map<string, InvoiceSubmission>();
    const fresh: { index: number; change: Change }[] = [];
    const repeats: { index: number; submission: InvoiceSubmission }[] = [];
    for (const { index, submission } of candidates) {
      if (firstOfUuid.has(submission.uuid)) {
        repeats.push({ index, submission });
      } else {
        firstOfUuid.set(submission.uuid, submission);
        fresh.push({ index, change: newInvoice(orgId, submission) });
      }
    }

    const added = await invoices.addMany(fresh.map((entry) => entry.change));
    const accepted = new Map<string, Invoice>();
    fresh.forEach(({ index, change }, position) => {
      const outcome = added[position]!;
      if (outcome.stored) {
        outcomes[index] = { accepted: true, invoice: change.invoice, created: true };
        accepted.set(change.invoice.uuid, change.invoice);
      } else {
        // Submitted before, or by a concurrent call that committed first: a replay or a conflict.
        outcomes[index] = replayOf(outcome.existing, firstOfUuid.get(change.invoice.uuid)!);
        accepted.set(change.invoice.uuid, outcome.existing);
      }
    });
    for (const { index, submission } of repeats) {
      outcomes[index] = replayOf(accepted.get(submission.uuid)!, submission);
    }
    return outcomes.map((outcome) => outcome!);
  };

  function newInvoice(orgId: string, submission: InvoiceSubmission): Change {
    const slot = slotOfIssuer(submission.issuer);
    return createInvoice({
      ...submission,
      id: invoiceIdForSlot(newId(), slot),
      orgId,
      slot,
      source: documentSourceOf(submission),
      checksum: checksumOf(submission),
      now: clock(),
    });
  }
}

function replayOf(existing: Invoice, submission: InvoiceSubmission): CreateInvoiceOutcome {
  if (!sameSubmission(existing, submission)) {
    return { accepted: false, error: new InvoiceUuidConflict(submission.uuid, existing.id) };
  }
  return { accepted: true, invoice: existing, created: false };
}
