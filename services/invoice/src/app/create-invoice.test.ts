import { describe, expect, it } from 'vitest';
import {
  type Invoice,
  type InvoiceEvent,
  type InvoiceRepository,
  type InvoiceSubmission,
  InvoiceUuidTaken,
} from '../domain/invoice/index.js';
import { createInvoiceHandler } from './create-invoice.js';

class MemoryInvoices implements InvoiceRepository {
  readonly rows: Invoice[] = [];
  readonly events: InvoiceEvent[] = [];
  /** Simulates a concurrent writer that commits the same UUID first. */
  raceWith?: Invoice;

  async add(invoice: Invoice, events: readonly InvoiceEvent[]) {
    if (this.raceWith) {
      this.rows.push(this.raceWith);
      this.raceWith = undefined;
    }
    if (this.rows.some((row) => row.orgId === invoice.orgId && row.uuid === invoice.uuid)) {
      throw new InvoiceUuidTaken(invoice.uuid);
    }
    this.rows.push(invoice);
    this.events.push(...events);
  }
  async findById(orgId: string, id: string) {
    return this.rows.find((row) => row.orgId === orgId && row.id === id);
  }
  async findByUuid(orgId: string, uuid: string) {
    return this.rows.find((row) => row.orgId === orgId && row.uuid === uuid);
  }
}

const submission: InvoiceSubmission = {
  uuid: '5c1a7a34-6f8b-4d5e-9b44-2f8f0a1e7c11',
  issuer: 'EKU9003173C9',
  receiver: 'CACX7605101P8',
  amount: '1160.00',
  currency: 'MXN',
  issuanceDate: '2026-11-20T10:00:00Z',
  xml: '<cfdi:Comprobante/>',
};

function setup() {
  const invoices = new MemoryInvoices();
  let sequence = 0;
  const handle = createInvoiceHandler({
    invoices,
    newId: () => `inv-${++sequence}`,
    clock: () => new Date('2026-11-24T12:00:00Z'),
  });
  return { invoices, handle };
}

describe('create invoice', () => {
  it('stores a pending invoice with its created event', async () => {
    const { invoices, handle } = setup();
    const result = await handle({ orgId: 'org-1', submission });
    expect(result.created).toBe(true);
    expect(result.invoice).toMatchObject({ id: 'inv-1', status: 'pending', version: 1, amount: '1160.00' });
    expect(invoices.events).toEqual([
      expect.objectContaining({
        type: 'fiscal.invoice.created',
        data: expect.objectContaining({ invoiceId: 'inv-1' }),
      }),
    ]);
  });

  it('returns the stored invoice when the same fiscal UUID is submitted again with the same data', async () => {
    const { invoices, handle } = setup();
    const first = await handle({ orgId: 'org-1', submission });
    const second = await handle({ orgId: 'org-1', submission: { ...submission, amount: '1160.0' } });
    expect(second).toEqual({ invoice: first.invoice, created: false });
    expect(invoices.rows).toHaveLength(1);
    expect(invoices.events).toHaveLength(1);
  });

  it('refuses the same fiscal UUID with different data as a conflict', async () => {
    const { handle } = setup();
    await handle({ orgId: 'org-1', submission });
    await expect(
      handle({ orgId: 'org-1', submission: { ...submission, amount: '1.00' } }),
    ).rejects.toMatchObject({
      kind: 'conflict',
      code: 'invoice_uuid_conflict',
    });
  });

  it('keeps tenants apart: the same UUID in another organisation is another invoice', async () => {
    const { handle } = setup();
    await handle({ orgId: 'org-1', submission });
    const other = await handle({ orgId: 'org-2', submission });
    expect(other.created).toBe(true);
  });

  it('answers a lost race with the winner when its data is the same', async () => {
    const { invoices, handle } = setup();
    const winner = { ...(await setup().handle({ orgId: 'org-1', submission })).invoice, id: 'winner' };
    invoices.raceWith = winner;
    const result = await handle({ orgId: 'org-1', submission });
    expect(result).toEqual({ invoice: winner, created: false });
  });

  it('rejects invalid input with every problem and stores nothing', async () => {
    const { invoices, handle } = setup();
    await expect(
      handle({ orgId: 'org-1', submission: { ...submission, uuid: 'x', currency: 'x' } }),
    ).rejects.toMatchObject({
      code: 'validation_failed',
      errors: [expect.objectContaining({ field: '/uuid' }), expect.objectContaining({ field: '/currency' })],
    });
    expect(invoices.rows).toHaveLength(0);
  });
});
