import {
  type Invoice,
  type InvoiceKey,
  InvoiceNotFound,
  InvoiceNotReprocessable,
  type InvoiceRepository,
  requeue,
} from '../domain/invoice/index.js';

/** Sends an invoice that failed for a transient reason back to the processor. */
export function reprocessInvoiceHandler({
  invoices,
  clock,
}: {
  invoices: InvoiceRepository;
  clock: () => Date;
}) {
  return async function handle(key: InvoiceKey): Promise<Invoice> {
    const invoice = await invoices.update(key, (current) => {
      if (current.status !== 'failed') throw new InvoiceNotReprocessable(current.id, current.status);
      return requeue(current, clock());
    });
    if (!invoice) throw new InvoiceNotFound(key.id);
    return invoice;
  };
}
