import type { Database } from '@fiscal/kit/db';
import { handleOnce } from '@fiscal/kit/inbox';
import { type ColumnType, type Insertable, type Selectable, sql } from 'kysely';
import type { InvoiceSummary, SummaryStore } from '../domain/invoice-summary/index.js';

interface SummariesTable {
  id: string;
  org_id: string;
  uuid: string | null;
  issuer: string | null;
  receiver: string | null;
  amount: string | null;
  currency: string | null;
  issuance_date: Date | string | null;
  status: string;
  outcome_reason: string | null;
  /** Read back parsed; written as JSON text. */
  problems: ColumnType<InvoiceSummary['problems'], string, string>;
  processing_ms: number | null;
  original_size: number | null;
  compressed_size: number | null;
  sequence: number;
  created_at: Date | string;
  updated_at: Date | string;
}

export interface QuerySchema {
  invoice_summaries: SummariesTable;
}

export function createPostgresSummaryStore(database: Database<QuerySchema>, group: string): SummaryStore {
  const selectSummaries = (db: typeof database.db) =>
    db.selectFrom('invoice_summaries').selectAll().select(sql<string | null>`amount::text`.as('amount'));

  return {
    async findById(orgId, id) {
      const row = await selectSummaries(database.db)
        .where('org_id', '=', orgId)
        .where('id', '=', id)
        .executeTakeFirst();
      return row && fromRow(row);
    },

    applyOnce(event, fold) {
      return handleOnce(database, group, event, async (trx) => {
        const row = await selectSummaries(trx).where('id', '=', event.subject).forUpdate().executeTakeFirst();
        const next = toRow(fold(row && fromRow(row)));
        await trx
          .insertInto('invoice_summaries')
          .values(next)
          .onConflict((conflict) => conflict.column('id').doUpdateSet(next))
          .execute();
      });
    },
  };
}

function toRow(summary: InvoiceSummary): Insertable<SummariesTable> {
  return {
    id: summary.id,
    org_id: summary.orgId,
    uuid: summary.uuid,
    issuer: summary.issuer,
    receiver: summary.receiver,
    amount: summary.amount,
    currency: summary.currency,
    issuance_date: summary.issuanceDate,
    status: summary.status,
    outcome_reason: summary.outcomeReason,
    problems: JSON.stringify(summary.problems),
    processing_ms: summary.processingMs,
    original_size: summary.originalSize,
    compressed_size: summary.compressedSize,
    sequence: summary.sequence,
    created_at: summary.createdAt,
    updated_at: summary.updatedAt,
  };
}

function fromRow(row: Selectable<SummariesTable>): InvoiceSummary {
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
    problems: row.problems,
    processingMs: row.processing_ms,
    originalSize: row.original_size,
    compressedSize: row.compressed_size,
    sequence: row.sequence,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}
