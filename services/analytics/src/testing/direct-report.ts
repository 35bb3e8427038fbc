import { Decimal } from 'decimal.js';
import type { GeneratedInvoice } from './final-invoices.js';

/**
 * The daily report computed straight from the invoices, without rollups or histograms: what the
 * service must answer. Percentiles are exact (nearest rank).
 */
export function directReport(
  invoices: readonly GeneratedInvoice[],
  query: { orgId: string; date: string; issuer?: string },
) {
  const ofDay = invoices.filter(
    (invoice) =>
      invoice.orgId === query.orgId &&
      invoice.time.slice(0, 10) === query.date &&
      (query.issuer === undefined || (invoice.issuer ?? 'unknown') === query.issuer),
  );
  const archived = ofDay.filter((invoice) => invoice.status === 'archived');
  const rejected = ofDay.filter((invoice) => invoice.status === 'rejected');
  const sum = (of: readonly GeneratedInvoice[]) =>
    of.reduce((total, invoice) => total.plus(invoice.amount ?? '0'), new Decimal(0));
  const text = (amount: Decimal) => amount.toFixed(2);

  const currencies = [...new Set(ofDay.map((invoice) => invoice.currency ?? 'unknown'))].sort();
  const inCurrency = (of: readonly GeneratedInvoice[], currency: string) =>
    of.filter((invoice) => (invoice.currency ?? 'unknown') === currency);
  const totals = currencies.map((currency) => ({
    currency,
    amount: text(sum(inCurrency(archived, currency))),
    count: inCurrency(archived, currency).length,
    rejectedAmount: text(sum(inCurrency(rejected, currency))),
    rejectedCount: inCurrency(rejected, currency).length,
  }));

  const topIssuers = currencies.flatMap((currency) => {
    const issuers = [...new Set(inCurrency(archived, currency).map((invoice) => invoice.issuer!))];
    return issuers
      .map((issuer) => {
        const own = inCurrency(archived, currency).filter((invoice) => invoice.issuer === issuer);
        return { issuer, currency, total: sum(own), count: own.length };
      })
      .sort((left, right) => right.total.comparedTo(left.total) || (left.issuer < right.issuer ? -1 : 1))
      .slice(0, 10)
      .map(({ issuer, total, count }) => ({ issuer, currency, amount: text(total), count }));
  });

  const originalBytes = archived.reduce((total, invoice) => total + invoice.originalSize, 0);
  const compressedBytes = archived.reduce((total, invoice) => total + invoice.compressedSize, 0);
  const times = ofDay
    .flatMap((invoice) => (invoice.processingMs === undefined ? [] : [invoice.processingMs]))
    .sort((left, right) => left - right);
  const percentile = (quantile: number) => times[Math.max(1, Math.ceil(quantile * times.length)) - 1]!;

  return {
    date: query.date,
    totals,
    statuses: [
      { status: 'archived', count: archived.length },
      { status: 'rejected', count: rejected.length },
    ],
    topIssuers,
    originalBytes,
    compressedBytes,
    compressionRatio: compressedBytes === 0 ? 0 : originalBytes / compressedBytes,
    latency:
      times.length === 0
        ? undefined
        : { p50Ms: percentile(0.5), p95Ms: percentile(0.95), p99Ms: percentile(0.99) },
  };
}
