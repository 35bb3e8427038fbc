import type { EventEnvelope } from '@fiscal/contracts';
import type { Database } from '@fiscal/kit/db';
import {
  type CountedDatabase,
  createCountedDatabase,
  createTestDatabase,
  probeService,
  type TestDatabase,
} from '@fiscal/kit/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyticsMigrations } from '../adapters/migrations.js';
import { type AnalyticsSchema, createPostgresRollupStore } from '../adapters/postgres-rollup-store.js';
import { relativeErrorBound } from '../domain/latency/latency-histogram.js';
import type { DailyReport } from '../domain/report/index.js';
import { directReport } from '../testing/direct-report.js';
import { finalEventOf, generateInvoices, randomSequence } from '../testing/final-invoices.js';
import { getDailyReportHandler } from './get-daily-report.js';
import { analyticsGroup, recordFinalInvoicesHandler } from './record-final-invoice.js';

const days = ['2026-11-24', '2026-11-25'];
const invoices = [
  ...generateInvoices('org_a', 500, { seed: 1, days }),
  ...generateInvoices('org_b', 150, { seed: 2, days }),
];
const events = invoices.map((invoice, index) => finalEventOf(invoice, index));

/** Every event, some of them two or three times, in a seeded random order. */
function shuffledWithDuplicates(ordered: readonly EventEnvelope[], seed: number): EventEnvelope[] {
  const random = randomSequence(seed);
  const deliveries = ordered.flatMap((event) =>
    random() < 0.3 ? [event, event, ...(random() < 0.3 ? [event] : [])] : [event],
  );
  for (let index = deliveries.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [deliveries[index], deliveries[other]] = [deliveries[other]!, deliveries[index]!];
  }
  return deliveries;
}

async function dumpRollups(database: Database<AnalyticsSchema>) {
  const { rows } = await sql`
    select org_id, day::text as day, issuer, currency, status, invoice_count::text as invoice_count,
           total_amount::text as total_amount, original_bytes::text as original_bytes,
           compressed_bytes::text as compressed_bytes, latency
      from daily_rollups order by org_id, day, issuer, currency, status`.execute(database.db);
  return rows;
}

function expectReportToMatch(report: DailyReport, expected: ReturnType<typeof directReport>) {
  const { latency, ...exact } = expected;
  expect({ ...report, latency: undefined }).toEqual({ ...exact, latency: undefined });
  if (!latency) return expect(report.latency).toBeUndefined();
  for (const key of ['p50Ms', 'p95Ms', 'p99Ms'] as const) {
    expect(Math.abs(report.latency![key] - latency[key])).toBeLessThanOrEqual(
      latency[key] * relativeErrorBound * (1 + 1e-9),
    );
  }
}

const postgresAvailable = await probeService('postgres');

