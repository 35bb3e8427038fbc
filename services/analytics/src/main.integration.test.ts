import { createClient } from '@connectrpc/connect';
import { parseEvent } from '@fiscal/contracts';
import { AnalyticsService } from '@fiscal/contracts/rpc/analytics';
import { createTestTokenIssuer } from '@fiscal/kit/auth/testing';
import { createInProcessBus, createMemoryQueueStore, type EventBus } from '@fiscal/kit/events';
import { fromConnectError } from '@fiscal/kit/grpc';
import type { ServiceModule } from '@fiscal/kit/runtime';
import { createTestDatabase, probeService, type TestDatabase } from '@fiscal/kit/testing';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyticsGroup } from './app/record-final-invoice.js';
import { type AnalyticsSchema, createAnalyticsService } from './main.js';
import { finalEventOf, type GeneratedInvoice } from './testing/final-invoices.js';

const logger = pino({ level: 'silent' });
const issuer = createTestTokenIssuer();

const oneHourAgo = new Date(Date.now() - 3_600_000);
const day = oneHourAgo.toISOString().slice(0, 10);
const invoice = (id: string, changes: Partial<GeneratedInvoice>): GeneratedInvoice => ({
  id,
  orgId: 'org_a',
  time: oneHourAgo.toISOString(),
  status: 'archived',
  issuer: 'EKU9003173C9',
  amount: '1160.00',
  currency: 'MXN',
  processingMs: 800,
  originalSize: 6_000,
  compressedSize: 2_000,
  ...changes,
});
const invoices = [
  invoice('inv-1', {}),
  invoice('inv-2', { amount: '0.50', processingMs: 1_200, originalSize: 3_000, compressedSize: 1_000 }),
  invoice('inv-3', {
    status: 'rejected',
    amount: '99.99',
    processingMs: 40,
    originalSize: 0,
    compressedSize: 0,
  }),
  // A rejection published before version 1.1 of its event: no issuer, amount or currency.
  invoice('inv-4', {
    status: 'rejected',
    issuer: undefined,
    amount: undefined,
    currency: undefined,
    processingMs: undefined,
    originalSize: 0,
    compressedSize: 0,
  }),
  invoice('inv-5', { orgId: 'org_b', amount: '5000.00' }),
];

const postgresAvailable = await probeService('postgres');

