import { type Kysely, type Selectable, sql } from 'kysely';
import type { InvoiceListItem, InvoiceSummary } from '../domain/invoice-summary/index.js';
import type { QuerySchema, SummariesTable } from './query-schema.js';

export type SummaryRow = Selectable<SummariesTable>;
export type ListItemRow = Omit<SummaryRow, 'problems'>;

/**
 * The columns of a list row: every one but the problems, which can weigh kilobytes per invoice and
 * which a list never shows.
 */
export function selectListItems(db: Kysely<QuerySchema>) {
  return db
    .selectFrom('invoice_summaries')
    .select([
      'id',
      'org_id',
      'uuid',
      'issuer',
      'receiver',
      'currency',
      'issuance_date',
      'status',
      'outcome_reason',
      'processing_ms',
      'original_size',
      'compressed_size',
      'sequence',
      'created_at',
      'updated_at',
    ])
    .select(sql<string | null>`amount::text`.as('amount'));
}

/** Every column: one invoice, problems included. */
export function selectSummaries(db: Kysely<QuerySchema>) {
  return selectListItems(db).select('problems');
}

export function listItemOf(row: ListItemRow): InvoiceListItem {
  return {
    id: row.id,
    orgId: row.org_id,
    uuid: row.uuid,
    issuer: row.issuer,
    receiver: row.receiver,
    amount: row.amount,
    currency: row.currency,
    issuanceDate: row.issuance_date === null ? null : new Date(row.issuance_date).toISOString(),
    status: row.status,
    outcomeReason: row.outcome_reason,
    processingMs: row.processing_ms,
    originalSize: row.original_size,
    compressedSize: row.compressed_size,
    sequence: row.sequence,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

export function summaryOf(row: SummaryRow): InvoiceSummary {
  return { ...listItemOf(row), problems: row.problems };
}
