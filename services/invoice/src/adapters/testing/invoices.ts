import { v7 as uuidv7 } from 'uuid';
import { type Change, createInvoice, type DocumentSource } from '../../domain/invoice/index.js';
import { invoiceIdForSlot, slotOfIssuer } from '../../domain/sharding/index.js';

let counter = 0;

/** A new pending invoice with plausible data; override what a test is about. */
export function newInvoice(
  overrides: Partial<{
    orgId: string;
    uuid: string;
    issuer: string;
    receiver: string;
    amount: string;
    currency: string;
    issuanceDate: string;
    source: DocumentSource;
    checksum: string;
    now: Date;
  }> = {},
): Change {
  counter += 1;
  const issuer = overrides.issuer ?? 'EKU9003173C9';
  const slot = slotOfIssuer(issuer);
  return createInvoice({
    id: invoiceIdForSlot(uuidv7(), slot),
    slot,
    orgId: overrides.orgId ?? 'org-1',
    uuid: overrides.uuid ?? crypto.randomUUID(),
    issuer,
    receiver: overrides.receiver ?? 'XAXX010101000',
    amount: overrides.amount ?? `${counter}.50`,
    currency: overrides.currency ?? 'MXN',
    issuanceDate: overrides.issuanceDate ?? '2026-11-20T10:00:00.000Z',
    source: overrides.source ?? { kind: 'inline', xml: '<cfdi:Comprobante/>' },
    checksum: overrides.checksum ?? 'a'.repeat(64),
    now: overrides.now ?? new Date('2026-11-24T12:00:00Z'),
  });
}

/** RFC-shaped issuers, distinct, spread over the slots: `ABC` + a date + a counter homoclave. */
export function issuerNumber(n: number): string {
  const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  const a = letters[n % 26]!;
  const b = letters[Math.floor(n / 26) % 26]!;
  const c = letters[Math.floor(n / 676) % 26]!;
  return `${a}${b}${c}900101${String(n % 1000).padStart(3, '0')}`;
}