describe.each([
  ['pglite', true],
  ['postgres', postgresAvailable],
] as const)('the analytics service on %s', (engine, available) => {
  let test: TestDatabase<AnalyticsSchema>;
  let bus: EventBus;
  let service: ServiceModule;
  const registry = new Registry();

  beforeAll(async () => {
    if (!available) return;
    test = await createTestDatabase<AnalyticsSchema>(engine, 'analytics');
    bus = createInProcessBus({ store: createMemoryQueueStore(), logger, registry, validate: parseEvent });
    service = await createAnalyticsService({ database: test.database, bus, registry });
    await service.start();
  });
  afterAll(async () => {
    await service?.stop();
    await bus?.close();
    await test?.dispose();
  });

  const clientOf = async (orgId: string) =>
    createClient(AnalyticsService, (await issuer).transport(service.registerRpc!, { orgId }));

  it.skipIf(!available)(
    'rolls up the final events it consumes, each once, and reports them over gRPC',
    async () => {
      const events = invoices.map((each, index) => finalEventOf(each, index));
      await bus.publish(events);
      await bus.publish([events[0]!]);
      const finalInvoicesOf = async (orgId: string) => {
        const { statuses } = await (await clientOf(orgId)).getDailyReport({ date: day });
        return statuses.reduce((sum, status) => sum + status.count, 0n);
      };
      await expect
        .poll(async () => [await finalInvoicesOf('org_a'), await finalInvoicesOf('org_b')])
        .toEqual([4n, 1n]);

      const report = await (await clientOf('org_a')).getDailyReport({ date: day });
      expect(report).toMatchObject({
        date: day,
        totals: [
          { currency: 'MXN', amount: '1160.50', count: 2n, rejectedAmount: '99.99', rejectedCount: 1n },
          { currency: 'unknown', amount: '0.00', count: 0n, rejectedAmount: '0.00', rejectedCount: 1n },
        ],
        statuses: [
          { status: 'archived', count: 2n },
          { status: 'rejected', count: 2n },
        ],
        topIssuers: [{ issuer: 'EKU9003173C9', currency: 'MXN', amount: '1160.50', count: 2n }],
        originalBytes: 9_000n,
        compressedBytes: 3_000n,
        compressionRatio: 3,
      });
      // Nearest rank of 40, 800, 1200 ms: p50 is 800, p95 and p99 are 1200 (within 1 %).
      expect(report.latency?.p50Ms).toBeCloseTo(800, -1);
      expect(report.latency?.p99Ms).toBeCloseTo(1_200, -1);
    },
  );

  it.skipIf(!available)('exposes the consumer lag and the age of the last event it applied', async () => {
    const lag = await registry.getSingleMetric('analytics_event_lag_seconds')!.get();
    const total = (name: string) =>
      lag.values
        .filter((value) => (value as { metricName?: string }).metricName === name)
        .reduce((sum, value) => sum + value.value, 0);
    // Five events applied, the redelivered one not counted again; each an hour old.
    expect(total('analytics_event_lag_seconds_count')).toBe(5);
    expect(total('analytics_event_lag_seconds_sum')).toBeGreaterThanOrEqual(5 * 3_600);

    const age = await registry.getSingleMetric('analytics_last_event_age_seconds')!.get();
    expect(age.values[0]!.value).toBeGreaterThanOrEqual(3_600);
    expect(age.values[0]!.value).toBeLessThan(3_600 + 60);
  });

  it.skipIf(!available)(
    'answers a date that is not a day with invalid_argument naming the field',
    async () => {
      const error = await (await clientOf('org_a'))
        .getDailyReport({ date: '2026-13-01' })
        .catch((caught: unknown) => fromConnectError(caught));
      expect(error).toMatchObject({
        kind: 'invalid',
        code: 'validation_failed',
        errors: [{ field: '/date', code: 'invalid_date' }],
      });
    },
  );

  it.skipIf(!available)('refuses a caller without a token or without reports:read', async () => {
    const refusal = (transport: Parameters<typeof createClient>[1]) =>
      createClient(AnalyticsService, transport)
        .getDailyReport({ date: day })
        .catch((caught: unknown) => fromConnectError(caught));
    const tokens = await issuer;
    expect(await refusal(tokens.transport(service.registerRpc!, null))).toMatchObject({
      kind: 'unauthenticated',
    });
    expect(
      await refusal(tokens.transport(service.registerRpc!, { scopes: ['invoices:read', 'invoices:write'] })),
    ).toMatchObject({ kind: 'forbidden', code: 'insufficient_scope' });
  });

  it.skipIf(!available)(
    'commits a batch around its poison event and dead-letters that event alone, at once',
    async () => {
      const events = Array.from({ length: 12 }, (_, index) =>
        finalEventOf(invoice(`inv-p${index}`, { orgId: 'org_p', amount: '10.00' }), 100 + index),
      );
      // Published by hand, say, with an id that is no UUID: the inbox cannot record it.
      const poison = { ...events[5]!, id: 'redriven-by-hand-5' };
      events[5] = poison;

      await bus.publish(events);

      const letters = async () => bus.deadLetters.list(analyticsGroup);
      await expect.poll(letters).toHaveLength(1);
      await expect
        .poll(async () => {
          const { statuses } = await (await clientOf('org_p')).getDailyReport({ date: day });
          return statuses.reduce((sum, status) => sum + status.count, 0n);
        })
        .toBe(11n);
      const [letter] = await letters();
      expect(letter).toMatchObject({ envelope: { id: poison.id }, attempts: 1 });
      // Refused by the database for its value: no retry could change that, so no retry was made.
      expect(letter!.error).toMatch(/^AppError: /);
      const report = await (await clientOf('org_p')).getDailyReport({ date: day });
      expect(report.totals).toMatchObject([{ currency: 'MXN', amount: '110.00', count: 11n }]);
      const durations = await registry.getSingleMetric('event_handler_duration_seconds')!.get();
      const batches = durations.values.find(
        (value) =>
          (value as { metricName?: string }).metricName === 'event_handler_duration_seconds_count' &&
          value.labels.group === analyticsGroup &&
          value.labels.type === 'batch',
      );
      expect(batches?.value).toBeGreaterThanOrEqual(1);
    },
  );

  it.skipIf(!available)('is ready when its database answers', async () => {
    for (const check of Object.values(service.readinessChecks ?? {}))
      await expect(check()).resolves.toBeUndefined();
    expect(service.name).toBe('analytics');
  });
});
