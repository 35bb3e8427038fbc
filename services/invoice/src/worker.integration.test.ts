import { readFileSync } from 'node:fs';
import { parseEvent } from '@fiscal/contracts';
import { createInProcessBus, createMemoryQueueStore, type InProcessBus } from '@fiscal/kit/events';
import type { ServiceModule } from '@fiscal/kit/runtime';
import { sql } from 'kysely';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { v7 as uuidv7 } from 'uuid';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryObjectStore } from './adapters/memory-object-store.js';
import { createTestShardDatabases, type TestShardDatabases } from './adapters/testing/invoice-shards.js';
import { createInvoicesHandler } from './app/create-invoices.js';
import type { ObjectStore } from './domain/document/index.js';
import { type InvoiceKey, submissionFromDocument, type UpdateOutcome } from './domain/invoice/index.js';
import type { ProcessingSettings } from './settings.js';
import { type InvoiceStore, openInvoiceStore } from './store.js';
import { createInvoiceWorker, processorGroup } from './worker.js';

const validDocument = readFileSync(
  new URL('../../../fixtures/cfdi/cfdiutils-cfdi40-valid.xml', import.meta.url),
  'utf8',
);
const validSubmission = submissionFromDocument(validDocument).submission!;

const settings: ProcessingSettings = {
  fetchAllowHosts: [],
  fetchMaxBytes: 1024 * 1024,
  fetchTimeout: 5_000,
  fetchConcurrency: 8,
  processingLease: 60_000,
  processingMaxAttempts: 3,
  processingRetryDelay: 100,
  workerPrefetch: 16,
  certificateDir: '',
  allowUnstamped: false,
};

describe('the invoice worker (in-process bus, PGlite shard)', () => {
  const logger = pino({ level: 'silent' });
  let registry: Registry;
  let test: TestShardDatabases;
  let bus: InProcessBus;
  let store: InvoiceStore;
  let worker: ServiceModule | undefined;

  beforeEach(async () => {
    registry = new Registry();
    test = await createTestShardDatabases('pglite', 1);
    bus = createInProcessBus({
      store: createMemoryQueueStore(),
      logger,
      registry,
      validate: parseEvent,
      pollIntervalMs: 20,
    });
    store = await openInvoiceStore({
      databases: test.databases,
      publisher: bus,
      logger,
      registry,
      exclusiveDatabase: true,
    });
  });
  afterEach(async () => {
    await worker?.stop();
    await store.flush();
    await bus.close();
    await test.dispose();
  });

  async function startWorker(overrides: { objects?: ObjectStore; store?: InvoiceStore } = {}) {
    worker = await createInvoiceWorker({
      store: overrides.store ?? store,
      bus,
      objects: overrides.objects ?? createMemoryObjectStore(),
      logger,
      registry,
      settings,
      fetcher: { fetch: () => Promise.reject(new Error('inline documents only')) },
      // Far away: a retry that comes due is taken up by its own timer, not by this sweep.
      sweepIntervalMs: 600_000,
    });
    await worker.start();
  }

  async function submit(count: number): Promise<InvoiceKey[]> {
    const create = createInvoicesHandler({
      invoices: store.invoices,
      newId: uuidv7,
      clock: () => new Date(),
    });
    const keys: InvoiceKey[] = [];
    for (let n = 0; n < count; n++) {
      const orgId = `org-w${n}`;
      const [outcome] = await create({ orgId, submissions: [{ submission: validSubmission }] });
      if (!outcome?.accepted) throw new Error('the submission was refused');
      keys.push({ orgId, id: outcome.invoice.id });
    }
    return keys;
  }

  async function typesOf(key: InvoiceKey): Promise<string[]> {
    const { rows } = await sql<{ type: string }>`
      select type from outbox where envelope->>'subject' = ${key.id} order by id`.execute(
      store.shards.all[0]!.database.db,
    );
    return rows.map((row) => row.type);
  }

  const statusesOf = (keys: readonly InvoiceKey[]) => async () =>
    (await Promise.all(keys.map((key) => store.invoices.findById(key)))).map((invoice) => invoice?.status);
  const allArchived = (keys: readonly InvoiceKey[]) =>
    expect.poll(statusesOf(keys)).toEqual(keys.map(() => 'archived'));

  it('retries a transient failure once its back-off is over, from the invoice and not from a redelivery', async () => {
    const keys = await submit(6);
    const flaky = keys[3]!;
    const objects = createMemoryObjectStore();
    let failures = 0;
    await startWorker({
      objects: {
        put: (key, body) => {
          if (key.startsWith(`${flaky.orgId}/`) && failures === 0) {
            failures += 1;
            return Promise.reject(new Error('storage unavailable'));
          }
          return objects.put(key, body);
        },
        get: objects.get,
        delete: objects.delete,
      },
    });

    await allArchived(keys);
    expect(failures).toBe(1);
    expect(await store.invoices.findById(flaky)).toMatchObject({ processingAttempts: 2 });
    // The retry is announced; the first claim of an inline document is not.
    expect(await typesOf(flaky)).toEqual([
      'fiscal.invoice.created',
      'fiscal.invoice.validated',
      'fiscal.invoice.processing_started',
      'fiscal.invoice.archived',
    ]);
    // Each created event was handled once and acknowledged: the retry came from the invoice's claim.
    expect(await consumed('retried')).toBe(0);
    expect(await consumed('ok')).toBe(keys.length);
  });

  it('hands a batch back to the bus when one invoice fails unexpectedly: that one is retried alone, the others are not processed again', async () => {
    const keys = await submit(5);
    const unlucky = keys[2]!;
    let refusals = 0;
    // The shard fails the claim of one invoice once, as a dropped connection would.
    const hiccup: InvoiceStore = {
      ...store,
      invoices: {
        ...store.invoices,
        async updateMany(updates) {
          const outcomes = await store.invoices.updateMany(
            updates.filter((update) => refusals > 0 || update.key.id !== unlucky.id),
          );
          if (refusals > 0 || !updates.some((update) => update.key.id === unlucky.id)) return outcomes;
          refusals += 1;
          return updates.map(
            (update): UpdateOutcome =>
              update.key.id === unlucky.id
                ? { status: 'refused', error: new Error('connection reset') }
                : outcomes.shift()!,
          );
        },
      },
    };
    await startWorker({ store: hiccup });

    await allArchived(keys);
    expect(refusals).toBe(1);
    for (const key of keys) {
      expect(await store.invoices.findById(key)).toMatchObject({ processingAttempts: 1 });
      expect((await typesOf(key)).filter((type) => type === 'fiscal.invoice.archived')).toHaveLength(1);
    }
    expect(await bus.deadLetters.list(processorGroup)).toEqual([]);
  });

  async function consumed(outcome: string): Promise<number> {
    const metric = await registry.getSingleMetric('events_consumed_total')?.get();
    return (metric?.values ?? [])
      .filter((sample) => sample.labels.group === processorGroup && sample.labels.outcome === outcome)
      .reduce((sum, sample) => sum + sample.value, 0);
  }
});
