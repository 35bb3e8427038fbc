import { create } from '@bufbuild/protobuf';
import type { ConnectRouter } from '@connectrpc/connect';
import { AnalyticsService, GetDailyReportResponseSchema } from '@fiscal/contracts/rpc/analytics';
import { rpcCallerOf } from '@fiscal/kit/auth';
import type { GetDailyReport } from '../app/get-daily-report.js';
import type { DailyReport } from '../domain/report/index.js';

export interface AnalyticsRpcHandlers {
  getDailyReport(query: GetDailyReport): Promise<DailyReport>;
}

/** gRPC edge of the analytics service: reports of the verified caller's organisation. */
export function registerAnalyticsRpc(router: ConnectRouter, handlers: AnalyticsRpcHandlers): void {
  router.service(AnalyticsService, {
    async getDailyReport(request, context) {
      const { orgId } = rpcCallerOf(context, 'reports:read');
      const report = await handlers.getDailyReport({
        orgId,
        date: request.date,
        issuer: request.issuer,
      });
      return toReportMessage(report);
    },
  });
}

function toReportMessage(report: DailyReport) {
  return create(GetDailyReportResponseSchema, {
    date: report.date,
    totals: report.totals.map((total) => ({
      currency: total.currency,
      amount: total.amount,
      count: BigInt(total.count),
      rejectedAmount: total.rejectedAmount,
      rejectedCount: BigInt(total.rejectedCount),
    })),
    statuses: report.statuses.map(({ status, count }) => ({ status, count: BigInt(count) })),
    topIssuers: report.topIssuers.map((issuer) => ({ ...issuer, count: BigInt(issuer.count) })),
    originalBytes: BigInt(report.originalBytes),
    compressedBytes: BigInt(report.compressedBytes),
    compressionRatio: report.compressionRatio,
    latency: report.latency,
  });
}
