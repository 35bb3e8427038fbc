import type { EventEnvelope } from '@fiscal/contracts';
import type { Database } from '@fiscal/kit/db';
import { queryMigrations } from './adapters/migrations.js';
import { resetReadModel } from './adapters/postgres-read-model-reset.js';
import { createPostgresSummaryStore } from './adapters/postgres-summary-store.js';
import type { QuerySchema } from './adapters/query-schema.js';
import { projectInvoiceEventsHandler, projectorGroup } from './app/project-invoice-event.js';
import { projectedEventTypes } from './domain/invoice-summary/index.js';

export interface ReplayReadModelOptions {
  database: Database<QuerySchema>;
  /** The invoice service's event log, in any order: the projection converges regardless. */
  events: AsyncIterable<EventEnvelope>;
}

export interface ReplayReport {
  applied: number;
  /** Events met more than once in the log (no second effect). */
  duplicates: number;
  /** Events of types the read model does not project. */
  skipped: number;
}

/** Events of the log applied in one transaction: six statements a batch, where each event took six. */
export const replayBatchSize = 500;

/**
 * Rebuilds the read model from scratch: empties it (summaries, timelines, search index, the
 * projector's inbox) and applies every event, `replayBatchSize` at a time, through the projector
 * the live service runs. Run it with the query service stopped; its cached summaries expire with
 * their TTL.
 */
export async function replayReadModel({ database, events }: ReplayReadModelOptions): Promise<ReplayReport> {
  await database.migrate(queryMigrations);
  await resetReadModel(database, projectorGroup);
  const project = projectInvoiceEventsHandler(createPostgresSummaryStore(database));
  const projected = new Set(projectedEventTypes);
  const report: ReplayReport = { applied: 0, duplicates: 0, skipped: 0 };
  let batch: EventEnvelope[] = [];
  const flush = async () => {
    const applied = await project(batch);
    report.applied += applied;
    report.duplicates += batch.length - applied;
    batch = [];
  };
  for await (const event of events) {
    if (!projected.has(event.type)) {
      report.skipped += 1;
      continue;
    }
    batch.push(event);
    if (batch.length === replayBatchSize) await flush();
  }
  if (batch.length > 0) await flush();
  return report;
}