describe.each([
  ['pglite', true],
  ['postgres', postgresAvailable],
] as const)('daily rollups on %s', (engine, available) => {
  let ordered: TestDatabase<AnalyticsSchema>;
  let shuffled: TestDatabase<AnalyticsSchema>;
  let batched: CountedDatabase<AnalyticsSchema>;
  let recordBatches: ReturnType<typeof recordFinalInvoicesHandler>;
  const noInstruments = { applied: () => {} };

  beforeAll(async () => {
    if (!available) return;
    [ordered, shuffled, batched] = await Promise.all([
      createTestDatabase<AnalyticsSchema>(engine, 'analytics'),
      createTestDatabase<AnalyticsSchema>(engine, 'analytics'),
      createCountedDatabase<AnalyticsSchema>(engine, 'analytics'),
    ]);
    await ordered.database.migrate(analyticsMigrations);
    await shuffled.database.migrate(analyticsMigrations);
    await batched.database.migrate(analyticsMigrations);

    const inOrder = recordFinalInvoicesHandler({
      rollups: createPostgresRollupStore(ordered.database, analyticsGroup),
      instruments: noInstruments,
    });
    for (const event of events) await inOrder([event]);

    // Eight deliveries at a time, as a consumer with a prefetch would: duplicates may race.
    const outOfOrder = recordFinalInvoicesHandler({
      rollups: createPostgresRollupStore(shuffled.database, analyticsGroup),
      instruments: noInstruments,
    });
    const deliveries = shuffledWithDuplicates(events, 42);
    const outcomes: number[] = [];
    for (let start = 0; start < deliveries.length; start += 8) {
      outcomes.push(
        ...(await Promise.all(deliveries.slice(start, start + 8).map((event) => outOfOrder([event])))),
      );
    }
    expect(outcomes.reduce((sum, applied) => sum + applied, 0)).toBe(events.length);
    expect(deliveries.length).toBeGreaterThan(events.length);

    recordBatches = recordFinalInvoicesHandler({
      rollups: createPostgresRollupStore(batched.database, analyticsGroup),
      instruments: noInstruments,
    });
  });
  afterAll(async () => {
    await ordered?.dispose();
    await shuffled?.dispose();
    await batched?.dispose();
  });

  it.skipIf(!available)('converges to the same rollups from a shuffled stream with duplicates', async () => {
    const fromOrdered = await dumpRollups(ordered.database);
    expect(fromOrdered.length).toBeGreaterThan(50);
    expect(await dumpRollups(shuffled.database)).toEqual(fromOrdered);
  });

  it.skipIf(!available)(
    'converges to the same rollups when that stream comes in batches of any size, three at once',
    async () => {
      const deliveries = shuffledWithDuplicates(events, 7);
      const random = randomSequence(7);
      const sizes = [1, 7, 50, 200];
      const batches: EventEnvelope[][] = [];
      for (let start = 0; start < deliveries.length; ) {
        const size = sizes[Math.floor(random() * sizes.length)]!;
        batches.push(deliveries.slice(start, start + size));
        start += size;
      }
      let applied = 0;
      for (let start = 0; start < batches.length; start += 3) {
        const together = await Promise.all(
          batches.slice(start, start + 3).map((batch) => recordBatches(batch)),
        );
        applied += together.reduce((sum, count) => sum + count, 0);
      }
      expect(applied).toBe(events.length);
      expect(await dumpRollups(batched.database)).toEqual(await dumpRollups(ordered.database));

      // Redelivered, whole or in part, nothing is added twice.
      expect(await recordBatches(deliveries.slice(0, 300))).toBe(0);
      expect(await dumpRollups(batched.database)).toEqual(await dumpRollups(ordered.database));
    },
  );

  it.skipIf(!available)(
    'adds a batch of 100 final events in four statements, whatever its size',
    async () => {
      const more = generateInvoices('org_c', 100, { seed: 3, days });
      const batch = more.map((invoice, index) => finalEventOf(invoice, 10_000 + index));
      const before = await batched.statements();
      expect(await recordBatches(batch)).toBe(100);
      // begin, inbox, one upsert of every rollup the batch adds to, commit.
      expect((await batched.statements()) - before).toBe(4);
      const report = getDailyReportHandler(createPostgresRollupStore(batched.database, analyticsGroup));
      for (const date of days)
        expectReportToMatch(
          await report({ orgId: 'org_c', date }),
          directReport(more, { orgId: 'org_c', date }),
        );
    },
  );

  it.skipIf(!available)('reports the numbers a direct computation over the invoices gives', async () => {
    const report = getDailyReportHandler(createPostgresRollupStore(shuffled.database, analyticsGroup));
    for (const date of days) {
      const expected = directReport(invoices, { orgId: 'org_a', date });
      expect(expected.topIssuers.length).toBeGreaterThan(20);
      expectReportToMatch(await report({ orgId: 'org_a', date }), expected);
    }
  });

  it.skipIf(!available)(
    'reports one issuer alone when asked, rejections of unknown issuers apart',
    async () => {
      const report = getDailyReportHandler(createPostgresRollupStore(shuffled.database, analyticsGroup));
      for (const issuer of ['ISS000003AB1', 'unknown']) {
        const expected = directReport(invoices, { orgId: 'org_a', date: days[0]!, issuer });
        expect(expected.statuses.some((status) => status.count > 0)).toBe(true);
        expectReportToMatch(await report({ orgId: 'org_a', date: days[0]!, issuer }), expected);
      }
    },
  );

  it.skipIf(!available)("never shows another organisation's invoices", async () => {
    const report = getDailyReportHandler(createPostgresRollupStore(shuffled.database, analyticsGroup));
    expectReportToMatch(
      await report({ orgId: 'org_b', date: days[1]! }),
      directReport(invoices, { orgId: 'org_b', date: days[1]! }),
    );
    expect(await report({ orgId: 'org_c', date: days[0]! })).toEqual({
      date: days[0],
      totals: [],
      statuses: [
        { status: 'archived', count: 0 },
        { status: 'rejected', count: 0 },
      ],
      topIssuers: [],
      originalBytes: 0,
      compressedBytes: 0,
      compressionRatio: 0,
      latency: undefined,
    });
  });

  it.skipIf(!available)('refuses a date that is not a calendar day, naming the field', async () => {
    const report = getDailyReportHandler(createPostgresRollupStore(shuffled.database, analyticsGroup));
    for (const date of ['2026-02-30', '2026-1-05', 'yesterday', '']) {
      await expect(report({ orgId: 'org_a', date })).rejects.toMatchObject({
        kind: 'invalid',
        code: 'validation_failed',
        errors: [{ field: '/date', code: 'invalid_date' }],
      });
    }
  });
});
