import {
  checkSubmission,
  checksumOf,
  createInvoice,
  documentSourceOf,
  InvalidInvoiceSubmission,
  type Invoice,
  type InvoiceRepository,
  type InvoiceSubmission,
  InvoiceUuidConflict,
  InvoiceUuidTaken,
  normalizeMetadata,
  sameSubmission,
} from '../domain/invoice/index.js';

export interface CreateInvoice {
  orgId: string;
  submission: InvoiceSubmission;
}

export interface CreateInvoiceResult {
  invoice: Invoice;
  /** False when the fiscal UUID was already submitted with the same data (idempotent replay). */
  created: boolean;
}

export interface CreateInvoiceDependencies {
  invoices: InvoiceRepository;
  newId: () => string;
  clock: () => Date;
}

/**
 * Accepts an invoice: validates the submission, stores it with its `fiscal.invoice.created` event
 * in one transaction (accepted means durable), and makes resubmission of the same fiscal UUID
 * idempotent: same data returns the stored invoice, different data is a conflict.
 */
export function createInvoiceHandler({ invoices, newId, clock }: CreateInvoiceDependencies) {
  return async function handle({ orgId, submission }: CreateInvoice): Promise<CreateInvoiceResult> {
    const problems = checkSubmission(submission);
    if (problems.length > 0) throw new InvalidInvoiceSubmission(problems);
    const metadata = normalizeMetadata(submission);

    const replay = await findReplay(orgId, metadata);
    if (replay) return replay;

    const { invoice, events } = createInvoice({
      ...metadata,
      id: newId(),
      orgId,
      source: documentSourceOf(submission),
      checksum: checksumOf(submission),
      now: clock(),
    });
    try {
      await invoices.add(invoice, events);
      return { invoice, created: true };
    } catch (error) {
      // A concurrent submission of the same UUID committed first: answer as if we had come second.
      if (error instanceof InvoiceUuidTaken) {
        const raced = await findReplay(orgId, metadata);
        if (raced) return raced;
      }
      throw error;
    }
  };

  async function findReplay(orgId: string, metadata: InvoiceSubmission) {
    const existing = await invoices.findByUuid(orgId, metadata.uuid);
    if (!existing) return undefined;
    if (!sameSubmission(existing, metadata)) throw new InvoiceUuidConflict(metadata.uuid, existing.id);
    return { invoice: existing, created: false };
  }
}
