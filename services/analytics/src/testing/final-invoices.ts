import { createEvent, dataschemaOf, type EventEnvelope } from '@fiscal/contracts';

/** An invoice that reached its final state, as a report sees it; the source of truth of the tests. */
export interface GeneratedInvoice {
  id: string;
  orgId: string;
  /** The final event's time. */
  time: string;
  status: 'archived' | 'rejected';
  /** Absent on a rejection published before version 1.1 of its event. */
  issuer: string | undefined;
  amount: string | undefined;
  currency: string | undefined;
  processingMs: number | undefined;
  originalSize: number;
  compressedSize: number;
}

/** A deterministic pseudo-random sequence, so a failing run can be replayed from its seed. */
export function randomSequence(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

const issuers = Array.from({ length: 14 }, (_, index) => `ISS${String(index + 1).padStart(6, '0')}AB1`);
const currencies = ['MXN', 'USD', 'EUR'];

/**
 * `count` final invoices of `orgId` whose final events fall on `days` (UTC), near midnight too:
 * random issuers, currencies, amounts with two decimals, statuses, sizes and processing times, and a
 * few rejections in the 1.0 shape, without issuer, amount, currency or processing time.
 */
export function generateInvoices(
  orgId: string,
  count: number,
  options: { seed: number; days: readonly string[] },
): GeneratedInvoice[] {
  const random = randomSequence(options.seed);
  const pick = <T>(values: readonly T[]) => values[Math.floor(random() * values.length)]!;
  return Array.from({ length: count }, (_, index): GeneratedInvoice => {
    const millisecondOfDay =
      random() < 0.1 ? 86_399_000 + Math.floor(random() * 1_000) : Math.floor(random() * 86_400_000);
    const time = new Date(Date.parse(`${pick(options.days)}T00:00:00.000Z`) + millisecondOfDay).toISOString();
    const status = random() < 0.75 ? 'archived' : 'rejected';
    const legacy = status === 'rejected' && random() < 0.2;
    const cents = BigInt(Math.floor(random() * 100_000_000)) * BigInt(1 + Math.floor(random() * 50));
    const amount = `${cents / 100n}.${String(cents % 100n).padStart(2, '0')}`;
    const originalSize = 1_000 + Math.floor(random() * 200_000);
    return {
      id: `${orgId}-inv-${options.seed}-${index}`,
      orgId,
      time,
      status,
      issuer: legacy ? undefined : pick(issuers),
      amount: legacy ? undefined : amount,
      currency: legacy ? undefined : pick(currencies),
      // Log-uniform from 1 ms to 10 minutes; a few under a millisecond.
      processingMs: legacy
        ? undefined
        : random() < 0.02
          ? 0
          : Math.round(Math.exp(random() * Math.log(600_000))),
      originalSize: status === 'archived' ? originalSize : 0,
      compressedSize: status === 'archived' ? Math.ceil(originalSize / (2 + random() * 6)) : 0,
    };
  });
}

const uuidOf = (index: number) => `5c1a7a34-6f8b-4d5e-9b44-${String(index).padStart(12, '0')}`;

/** The final event the invoice service publishes for the invoice. */
export function finalEventOf(invoice: GeneratedInvoice, index = 0): EventEnvelope {
  const common = {
    source: 'fiscal/invoice',
    subject: invoice.id,
    tenant: invoice.orgId,
    sequence: 4,
    time: invoice.time,
  };
  if (invoice.status === 'archived') {
    return createEvent({
      ...common,
      type: 'fiscal.invoice.archived',
      data: {
        invoiceId: invoice.id,
        uuid: uuidOf(index),
        issuer: invoice.issuer!,
        amount: invoice.amount!,
        currency: invoice.currency!,
        originalSize: invoice.originalSize,
        compressedSize: invoice.compressedSize,
        storageKey: `${invoice.orgId}/${invoice.issuer}/${invoice.id}.xml.br`,
        archivedAt: invoice.time,
        processingMs: invoice.processingMs!,
      },
    });
  }
  const base = {
    invoiceId: invoice.id,
    uuid: uuidOf(index),
    reason: 'validation_failed' as const,
    errors: [],
  };
  if (invoice.issuer === undefined) {
    const event = createEvent({ ...common, type: 'fiscal.invoice.rejected', data: base });
    return { ...event, dataschema: dataschemaOf('fiscal.invoice.rejected', '1.0') };
  }
  return createEvent({
    ...common,
    type: 'fiscal.invoice.rejected',
    data: {
      ...base,
      issuer: invoice.issuer,
      amount: invoice.amount!,
      currency: invoice.currency!,
      processingMs: invoice.processingMs!,
    },
  });
}
