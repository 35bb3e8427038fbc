import type { FieldProblem } from '@fiscal/kit/errors';
import type {
  AcceptedInvoice,
  InvoiceState,
  InvoiceSubmissionBody,
  InvoiceView,
  TimelineEntry,
} from '../api/invoice-schemas.js';
import type { Requester } from './caller.js';

/**
 * One invoice to submit: its metadata (with a `fileUrl` or the `xml` inline), or only the raw
 * document, whose metadata the invoice service reads from the document itself.
 */
export type InvoiceSubmission = InvoiceSubmissionBody | RawDocumentSubmission;

export interface RawDocumentSubmission {
  rawXml: string;
}

export interface SubmissionOptions {
  /** The client's `Idempotency-Key`: the same key with a different request is refused upstream. */
  idempotencyKey?: string | undefined;
}

/**
 * What the gateway needs from the invoice service (commands). Every call acts for a requester: its
 * caller's organisation and credential, and a signal that aborts when the client goes away.
 */
export interface InvoiceCommands {
  create(
    requester: Requester,
    submission: InvoiceSubmission,
    options?: SubmissionOptions,
  ): Promise<AcceptedInvoice>;
  /** One outcome per submission, `index` being its position in `submissions`. */
  createBatch(
    requester: Requester,
    submissions: readonly InvoiceSubmissionBody[],
    options?: SubmissionOptions,
  ): Promise<BatchItemOutcome[]>;
  reprocess(requester: Requester, id: string): Promise<InvoiceState>;
  /** The write model's view, for an invoice the read model has not caught up with yet. */
  get(requester: Requester, id: string): Promise<InvoiceView>;
}

// The shapes the API answers with are declared once, as the schemas that validate and document them.
export type { AcceptedInvoice, InvoiceState, InvoiceView, TimelineEntry };

export type BatchItemOutcome =
  | { index: number; accepted: AcceptedInvoice }
  | { index: number; refused: RefusedItem };

export interface RefusedItem {
  code: string;
  message: string;
  /** Fields relative to the submission itself (`/amount`). */
  errors: FieldProblem[];
}

/** What the gateway needs from the invoice service (archived originals). */
export interface InvoiceDocuments {
  get(requester: Requester, id: string): Promise<InvoiceDocument>;
}

export interface InvoiceDocument {
  /** The original document, byte for byte. */
  content: Uint8Array;
  contentType: string;
  checksum: string;
}

/** What the gateway needs from the query service (reads). */
export interface InvoiceQueries {
  get(requester: Requester, id: string): Promise<InvoiceView>;
  /** A page of the organisation's invoices, newest first. */
  list(requester: Requester, filter: InvoiceListFilter): Promise<InvoiceListPage>;
  /** Every event of one invoice, oldest first; another organisation's invoice is not found. */
  timeline(requester: Requester, id: string): Promise<TimelineEntry[]>;
}

/** As the client sent it; the query service checks the values and names the bad ones. */
export interface InvoiceListFilter {
  status?: string | undefined;
  issuer?: string | undefined;
  receiver?: string | undefined;
  q?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  limit?: number | undefined;
  cursor?: string | undefined;
}

export interface InvoiceListPage {
  items: InvoiceView[];
  nextCursor: string | null;
}
