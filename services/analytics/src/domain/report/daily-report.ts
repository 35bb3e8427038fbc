import { Decimal } from 'decimal.js';
import { mergeBuckets, percentileOf } from '../latency/latency-histogram.js';
import type { DailyRollup, FinalStatus } from '../rollup/index.js';

export const topIssuersPerCurrency = 10;

/** Archived invoices are the day's fiscal totals; rejected ones are counted apart. */
export interface CurrencyTotal {
  currency: string;
  /** Decimal strings. */
  amount: string;
  count: number;
  rejectedAmount: string;
  rejectedCount: number;
}

export interface IssuerTotal {
  issuer: string;
  currency: string;
  amount: string;
  count: number;
}

export interface LatencyPercentiles {
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

export interface DailyReport {
  date: string;
  totals: CurrencyTotal[];
  statuses: { status: FinalStatus; count: number }[];
  /** The issuers with the largest archived amount, up to ten per currency. */
  topIssuers: IssuerTotal[];
  originalBytes: number;
  compressedBytes: number;
  /** original / compressed over archived invoices; 0 when there are none. */
  compressionRatio: number;
  /** Undefined when no invoice of the day carried a processing time. */
  latency: LatencyPercentiles | undefined;
}

interface Sum {
  amount: Decimal;
  count: number;
}

const emptySum = (): Sum => ({ amount: new Decimal(0), count: 0 });
const add = (sum: Sum, rollup: DailyRollup) => {
  sum.amount = sum.amount.plus(rollup.amount);
  sum.count += rollup.count;
};
/** Cents at least ("1160.50", not "1160.5"), every decimal an amount carried beyond them. */
const amountText = (amount: Decimal) => amount.toFixed(Math.max(2, amount.decimalPlaces()));
const byText = (left: string, right: string) => (left < right ? -1 : left > right ? 1 : 0);

/** The report of one day from its rollups: exact decimal sums, percentiles merged from histograms. */
export function summariseDay(date: string, rollups: readonly DailyRollup[]): DailyReport {
  const currencies = new Map<string, { archived: Sum; rejected: Sum }>();
  const issuers = new Map<string, { issuer: string; currency: string; sum: Sum }>();
  const statuses: Record<FinalStatus, number> = { archived: 0, rejected: 0 };
  let originalBytes = 0;
  let compressedBytes = 0;

  for (const rollup of rollups) {
    let currency = currencies.get(rollup.currency);
    if (!currency) {
      currency = { archived: emptySum(), rejected: emptySum() };
      currencies.set(rollup.currency, currency);
    }
    add(currency[rollup.status], rollup);
    statuses[rollup.status] += rollup.count;
    if (rollup.status !== 'archived') continue;
    originalBytes += rollup.originalBytes;
    compressedBytes += rollup.compressedBytes;
    const key = `${rollup.currency} ${rollup.issuer}`;
    let issuer = issuers.get(key);
    if (!issuer) {
      issuer = { issuer: rollup.issuer, currency: rollup.currency, sum: emptySum() };
      issuers.set(key, issuer);
    }
    add(issuer.sum, rollup);
  }

  const latency = mergeBuckets(rollups.map((rollup) => rollup.latency));
  const p50 = percentileOf(latency, 0.5);
  return {
    date,
    totals: [...currencies.entries()]
      .sort(([left], [right]) => byText(left, right))
      .map(([currency, { archived, rejected }]) => ({
        currency,
        amount: amountText(archived.amount),
        count: archived.count,
        rejectedAmount: amountText(rejected.amount),
        rejectedCount: rejected.count,
      })),
    statuses: (['archived', 'rejected'] as const).map((status) => ({ status, count: statuses[status] })),
    topIssuers: topIssuersOf([...issuers.values()]),
    originalBytes,
    compressedBytes,
    compressionRatio: compressedBytes === 0 ? 0 : originalBytes / compressedBytes,
    latency:
      p50 === undefined
        ? undefined
        : { p50Ms: p50, p95Ms: percentileOf(latency, 0.95)!, p99Ms: percentileOf(latency, 0.99)! },
  };
}

/** Amounts of different currencies are not compared: the top issuers are ranked per currency. */
function topIssuersOf(issuers: { issuer: string; currency: string; sum: Sum }[]): IssuerTotal[] {
  const ranked = [...issuers].sort(
    (left, right) =>
      byText(left.currency, right.currency) ||
      right.sum.amount.comparedTo(left.sum.amount) ||
      byText(left.issuer, right.issuer),
  );
  const shown = new Map<string, number>();
  const top: IssuerTotal[] = [];
  for (const { issuer, currency, sum } of ranked) {
    const count = shown.get(currency) ?? 0;
    if (count >= topIssuersPerCurrency) continue;
    shown.set(currency, count + 1);
    top.push({ issuer, currency, amount: amountText(sum.amount), count: sum.count });
  }
  return top;
}
