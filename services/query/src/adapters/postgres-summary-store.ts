import type { EventEnvelope } from '@fiscal/contracts';
import type { Database } from '@fiscal/kit/db';
import { type Insertable, type RawBuilder, sql, type Transaction, type Updateable } from 'kysely';
import { advances, type InvoiceSummary, type SummaryStore } from '../domain/invoice-summary/index.js';
import { timelineEntryOf } from '../domain/timeline/index.js';
import { listInvoices } from './postgres-invoice-list.js';
import type { QuerySchema, SearchTable, SummariesTable, TimelineTable } from './query-schema.js';
import { selectSummaries, summaryOf } from './summary-rows.js';

export type { QuerySchema } from './query-schema.js';

/**
 * Summaries, search index and timelines in PostgreSQL. A batch of events costs the same statements
 * whatever its size: one read of the summaries it concerns, one upsert of those that advanced, one
 * insert into the search index for invoices whose submission data arrived (its document is a
 * generated column) and one insert of the timeline entries.
 *
 * The timeline is the projector's inbox: every event it handles leaves a row keyed by its event id,
 * in the same transaction as its effects, so the events a batch inserts there are the new ones. A
 * separate inbox would record the same ids a second time; and each effect is idempotent on its own
 * (a summary moves only to a newer sequence, a search entry is written once), so a redelivered event
 * changes nothing even where it is folded in again.
 */
export function createPostgresSummaryStore(database: Database<QuerySchema>): SummaryStore {
  return {
    async findById(orgId, id) {
      const row = await selectSummaries(database.db)
        .where('org_id', '=', orgId)
        .where('id', '=', id)
        .executeTakeFirst();
      return row && summaryOf(row);
    },

    list: (query) => listInvoices(database.db, query),

    applyOnce(events, fold) {
      if (events.length === 0) return Promise.resolve([]);
      // Concurrent batches holding the same event insert its timeline row in one order, never crosswise.
      const byId = [...events].sort((left, right) => compare(left.id, right.id));
      return database.transaction(async (trx) => {
        const eventsByInvoice = groupBySubject(byId);
        const ids = [...eventsByInvoice.keys()].sort(compare);
        const rows = await selectSummaries(trx).where('id', 'in', ids).execute();
        const held = new Map(rows.map((row) => [row.id, summaryOf(row)]));
        const advanced: Insertable<SummariesTable>[] = [];
        const searchable: Insertable<SearchTable>[] = [];
        for (const id of ids) {
          const current = held.get(id);
          const next = fold(current, eventsByInvoice.get(id)!);
          if (!next || !advances(next, current)) continue;
          advanced.push(toRow(next));
          const entry = searchEntryOf(next);
          if (entry && !searchEntryOf(current)) searchable.push(entry);
        }
        if (advanced.length > 0) await saveSummaries(trx, advanced);
        if (searchable.length > 0) {
          await trx
            .insertInto('invoice_search')
            .values(searchable)
            // Another replica, or a replay, indexed it first: the submission data never change.
            .onConflict((conflict) => conflict.column('id').doNothing())
            .execute();
        }
        const recorded = await trx
          .insertInto('invoice_timeline')
          .values(byId.map(timelineRowOf))
          .onConflict((conflict) => conflict.column('event_id').doNothing())
          .returning('event_id')
          .execute();
        const fresh = new Set(recorded.map((row) => row.event_id));
        // A batch can carry the same event twice (published again before the first was handled).
        return byId.filter((event) => fresh.delete(event.id));
      });
    },
  };
}

/**
 * One upsert of the summaries, ordered by id so concurrent batches lock shared rows in one order.
 * Another projector may have saved an invoice since it was read, so the row is merged, not
 * overwritten, as `advances` allows: the newer version's state wins, and the submission data fill
 * in once. A concurrent replica can never move a summary back.
 */
async function saveSummaries(
  trx: Transaction<QuerySchema>,
  rows: readonly Insertable<SummariesTable>[],
): Promise<void> {
  const newer = sql<boolean>`excluded.sequence > invoice_summaries.sequence`;
  const submitted = sql<boolean>`invoice_summaries.uuid is null and excluded.uuid is not null`;
  const chosen =
    (condition: RawBuilder<boolean>) =>
    <C extends keyof SummariesTable>(column: C) =>
      sql<Updateable<SummariesTable>[C]>`case when ${condition} then ${sql.ref(`excluded.${column}`)}
        else ${sql.ref(`invoice_summaries.${column}`)} end`;
  const newest = chosen(newer);
  const submission = chosen(submitted);
  await trx
    .insertInto('invoice_summaries')
    .values([...rows])
    .onConflict((conflict) =>
      conflict
        .column('id')
        .doUpdateSet({
          status: newest('status'),
          outcome_reason: newest('outcome_reason'),
          problems: newest('problems'),
          processing_ms: newest('processing_ms'),
          original_size: newest('original_size'),
          compressed_size: newest('compressed_size'),
          updated_at: newest('updated_at'),
          sequence: sql<number>`greatest(excluded.sequence, invoice_summaries.sequence)`,
          uuid: submission('uuid'),
          issuer: submission('issuer'),
          receiver: submission('receiver'),
          amount: submission('amount'),
          currency: submission('currency'),
          issuance_date: submission('issuance_date'),
          created_at: submission('created_at'),
        })
        .where(sql<boolean>`${newer} or (${submitted})`),
    )
    .execute();
}

function groupBySubject(events: readonly EventEnvelope[]): Map<string, EventEnvelope[]> {
  const groups = new Map<string, EventEnvelope[]>();
  for (const event of events) {
    const group = groups.get(event.subject);
    if (group) group.push(event);
    else groups.set(event.subject, [event]);
  }
  return groups;
}

function compare(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0;
}

function timelineRowOf(event: EventEnvelope): Insertable<TimelineTable> {
  const entry = timelineEntryOf(event);
  return {
    event_id: entry.eventId,
    invoice_id: event.subject,
    org_id: event.tenant,
    type: entry.type,
    sequence: entry.sequence,
    occurred_at: entry.occurredAt,
    detail: JSON.stringify(entry.detail ?? null),
  };
}

/** The search entry of a summary whose submission data are known. */
function searchEntryOf(summary: InvoiceSummary | undefined): Insertable<SearchTable> | undefined {
  if (!summary?.uuid || !summary.issuer || !summary.receiver) return undefined;
  return {
    id: summary.id,
    org_id: summary.orgId,
    uuid: summary.uuid,
    issuer: summary.issuer,
    receiver: summary.receiver,
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
