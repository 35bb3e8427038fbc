import type {
  InvoiceArchivedData,
  InvoiceCreatedData,
  InvoiceFailedData,
  InvoiceMetadata,
  InvoiceProcessingStartedData,
  InvoiceRejectedData,
  InvoiceRequeuedData,
  InvoiceValidatedData,
} from '@fiscal/contracts';

/**
 * The invoice aggregate: what was submitted, where its document comes from, and where it stands
 * in the processing state machine. Functions here are pure: they return the new state and the
 * events the change raised; the repository persists both in one transaction.
 *
 *   pending → processing → validated → archived
 *                 ↓            ↓
 *      rejected (the document is wrong: final)   failed (transient causes exhausted) → pending
 */
export type InvoiceStatus = 'pending' | 'processing' | 'validated' | 'archived' | 'rejected' | 'failed';

/** Documents travel by reference (claim check): a URL to download, or the inline XML kept with the row. */
export type DocumentSource = { kind: 'url'; url: string } | { kind: 'inline'; xml: string };

/**
 * The uuid (the TimbreFiscalDigital's, unique per organisation), issuer, receiver, amount (a
 * decimal string, never a float), currency and issuanceDate (an ISO 8601 instant) of an invoice.
 */
export type { InvoiceMetadata };

export interface DocumentProblem {
  code: string;
  path: string;
  message: string;
}

export interface ArchivedDocument {
  storageKey: string;
  codec: string;
  originalSize: number;
  compressedSize: number;
}

/** A processor's claim: other processors leave the invoice alone until `expiresAt`. */
export interface ProcessingClaim {
  startedAt: string;
  expiresAt: string;
}

export interface Invoice extends InvoiceMetadata {
  id: string;
  orgId: string;
  /** Shard key: the issuer's slot (see domain/sharding). */
  slot: number;
  source: DocumentSource;
  /** SHA-256 hex of the document bytes. */
  checksum: string;
  status: InvoiceStatus;
  /** Aggregate version: starts at 1, +1 per change; the optimistic-lock token and event sequence. */
  version: number;
  /** Claims taken since the invoice was created or last requeued. */
  processingAttempts: number;
  /** Times a failed invoice was sent back to the processor (at most `maxReprocessings`). */
  reprocessings: number;
  claim: ProcessingClaim | null;
  archive: ArchivedDocument | null;
  /** Why it was rejected or failed, and its problems: the first hundred and a count of the rest. */
  outcome: { reason: string; problems: DocumentProblem[] } | null;
  createdAt: string;
  updatedAt: string;
}

export type InvoiceEvent = (
  | { type: 'fiscal.invoice.created'; data: InvoiceCreatedData }
  | { type: 'fiscal.invoice.processing_started'; data: InvoiceProcessingStartedData }
  | { type: 'fiscal.invoice.validated'; data: InvoiceValidatedData }
  | { type: 'fiscal.invoice.archived'; data: InvoiceArchivedData }
  | { type: 'fiscal.invoice.rejected'; data: InvoiceRejectedData }
  | { type: 'fiscal.invoice.failed'; data: InvoiceFailedData }
  | { type: 'fiscal.invoice.requeued'; data: InvoiceRequeuedData }
) & {
  /**
   * The version the event brought the invoice to, which consumers order by. Absent, it is the
   * version of the change's invoice; a change made of several transitions (chain) sets it on each.
   */
  sequence?: number;
};

/** A new state and the events that explain it, in the order they happened; persisted together or not at all. */
export interface Change {
  invoice: Invoice;
  events: InvoiceEvent[];
}

export interface NewInvoice extends InvoiceMetadata {
  id: string;
  orgId: string;
  slot: number;
  source: DocumentSource;
  checksum: string;
  now: Date;
}

export function createInvoice(input: NewInvoice): Change {
  const timestamp = input.now.toISOString();
  const invoice: Invoice = {
    id: input.id,
    orgId: input.orgId,
    slot: input.slot,
    uuid: input.uuid,
    issuer: input.issuer,
    receiver: input.receiver,
    amount: input.amount,
    currency: input.currency,
    issuanceDate: input.issuanceDate,
    source: input.source,
    checksum: input.checksum,
    status: 'pending',
    version: 1,
    processingAttempts: 0,
    reprocessings: 0,
    claim: null,
    archive: null,
    outcome: null,
    createdAt: timestamp,
    updatedAt: timestamp,
  };
  return {
    invoice,
    events: [
      {
        type: 'fiscal.invoice.created',
        data: {
          invoiceId: invoice.id,
          uuid: invoice.uuid,
          orgId: invoice.orgId,
          issuer: invoice.issuer,
          receiver: invoice.receiver,
          amount: invoice.amount,
          currency: invoice.currency,
          issuanceDate: invoice.issuanceDate,
          source: invoice.source.kind,
          checksum: invoice.checksum,
        },
      },
    ],
  };
}
