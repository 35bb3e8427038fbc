import type { Database } from '@fiscal/kit/db';
import { maxTimelineEntries, type TimelineStore } from '../domain/timeline/index.js';
import type { QuerySchema } from './query-schema.js';

export function createPostgresTimelineStore(database: Database<QuerySchema>): TimelineStore {
  return {
    async findByInvoice(orgId, invoiceId) {
      const rows = await database.db
        .selectFrom('invoice_timeline')
        .select(['event_id', 'type', 'sequence', 'occurred_at', 'detail'])
        .where('org_id', '=', orgId)
        .where('invoice_id', '=', invoiceId)
        .orderBy('sequence')
        .orderBy('occurred_at')
        .orderBy('event_id')
        .limit(maxTimelineEntries)
        .execute();
      return rows.map((row) => ({
        eventId: row.event_id,
        type: row.type,
        sequence: row.sequence,
        occurredAt: new Date(row.occurred_at).toISOString(),
        detail: row.detail,
      }));
    },
  };
}
