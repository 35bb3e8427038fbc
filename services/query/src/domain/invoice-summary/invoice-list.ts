import type { InvoiceListItem } from './invoice-summary.js';

/** A page of the organisation's invoices, newest first; every criterion given must hold. */
export interface InvoiceListQuery {
  orgId: string;
  status?: string | undefined;
  /** Exact RFCs, compared upper-case as SAT writes them. */
  issuer?: string | undefined;
  receiver?: string | undefined;
  /** Free text: words of issuer, receiver and uuid, or a fragment of any of them. */
  text?: string | undefined;
  /** Issuance date range, both ends included. */
  issuedFrom?: Date | undefined;
  issuedTo?: Date | undefined;
  limit: number;
  /** The last invoice id of the previous page. */
  after?: string | undefined;
}

export interface InvoicePage {
  items: InvoiceListItem[];
  /** Set when more invoices may follow: the last id of this page. */
  lastId?: string | undefined;
}

export const defaultPageSize = 50;
export const maxPageSize = 500;
