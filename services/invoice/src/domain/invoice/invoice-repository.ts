import type { Invoice, InvoiceEvent } from './invoice.js';

/** Port: the invoice write store. `add` persists the invoice and its events in one transaction. */
export interface InvoiceRepository {
  /** Throws `InvoiceUuidTaken` when the organisation already has an invoice with this fiscal UUID. */
  add(invoice: Invoice, events: readonly InvoiceEvent[]): Promise<void>;
  findById(orgId: string, id: string): Promise<Invoice | undefined>;
  findByUuid(orgId: string, uuid: string): Promise<Invoice | undefined>;
}

/** Raised by a repository when a concurrent submission of the same fiscal UUID won the race. */
export class InvoiceUuidTaken extends Error {
  constructor(readonly uuid: string) {
    super(`fiscal UUID ${uuid} is already stored`);
    this.name = 'InvoiceUuidTaken';
  }
}
