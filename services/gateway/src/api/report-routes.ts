import { AppError } from '@fiscal/kit/errors';
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Reports } from '../app/reports.js';
import { requesterOf } from './authentication.js';

export interface ReportRoutesDependencies {
  reports: Reports;
}

const DailyReportQuerystring = Type.Object({
  date: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'UTC day, YYYY-MM-DD' }),
  issuer: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Issuer RFC' })),
});
type DailyReportQuerystring = Static<typeof DailyReportQuerystring>;

const Amount = Type.String({ description: 'Decimal string, e.g. "1160.00"' });
const Count = Type.Integer({ minimum: 0 });

const DailyReport = Type.Object({
  date: Type.String(),
  totals: Type.Array(
    Type.Object({
      currency: Type.String(),
      amount: Amount,
      count: Count,
      rejectedAmount: Amount,
      rejectedCount: Count,
    }),
    { description: 'Per currency: archived invoices make the totals, rejected ones are counted apart' },
  ),
  statuses: Type.Array(Type.Object({ status: Type.String(), count: Count })),
  topIssuers: Type.Array(
    Type.Object({ issuer: Type.String(), currency: Type.String(), amount: Amount, count: Count }),
    { description: 'The ten issuers with the largest archived amount, per currency' },
  ),
  originalBytes: Count,
  compressedBytes: Count,
  compressionRatio: Type.Number({
    description: 'originalBytes / compressedBytes; 0 when nothing was archived',
  }),
  latency: Type.Union(
    [Type.Object({ p50Ms: Type.Number(), p95Ms: Type.Number(), p99Ms: Type.Number() }), Type.Null()],
    { description: 'Processing-time percentiles, within 1 % of the exact values' },
  ),
});

/** 2026-02-30 has the right shape and is not a day: refused here, with the field, before any call. */
function requireCalendarDay(date: string): void {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const parsed = new Date(Date.UTC(year, month - 1, day));
  if (parsed.getUTCFullYear() === year && parsed.getUTCMonth() === month - 1 && parsed.getUTCDate() === day)
    return;
  throw new AppError('invalid', 'validation_failed', 'The request has invalid fields.', {
    errors: [{ field: '/querystring/date', code: 'invalid_date', message: 'is not a calendar day' }],
  });
}

export function registerReportRoutes(app: FastifyInstance, { reports }: ReportRoutesDependencies): void {
  app.get<{ Querystring: DailyReportQuerystring }>(
    '/api/v1/reports/daily',
    {
      config: { scope: 'reports:read' },
      schema: {
        operationId: 'getDailyReport',
        summary: "A day's invoices: counts and totals by status and currency",
        querystring: DailyReportQuerystring,
        response: { 200: DailyReport },
      },
    },
    async (request) => {
      const requester = requesterOf(request);
      requireCalendarDay(request.query.date);
      return reports.daily(requester, { date: request.query.date, issuer: request.query.issuer });
    },
  );
}
