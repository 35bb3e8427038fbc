import type { InvoiceSubmissionBody } from '../api/invoice-schemas.js';

/** What the gateway needs from the invoice service (commands). */
export interface InvoiceCommands {
  create(orgId: string, submission: InvoiceSubmissionBody): Promise<AcceptedInvoice>;
}

export interface AcceptedInvoice {
  id: string;
  uuid: string;
  status: string;
  created: boolean;
}

/** What the gateway needs from the query service (reads). */
export interface InvoiceQueries {
  get(orgId: string, id: string): Promise<InvoiceView>;
}

export interface InvoiceView {
  id: string;
  uuid: string | null;
  issuer: string | null;
  receiver: string | null;
  amount: string | null;
  currency: string | null;
  issuanceDate: string | null;
  status: string;
  createdAt: string;
  updatedAt: string;
}
