import { type EventEnvelope, parseEvent } from '@fiscal/contracts';
import { createInProcessBus, createMemoryQueueStore, type InProcessBus } from '@fiscal/kit/events';
import type { ServiceModule } from '@fiscal/kit/runtime';
import { type CountedDatabase, createCountedDatabase, probeService } from '@fiscal/kit/testing';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresSummaryStore } from './adapters/postgres-summary-store.js';
import { projectorGroup } from './app/project-invoice-event.js';
import { createQueryService, type QuerySchema } from './main.js';
import { invoiceFacts, lifeOf } from './testing/invoice-events.js';

const logger = pino({ level: 'silent' });
const postgresAvailable = await probeService('postgres');

/** A rejection quoting a document that held a NUL: PostgreSQL stores no NUL in text or jsonb. */
function withNulInItsProblem(rejected: EventEnvelope): EventEnvelope {
  return {
    ...rejected,
    data: {
      ...(rejected.data as object),
      errors: [{ code: 'xml_malformed', path: '/cfdi:Comprobante', message: 'unexpected \u0000 in text' }],
    },
  };
}

describe.each([
  ['pglite', true],
  ['postgres', postgresAvailable],
] as const)('the query projector on %s', (engine, available) => {
  let test: CountedDatabase<QuerySchema>;
  let bus: InProcessBus;
  let service: ServiceModule;
  const registry = new Registry();

  beforeAll(async () => {
    if (!available) return;
    test = await createCountedDatabase<QuerySchema>(engine, 'query');
    bus = createInProcessBus({
      store: createMemoryQueueStore(),
      logger,
      registry,
      validate: parseEvent,
      pollIntervalMs: 10,
    });
    service = await createQueryService({ database: test.database, bus, registry });
    await service.start();
  });
  afterAll(async () => {
    await service?.stop();
    await bus?.close();
    await test?.dispose();
  });

  /** Deliveries of the projector's group handled with this outcome, as the bus counts them. */
  async function consumed(outcome: string): Promise<number> {
    const metric = await registry.getSingleMetric('events_consumed_total')!.get();
    return metric.values
      .filter((value) => value.labels.group === projectorGroup && value.labels.outcome === outcome)
      .reduce((sum, value) => sum + value.value, 0);
  }

  it.skipIf(!available)('projects the events at hand in one transaction, not one per event', async () => {
    const events = Array.from({ length: 25 }, (_, n) => invoiceFacts(100 + n)).flatMap((invoice) =>
      lifeOf(invoice, 'archived'),
    );
    const [handled, before] = [await consumed('ok'), await test.statements()];

    await bus.publish(events);

    await expect.poll(() => consumed('ok')).toBe(handled + events.length);
    // 100 events at hand: a batch (six statements), two if the bus leased them in two goes.
    expect((await test.statements()) - before).toBeLessThanOrEqual(12);
  });

  it.skipIf(!available)(
    'commits a batch around its poison event and dead-letters that event alone, at once',
    async () => {
      const invoices = Array.from({ length: 30 }, (_, n) => invoiceFacts(n + 1));
      const lives = invoices.map((invoice) => lifeOf(invoice, 'rejected'));
      const poison = withNulInItsProblem(lives[7]!.at(-1)!);
      lives[7]![2] = poison;

      await bus.publish(lives.flat());

      await expect.poll(() => bus.deadLetters.list(projectorGroup)).toHaveLength(1);
      const summaries = createPostgresSummaryStore(test.database);
      await expect
        .poll(async () =>
          (await Promise.all(invoices.map((invoice) => summaries.findById('org_a', invoice.id)))).map(
            (summary) => summary?.status,
          ),
        )
        .toEqual(invoices.map((_, n) => (n === 7 ? 'processing' : 'rejected')));
      const [letter] = await bus.deadLetters.list(projectorGroup);
      expect(letter).toMatchObject({ envelope: { id: poison.id }, attempts: 1 });
      // Refused by the database for its value: no retry could change that, so no retry was made.
      expect(letter!.error).toMatch(/^AppError: /);
      const timeline = await test.database.db
        .selectFrom('invoice_timeline')
        .select('event_id')
        .where(
          'invoice_id',
          'in',
          invoices.map((invoice) => invoice.id),
        )
        .execute();
      expect(timeline).toHaveLength(lives.flat().length - 1);
      const batches = (await registry.getSingleMetric('event_handler_duration_seconds')!.get()).values.find(
        (value) =>
          (value as { metricName?: string }).metricName === 'event_handler_duration_seconds_count' &&
          value.labels.type === 'batch',
      );
      expect(batches?.value).toBeGreaterThanOrEqual(1);
    },
  );
});
