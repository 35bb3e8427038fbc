import type { Requester } from './caller.js';

/** What the gateway needs from the analytics service (daily reports). */
export interface Reports {
  daily(requester: Requester, query: DailyReportQuery): Promise<DailyReport>;
}

export interface DailyReportQuery {
  /** UTC day, YYYY-MM-DD. */
  date: string;
  issuer?: string | undefined;
}

/** Amounts are decimal strings; archived invoices make the totals, rejected ones are counted apart. */
export interface DailyReport {
  date: string;
  totals: {
    currency: string;
    amount: string;
    count: number;
    rejectedAmount: string;
    rejectedCount: number;
  }[];
  statuses: { status: string; count: number }[];
  topIssuers: { issuer: string; currency: string; amount: string; count: number }[];
  originalBytes: number;
  compressedBytes: number;
  compressionRatio: number;
  /** Null when no final invoice of the day carried a processing time. */
  latency: { p50Ms: number; p95Ms: number; p99Ms: number } | null;
}
