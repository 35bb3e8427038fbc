import type { EventEnvelope, InvoiceMetadata } from '@fiscal/contracts';

/** An invoice's declared metadata, null until its created event has been folded in. */
type SubmissionFacts = { [Fact in keyof InvoiceMetadata]: InvoiceMetadata[Fact] | null };

/** The denormalised read model of one invoice, as the list and detail views show it. */
export interface InvoiceSummary extends SubmissionFacts {
  id: string;
  orgId: string;
  status: string;
  /** Why the invoice was rejected or failed; null otherwise. */
  outcomeReason: string | null;
  /** The problems of that verdict, at most `maxProblemsShown` (the invoice service keeps as many). */
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

/**
 * A row of a list: the summary without its problems, which can weigh kilobytes each (a page of 500
 * rejected invoices would carry every one); the detail of an invoice shows them.
 */
export type InvoiceListItem = Omit<InvoiceSummary, 'problems'>;

/**
 * Problems an invoice shows, as the invoice service keeps them: the first 100, each path and message
 * cut short, and one `too_many_problems` counting the rest. Events recorded before it kept so few are
 * held to the same here.
 */
export const maxProblemsShown = 100;
const maxPathLength = 300;
const maxMessageLength = 500;

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
    const data = event.data as InvoiceMetadata;
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

/**
 * Folds events of one invoice into its summary, lowest version first: the state that delivery one
 * at a time in order reaches, and which `applyEvent` makes any other order converge to.
 */
export function applyEvents(
  current: InvoiceSummary | undefined,
  events: readonly EventEnvelope[],
): InvoiceSummary | undefined {
  return [...events]
    .sort((left, right) => left.sequence - right.sequence)
    .reduce<InvoiceSummary | undefined>(applyEvent, current);
}

/**
 * Whether `next` holds something `held` does not: a newer version, or the submission data of the
 * created event. Nothing else can change, so a summary that does neither need not be written; and
 * a store writing over a row another projector changed meanwhile keeps exactly these two moves.
 */
export function advances(next: InvoiceSummary, held: InvoiceSummary | undefined): boolean {
  return held === undefined || next.sequence > held.sequence || (held.uuid === null && next.uuid !== null);
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
      return { outcomeReason: data.reason ?? null, problems: shownProblems(data.errors ?? []) };
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

export function shownProblems(problems: InvoiceSummary['problems']): InvoiceSummary['problems'] {
  // A list the invoice service cut short already ends with its count.
  if (problems.length <= maxProblemsShown + 1) return problems.map(shortenedProblem);
  const rest = problems.length - maxProblemsShown;
  return [
    ...problems.slice(0, maxProblemsShown).map(shortenedProblem),
    {
      code: 'too_many_problems',
      path: '',
      message: `and ${rest} more problems: only the first ${maxProblemsShown} are listed`,
    },
  ];
}

function shortenedProblem({ code, path, message }: InvoiceSummary['problems'][number]) {
  return { code, path: shortened(path, maxPathLength), message: shortened(message, maxMessageLength) };
}

function shortened(text: string, maxLength: number): string {
  return text.length > maxLength ? `${text.slice(0, maxLength - 3)}...` : text;
}
