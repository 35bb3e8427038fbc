/**
 * The invoice aggregate: what was submitted, where its document comes from, and where it stands
 * in the processing state machine. Functions here are pure: they return the new state and the
 * events the change raised; the repository persists both in one transaction.
 */
export type InvoiceStatus = 'pending' | 'processing' | 'validated' | 'archived' | 'rejected' | 'failed';

/** Documents travel by reference (claim check): a URL to download, or the inline XML kept with the row. */
export type DocumentSource = { kind: 'url'; url: string } | { kind: 'inline'; xml: string };

export interface InvoiceMetadata {
  /** Fiscal folio (the TimbreFiscalDigital UUID), unique per organisation. */
  uuid: string;
  issuer: string;
  receiver: string;
  /** Decimal string, never a float. */
  amount: string;
  currency: string;
  /** ISO 8601 timestamp of issuance. */
  issuanceDate: string;
}

export interface Invoice extends InvoiceMetadata {
  id: string;
  orgId: string;
  source: DocumentSource;
  /** SHA-256 hex of the document bytes. */
  checksum: string;
  status: InvoiceStatus;
  /** Aggregate version: starts at 1, +1 per change; the optimistic-lock token and event sequence. */
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface InvoiceCreated {
  type: 'fiscal.invoice.created';
  data: {
    invoiceId: string;
    uuid: string;
    orgId: string;
    issuer: string;
    receiver: string;
    amount: string;
    currency: string;
    issuanceDate: string;
    source: 'url' | 'inline';
    checksum: string;
  };
}

export type InvoiceEvent = InvoiceCreated;

export interface Change {
  invoice: Invoice;
  events: InvoiceEvent[];
}

export interface NewInvoice extends InvoiceMetadata {
  id: string;
  orgId: string;
  source: DocumentSource;
  checksum: string;
  now: Date;
}

export function createInvoice(input: NewInvoice): Change {
  const timestamp = input.now.toISOString();
  const invoice: Invoice = {
    id: input.id,
    orgId: input.orgId,
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
    createdAt: timestamp,
    updatedAt: timestamp,
  };
  const created: InvoiceCreated = {
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
  };
  return { invoice, events: [created] };
}
