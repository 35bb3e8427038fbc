import type { FieldProblem } from '@fiscal/kit/errors';
import {
  decodePageCursor,
  defaultPageSize,
  encodePageCursor,
  InvalidCursor,
  InvalidListQuery,
  type InvoiceListItem,
  type InvoiceListQuery,
  invoiceStatuses,
  maxPageSize,
  type SummaryStore,
} from '../domain/invoice-summary/index.js';

/** A list request as callers send it: every value optional and still text. */
export interface ListInvoices {
  orgId: string;
  status?: string | undefined;
  issuer?: string | undefined;
  receiver?: string | undefined;
  q?: string | undefined;
  /** `YYYY-MM-DD` (the whole day) or an ISO 8601 instant; both ends included. */
  from?: string | undefined;
  to?: string | undefined;
  /** 0 or absent: the default page size. */
  limit?: number | undefined;
  cursor?: string | undefined;
}

export interface InvoiceListPage {
  items: InvoiceListItem[];
  nextCursor?: string | undefined;
}

/** A page of the caller's organisation's invoices; names every bad value at once. */
export function listInvoicesHandler(summaries: SummaryStore) {
  return async (request: ListInvoices): Promise<InvoiceListPage> => {
    const page = await summaries.list(toListQuery(request));
    return { items: page.items, nextCursor: page.lastId && encodePageCursor(page.lastId) };
  };
}

const datePattern = /^\d{4}-\d{2}-\d{2}$/;
const instantPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const maxTermLength = 64;
const maxTextLength = 200;

export function toListQuery(request: ListInvoices): InvoiceListQuery {
  const problems: FieldProblem[] = [];
  const problem = (field: string, code: string, message: string) => problems.push({ field, code, message });
  const given = (value: string | undefined) => (value === undefined || value === '' ? undefined : value);

  const status = given(request.status);
  if (status !== undefined && !invoiceStatuses.includes(status)) {
    problem('status', 'invalid_enum', `must be one of ${invoiceStatuses.join(', ')}`);
  }
  for (const field of ['issuer', 'receiver'] as const) {
    const value = given(request[field]);
    if (value !== undefined && value.length > maxTermLength) {
      problem(field, 'invalid_maxLength', `must be at most ${maxTermLength} characters`);
    }
  }
  const text = given(request.q?.trim());
  if (text !== undefined && text.length > maxTextLength) {
    problem('q', 'invalid_maxLength', `must be at most ${maxTextLength} characters`);
  }
  const issuedFrom = boundOf(given(request.from), 'start');
  const issuedTo = boundOf(given(request.to), 'end');
  if (issuedFrom === null)
    problem('from', 'invalid_format', 'must be a date (YYYY-MM-DD) or an ISO 8601 instant');
  if (issuedTo === null)
    problem('to', 'invalid_format', 'must be a date (YYYY-MM-DD) or an ISO 8601 instant');
  if (issuedFrom && issuedTo && issuedFrom > issuedTo)
    problem('to', 'invalid_range', 'must not be before from');
  const limit = request.limit || defaultPageSize;
  if (!Number.isInteger(limit) || limit < 1 || limit > maxPageSize) {
    problem('limit', 'invalid_range', `must be an integer from 1 to ${maxPageSize}`);
  }
  const cursor = given(request.cursor);
  const after = cursor === undefined ? undefined : decodePageCursor(cursor);
  if (problems.length > 0) throw new InvalidListQuery(problems);
  if (cursor !== undefined && after === undefined) throw new InvalidCursor();

  return {
    orgId: request.orgId,
    status,
    issuer: given(request.issuer),
    receiver: given(request.receiver),
    text,
    issuedFrom: issuedFrom ?? undefined,
    issuedTo: issuedTo ?? undefined,
    limit,
    after,
  };
}

/**
 * A range end as an instant: a bare date covers its whole day (UTC), so `to=2026-11-30` includes
 * the invoices issued that afternoon. Null when the text is neither form or no real date.
 */
function boundOf(text: string | undefined, end: 'start' | 'end'): Date | null | undefined {
  if (text === undefined) return undefined;
  if (datePattern.test(text)) {
    const day = new Date(`${text}T00:00:00.000Z`);
    if (Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== text) return null;
    return end === 'start' ? day : new Date(day.getTime() + 86_400_000 - 1);
  }
  if (!instantPattern.test(text)) return null;
  const instant = new Date(text);
  return Number.isNaN(instant.getTime()) ? null : instant;
}
