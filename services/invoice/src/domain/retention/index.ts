/** A calendar month of a partitioned table: the unit retention removes. */
export interface RetentionMonth {
  table: 'invoices' | 'outbox';
  name: string;
  /** First instant of the month (inclusive) and of the next (exclusive), UTC. */
  from: Date;
  to: Date;
}

/** Port: what retention reads and removes on one shard. */
export interface ShardRetention {
  readonly shard: number;
  /** Invoice months wholly before `cutoff`, with how many invoices they hold. */
  expiredInvoiceMonths(cutoff: Date): Promise<(RetentionMonth & { rows: number })[]>;
  /** Storage keys of the archived originals of a month's invoices. */
  archivedDocuments(month: RetentionMonth): Promise<string[]>;
  /** Drops the month's invoices and the fiscal-UUID index entries of its invoices. */
  dropInvoiceMonth(month: RetentionMonth): Promise<void>;
  /** Outbox months wholly before `cutoff`, with their events and how many are still unpublished. */
  expiredOutboxMonths(cutoff: Date): Promise<(RetentionMonth & { rows: number; unpublished: number })[]>;
  dropOutboxMonth(month: RetentionMonth): Promise<void>;
  /** Creates the outbox's months of this month and the next two. */
  prepareComingMonths(now: Date): Promise<void>;
}
