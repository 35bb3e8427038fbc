import { createClient, type Transport } from '@connectrpc/connect';
import { AnalyticsService } from '@fiscal/contracts/rpc/analytics';
import type { Policy } from '@fiscal/kit/resilience';
import type { Reports } from '../app/reports.js';
import { callUpstream } from './call-upstream.js';

/** The analytics service's reports over gRPC, behind the upstream's breaker and bulkhead. */
export function createGrpcAnalyticsReports(transport: Transport, policy: Policy): Reports {
  const client = createClient(AnalyticsService, transport);
  return {
    async daily(requester, { date, issuer }) {
      const report = await callUpstream(policy, requester, (options) =>
        client.getDailyReport({ date, issuer }, options),
      );
      // Counts and byte totals are int64 on the wire; a day's stay far below 2^53.
      return {
        date: report.date,
        totals: report.totals.map((total) => ({
          currency: total.currency,
          amount: total.amount,
          count: Number(total.count),
          rejectedAmount: total.rejectedAmount,
          rejectedCount: Number(total.rejectedCount),
        })),
        statuses: report.statuses.map(({ status, count }) => ({ status, count: Number(count) })),
        topIssuers: report.topIssuers.map(({ issuer, currency, amount, count }) => ({
          issuer,
          currency,
          amount,
          count: Number(count),
        })),
        originalBytes: Number(report.originalBytes),
        compressedBytes: Number(report.compressedBytes),
        compressionRatio: report.compressionRatio,
        latency: report.latency
          ? { p50Ms: report.latency.p50Ms, p95Ms: report.latency.p95Ms, p99Ms: report.latency.p99Ms }
          : null,
      };
    },
  };
}
