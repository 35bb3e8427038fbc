import type { Logger } from 'pino';
import type { ObjectStore } from '../domain/document/index.js';
import type { ShardRetention } from '../domain/retention/index.js';

export interface RetentionPolicy {
  /** Invoices and their archived originals are kept this many years after their issuance month. */
  documentYears: number;
  /** Published events are kept this long (0: as long as the invoices they are about). */
  eventRetentionMs: number;
}

export interface RetentionReport {
  dryRun: boolean;
  /** Invoices issued before this were past the keeping period. */
  documentCutoff: string;
  /** Events recorded before this were past their retention. */
  eventCutoff: string;
  invoiceMonths: { shard: number; month: string; invoices: number; documents: number }[];
  outboxMonths: { shard: number; month: string; events: number }[];
  /** Outbox months past retention still holding unpublished events: kept until they are published. */
  keptOutboxMonths: { shard: number; month: string; unpublished: number }[];
  documentsRemoved: number;
}

/**
 * Retention of the invoice store: months of invoices wholly past the legal keeping period (CFDI:
 * five years) go with their archived originals, months of the event log past its retention go too,
 * whole partitions at a time; the coming months' outbox partitions are made ready. With `dryRun`,
 * it only reports what it would remove.
 */
export async function applyRetention(dependencies: {
  shards: readonly ShardRetention[];
  objects: ObjectStore;
  policy: RetentionPolicy;
  now: Date;
  dryRun: boolean;
  logger?: Logger;
}): Promise<RetentionReport> {
  const { shards, objects, policy, now, dryRun, logger } = dependencies;
  const documentCutoff = new Date(
    Date.UTC(now.getUTCFullYear() - policy.documentYears, now.getUTCMonth(), now.getUTCDate()),
  );
  // Events about invoices that are gone have nothing left to rebuild.
  const eventCutoff =
    policy.eventRetentionMs > 0 && now.getTime() - policy.eventRetentionMs > documentCutoff.getTime()
      ? new Date(now.getTime() - policy.eventRetentionMs)
      : documentCutoff;
  const report: RetentionReport = {
    dryRun,
    documentCutoff: documentCutoff.toISOString(),
    eventCutoff: eventCutoff.toISOString(),
    invoiceMonths: [],
    outboxMonths: [],
    keptOutboxMonths: [],
    documentsRemoved: 0,
  };
  const monthOf = (from: Date) => from.toISOString().slice(0, 7);
  for (const shard of shards) {
    if (!dryRun) await shard.prepareComingMonths(now);
    for (const month of await shard.expiredInvoiceMonths(documentCutoff)) {
      const documents = await shard.archivedDocuments(month);
      report.invoiceMonths.push({
        shard: shard.shard,
        month: monthOf(month.from),
        invoices: month.rows,
        documents: documents.length,
      });
      if (dryRun) continue;
      // Originals first: a crash in between leaves rows whose documents are gone, which the next
      // run drops, never documents no row points to.
      for (const key of documents) if (await objects.delete(key)) report.documentsRemoved += 1;
      await shard.dropInvoiceMonth(month);
      logger?.info(
        { shard: shard.shard, month: monthOf(month.from), invoices: month.rows, documents: documents.length },
        'retention: invoices past the keeping period removed',
      );
    }
    for (const month of await shard.expiredOutboxMonths(eventCutoff)) {
      if (month.unpublished > 0) {
        report.keptOutboxMonths.push({
          shard: shard.shard,
          month: monthOf(month.from),
          unpublished: month.unpublished,
        });
        continue;
      }
      report.outboxMonths.push({ shard: shard.shard, month: monthOf(month.from), events: month.rows });
      if (dryRun) continue;
      await shard.dropOutboxMonth(month);
      logger?.info(
        { shard: shard.shard, month: monthOf(month.from), events: month.rows },
        'retention: events past their retention removed',
      );
    }
  }
  return report;
}
