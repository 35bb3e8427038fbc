import { randomUUID } from 'node:crypto';
import type { EventEnvelope } from '@fiscal/contracts';

export interface InvoiceFacts {
  orgId: string;
  id: string;
  uuid: string;
  issuer: string;
  receiver: string;
  issuanceDate: string;
}

/** A time-ordered id, as the invoice service's UUIDv7 ids are: `n` orders them. */
export function invoiceIdOf(n: number): string {
  const hex = n.toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7000-8000-000000000000`;
}

export function invoiceFacts(n: number, overrides: Partial<InvoiceFacts> = {}): InvoiceFacts {
  return {
    orgId: 'org_a',
    id: invoiceIdOf(n),
    uuid: randomUUID(),
    issuer: n % 2 === 0 ? 'EKU9003173C9' : 'AAA010101AAA',
    receiver: 'CACX7605101P8',
    issuanceDate: `2026-11-${String((n % 28) + 1).padStart(2, '0')}T10:00:00.000Z`,
    ...overrides,
  };
}

function envelope(facts: InvoiceFacts, type: string, sequence: number, data: object): EventEnvelope {
  return {
    specversion: '1.0',
    id: randomUUID(),
    source: 'fiscal/invoice',
    type,
    subject: facts.id,
    time: new Date(Date.UTC(2026, 10, 24, 12, 0, sequence)).toISOString(),
    datacontenttype: 'application/json',
    dataschema: `urn:fiscal:schema:${type}:1.0`,
    data: { invoiceId: facts.id, uuid: facts.uuid, ...data },
    sequence,
    tenant: facts.orgId,
    partitionkey: facts.id,
  };
}

export function createdEvent(facts: InvoiceFacts): EventEnvelope {
  return envelope(facts, 'fiscal.invoice.created', 1, {
    orgId: facts.orgId,
    issuer: facts.issuer,
    receiver: facts.receiver,
    amount: '1160.00',
    currency: 'MXN',
    issuanceDate: facts.issuanceDate,
    source: 'inline',
    checksum,
  });
}

const checksum = 'a'.repeat(64);

function processingStarted(facts: InvoiceFacts, sequence: number, attempt: number): EventEnvelope {
  return envelope(facts, 'fiscal.invoice.processing_started', sequence, {
    attempt,
    leaseExpiresAt: new Date(Date.UTC(2026, 10, 24, 12, 5, sequence)).toISOString(),
  });
}

/** The life of an invoice, as the invoice service publishes it: created, then archived, or rejected, or failed and retried. */
export function lifeOf(
  facts: InvoiceFacts,
  ending: 'pending' | 'archived' | 'rejected' | 'retried',
): EventEnvelope[] {
  const events = [createdEvent(facts)];
  if (ending === 'pending') return events;
  events.push(processingStarted(facts, 2, 1));
  if (ending === 'rejected') {
    events.push(
      envelope(facts, 'fiscal.invoice.rejected', 3, {
        reason: 'validation_failed',
        errors: [{ code: 'CFDI40101', path: '/Comprobante/@Fecha', message: 'bad date' }],
      }),
    );
    return events;
  }
  if (ending === 'retried') {
    events.push(
      envelope(facts, 'fiscal.invoice.failed', 3, { reason: 'download_failed', errors: [], attempts: 5 }),
      envelope(facts, 'fiscal.invoice.requeued', 4, { previousStatus: 'failed' }),
      processingStarted(facts, 5, 2),
    );
  }
  const last = events.at(-1)!.sequence;
  events.push(envelope(facts, 'fiscal.invoice.validated', last + 1, { validationMs: 12, checksum }));
  events.push(
    envelope(facts, 'fiscal.invoice.archived', last + 2, {
      issuer: facts.issuer,
      amount: '1160.00',
      currency: 'MXN',
      processingMs: 120,
      originalSize: 5_000,
      compressedSize: 2_400,
      storageKey: `${facts.orgId}/${facts.issuer}/2026/11/${facts.uuid}.xml.br`,
      archivedAt: new Date(Date.UTC(2026, 10, 24, 12, 0, last + 2)).toISOString(),
    }),
  );
  return events;
}

/** A deterministic pseudo-random source (mulberry32), so a failing order can be replayed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The events in a shuffled order, some of them delivered twice or three times. */
export function shuffledWithDuplicates(
  events: readonly EventEnvelope[],
  random: () => number,
): EventEnvelope[] {
  const delivered = events.flatMap((event) => {
    const copies = random() < 0.3 ? (random() < 0.5 ? 2 : 3) : 1;
    return Array.from({ length: copies }, () => event);
  });
  for (let i = delivered.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [delivered[i], delivered[j]] = [delivered[j]!, delivered[i]!];
  }
  return delivered;
}

/** The events cut into consecutive batches, each of a size drawn from `sizes`. */
export function inBatches(
  events: readonly EventEnvelope[],
  random: () => number,
  sizes: readonly number[],
): EventEnvelope[][] {
  const batches: EventEnvelope[][] = [];
  for (let start = 0; start < events.length; ) {
    const size = sizes[Math.floor(random() * sizes.length)]!;
    batches.push(events.slice(start, start + size));
    start += size;
  }
  return batches;
}
