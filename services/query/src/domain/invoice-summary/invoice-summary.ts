import type { EventEnvelope } from '@fiscal/contracts';

/** The denormalised read model of one invoice, as the list and detail views show it. */
export interface InvoiceSummary {
  id: string;
  orgId: string;
  uuid: string | null;
  issuer: string | null;
  receiver: string | null;
  amount: string | null;
  currency: string | null;
  issuanceDate: string | null;
  status: string;
  /** Why the invoice was rejected or failed, with every problem found; null otherwise. */
  outcomeReason: string | null;
  problems: { code: string; path: string; message: string }[];
  /** Set once archived. */
  processingMs: number | null;
  originalSize: number | null;
  compressedSize: number | null;
  /** The newest aggregate version applied; older events never overwrite newer state. */
  sequence: number;
  createdAt: string;
  updatedAt: string;
}

const statusByEventType: Record<string, string> = {
  'fiscal.invoice.created': 'pending',
  'fiscal.invoice.processing_started': 'processing',
  'fiscal.invoice.validated': 'validated',
  'fiscal.invoice.archived': 'archived',
  'fiscal.invoice.rejected': 'rejected',
  'fiscal.invoice.failed': 'failed',
  'fiscal.invoice.requeued': 'pending',
};

export const projectedEventTypes = Object.keys(statusByEventType);

/** Every status a summary can be in. */
export const invoiceStatuses: readonly string[] = [...new Set(Object.values(statusByEventType))];

interface CreatedData {
  uuid: string;
  issuer: string;
  receiver: string;
  amount: string;
  currency: string;
  issuanceDate: string;
}

/**
 * Folds one event into the summary. Status follows the newest sequence seen, so duplicated or
 * out-of-order delivery converges on the same state; the immutable submission data of `created`
 * is filled in whenever it arrives, even after a later event.
 */
export function applyEvent(current: InvoiceSummary | undefined, event: EventEnvelope): InvoiceSummary {
  const status = statusByEventType[event.type];
  if (status === undefined) throw new Error(`not a projected event type: ${event.type}`);
  const base: InvoiceSummary = current ?? {
    id: event.subject,
    orgId: event.tenant,
    uuid: null,
    issuer: null,
    receiver: null,
    amount: null,
    currency: null,
    issuanceDate: null,
    status,
    outcomeReason: null,
    problems: [],
    processingMs: null,
    originalSize: null,
    compressedSize: null,
    sequence: 0,
    createdAt: event.time,
    updatedAt: event.time,
  };
  const newer = event.sequence > base.sequence;
  const next: InvoiceSummary = newer
    ? { ...base, ...outcomeOf(event), status, sequence: event.sequence, updatedAt: event.time }
    : { ...base };
  if (event.type === 'fiscal.invoice.created') {
    const data = event.data as CreatedData;
    Object.assign(next, {
      uuid: data.uuid,
      issuer: data.issuer,
      receiver: data.receiver,
      amount: data.amount,
      currency: data.currency,
      issuanceDate: data.issuanceDate,
      createdAt: event.time,
    });
  }
  return next;
}

interface OutcomeData {
  reason?: string;
  errors?: InvoiceSummary['problems'];
  processingMs?: number;
  originalSize?: number;
  compressedSize?: number;
}

/** What the newest event says of the verdict: the reason and problems, or the archive's figures. */
function outcomeOf(event: EventEnvelope): Partial<InvoiceSummary> {
  const data = event.data as OutcomeData;
  switch (event.type) {
    case 'fiscal.invoice.rejected':
    case 'fiscal.invoice.failed':
      return { outcomeReason: data.reason ?? null, problems: data.errors ?? [] };
    case 'fiscal.invoice.archived':
      return {
        outcomeReason: null,
        problems: [],
        processingMs: data.processingMs ?? null,
        originalSize: data.originalSize ?? null,
        compressedSize: data.compressedSize ?? null,
      };
    default:
      // A new attempt (requeued, processing again) leaves the last verdict behind.
      return { outcomeReason: null, problems: [] };
  }
}
