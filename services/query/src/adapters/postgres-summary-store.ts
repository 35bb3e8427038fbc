import type { Database } from '@fiscal/kit/db';
import { handleOnce } from '@fiscal/kit/inbox';
import type { Insertable } from 'kysely';
import type { InvoiceSummary, SummaryStore } from '../domain/invoice-summary/index.js';
import { timelineEntryOf } from '../domain/timeline/index.js';
import { listInvoices } from './postgres-invoice-list.js';
import type { QuerySchema, SummariesTable } from './query-schema.js';
import { selectSummaries, summaryOf } from './summary-rows.js';

export type { QuerySchema } from './query-schema.js';

export function createPostgresSummaryStore(database: Database<QuerySchema>, group: string): SummaryStore {
  return {
    async findById(orgId, id) {
      const row = await selectSummaries(database.db)
        .where('org_id', '=', orgId)
        .where('id', '=', id)
        .executeTakeFirst();
      return row && summaryOf(row);
    },

    list: (query) => listInvoices(database.db, query),

    applyOnce(event, fold) {
      return handleOnce(database, group, event, async (trx) => {
        const row = await selectSummaries(trx).where('id', '=', event.subject).forUpdate().executeTakeFirst();
        const next = toRow(fold(row && summaryOf(row)));
        await trx
          .insertInto('invoice_summaries')
          .values(next)
          .onConflict((conflict) => conflict.column('id').doUpdateSet(next))
          .execute();
        const entry = timelineEntryOf(event);
        await trx
          .insertInto('invoice_timeline')
          .values({
            event_id: entry.eventId,
            invoice_id: event.subject,
            org_id: event.tenant,
            type: entry.type,
            sequence: entry.sequence,
            occurred_at: entry.occurredAt,
            detail: JSON.stringify(entry.detail ?? null),
          })
          // The inbox already keeps an event single; this keeps a replay that skipped it single too.
          .onConflict((conflict) => conflict.column('event_id').doNothing())
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
