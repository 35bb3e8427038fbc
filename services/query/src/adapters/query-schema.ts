import type { InboxSchema } from '@fiscal/kit/inbox';
import type { ColumnType, Generated } from 'kysely';
import type { InvoiceSummary } from '../domain/invoice-summary/index.js';

export interface SummariesTable {
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

/** What free text finds an invoice by, written once, when its submission data is first known. */
export interface SearchTable {
  id: string;
  org_id: string;
  uuid: string;
  issuer: string;
  receiver: string;
  /** Full-text document over issuer, receiver and uuid, kept by the database. */
  search: Generated<string>;
}

export interface TimelineTable {
  event_id: string;
  invoice_id: string;
  org_id: string;
  type: string;
  sequence: number;
  occurred_at: Date | string;
  /** Read back parsed; written as JSON text. */
  detail: ColumnType<unknown, string, string>;
}

export interface QuerySchema extends InboxSchema {
  invoice_summaries: SummariesTable;
  invoice_search: SearchTable;
  invoice_timeline: TimelineTable;
}
