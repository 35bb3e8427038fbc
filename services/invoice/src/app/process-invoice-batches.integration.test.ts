import { readFileSync } from 'node:fs';
import { type CfdiReferences, loadCfdiReferences } from '@fiscal/cfdi';
import { sql } from 'kysely';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type InvoiceShards, openInvoiceShards } from '../adapters/invoice-shards.js';
import { createMemoryObjectStore } from '../adapters/memory-object-store.js';
import { createPostgresInvoiceRepository } from '../adapters/postgres-invoice-repository.js';
import { createProcessingInstruments } from '../adapters/prometheus-processing-instruments.js';
import {
  createTestShardDatabases,
  statementsByDatabase,
  type TestShardDatabases,
} from '../adapters/testing/invoice-shards.js';
import { defaultCodec } from '../adapters/zlib-codecs.js';
import type { DocumentCodec, ObjectStore } from '../domain/document/index.js';
import { type InvoiceKey, type InvoiceRepository, submissionFromDocument } from '../domain/invoice/index.js';
import { createInvoicesHandler } from './create-invoices.js';
import { type ProcessInvoiceDependencies, processInvoicesHandler } from './process-invoice.js';
import { resumeLapsedClaimsHandler } from './resume-lapsed-claims.js';

const validDocument = readFileSync(
  new URL('../../../../fixtures/cfdi/cfdiutils-cfdi40-valid.xml', import.meta.url),
  'utf8',
);
const validSubmission = submissionFromDocument(validDocument).submission!;
const leaseMs = 60_000;
const retryDelayMs = 30_000;

describe('processing invoices in batches (PGlite shards, statements counted)', () => {
  const registry = new Registry();
  let test: TestShardDatabases;
  let shards: InvoiceShards;
  let invoices: InvoiceRepository;
  let references: CfdiReferences;
  let now = new Date('2026-11-24T12:00:00Z');
  const clock = () => now;

  beforeAll(async () => {
    references = await loadCfdiReferences({ certificateDir: '' });
    test = await createTestShardDatabases('pglite', 2, { registry });
    shards = await openInvoiceShards(test.databases);
    invoices = createPostgresInvoiceRepository(shards);
  });
  afterAll(async () => test?.dispose());

  const processor = (overrides: Partial<ProcessInvoiceDependencies> = {}) =>
    processInvoicesHandler({
      invoices,
      fetcher: { fetch: () => Promise.reject(new Error('inline documents only')) },
      objects: createMemoryObjectStore(),
      codec: defaultCodec,
      instruments: createProcessingInstruments(new Registry()),
      logger: pino({ level: 'silent' }),
      clock,
      leaseMs,
      maxAttempts: 3,
      allowUnstamped: false,
      references,
      retryDelay: () => retryDelayMs,
      ...overrides,
    });

  let organisations = 0;
  /** Invoices with the valid document inline, each in an organisation of its own (one fiscal UUID each). */
  async function submit(count: number): Promise<InvoiceKey[]> {
    const create = createInvoicesHandler({ invoices, newId: uuidv7, clock });
    const keys: InvoiceKey[] = [];
    for (let n = 0; n < count; n++) {
      organisations += 1;
      const orgId = `org-b${organisations}`;
      const [outcome] = await create({ orgId, submissions: [{ submission: validSubmission }] });
      if (!outcome?.accepted) throw new Error('the submission was refused');
      keys.push({ orgId, id: outcome.invoice.id });
    }
    return keys;
  }

  const requestsFor = (keys: readonly InvoiceKey[]) => keys.map((key) => ({ key, finalAttempt: false }));

  async function eventsOf(key: InvoiceKey) {
    const shard = shards.forSlot(Number.parseInt(key.id.slice(-3), 16));
    const { rows } = await sql<{ type: string; sequence: number }>`
      select type, (envelope->>'sequence')::int as sequence from outbox
       where envelope->>'subject' = ${key.id} order by id`.execute(shard.database.db);
    return rows;
  }
  const typesOf = async (key: InvoiceKey) => (await eventsOf(key)).map((event) => event.type);

  /** Statements per shard while `work` runs, for the shards that sent any. */
  async function statementsPerShard(work: () => Promise<unknown>): Promise<number[]> {
    const before = await statementsByDatabase(registry);
    await work();
    const after = await statementsByDatabase(registry);
    return [...after].map(([name, count]) => count - (before.get(name) ?? 0)).filter((count) => count > 0);
  }

  /** An object store that fails for the keys of the chosen organisations, and works for the rest. */
  function storeFailingFor(orgIds: Set<string>, failure: () => Promise<never>): ObjectStore {
    const objects = createMemoryObjectStore();
    return {
      put: (key, body) => (orgIds.has(key.split('/')[0]!) ? failure() : objects.put(key, body)),
      get: (key) => objects.get(key),
      delete: (key) => objects.delete(key),
    };
  }

  it('claims a batch in one transaction per shard and commits its outcomes in one more, whatever its size', async () => {
    const perSize: number[][] = [];
    for (const size of [3, 24]) {
      const keys = await submit(size);
      const process = processor();
      let reports: Awaited<ReturnType<typeof process>> = [];
      perSize.push(
        await statementsPerShard(async () => {
          reports = await process(requestsFor(keys));
        }),
      );
      expect(reports.map((report) => report.result)).toEqual(keys.map(() => 'archived'));
      for (const key of keys)
        expect(await eventsOf(key)).toEqual([
          // The first claim of an inline document raises no event; its version still counts.
          { type: 'fiscal.invoice.created', sequence: 1 },
          { type: 'fiscal.invoice.validated', sequence: 3 },
          { type: 'fiscal.invoice.archived', sequence: 4 },
        ]);
    }
    // Per shard and batch: begin, read, update, outbox insert, commit, for the claims, then for the outcomes.
    for (const statements of perSize) for (const count of statements) expect(count).toBeLessThanOrEqual(10);
    expect(perSize[1]).toEqual(perSize[0]);
  });

  const firstDeliveriesOf = (keys: readonly InvoiceKey[]) =>
    keys.map((key) => ({ key, finalAttempt: false, firstDelivery: true }));

  it('first deliveries of inline documents: one read, then their outcomes with their claims, in one transaction per shard', async () => {
    const perSize: number[][] = [];
    for (const size of [3, 24]) {
      const keys = await submit(size);
      const process = processor();
      let reports: Awaited<ReturnType<typeof process>> = [];
      const startedAt = now;
      perSize.push(
        await statementsPerShard(async () => {
          reports = await process(firstDeliveriesOf(keys));
        }),
      );
      expect(reports.map((report) => report.result)).toEqual(keys.map(() => 'archived'));
      for (const key of keys) {
        expect(await eventsOf(key)).toEqual([
          { type: 'fiscal.invoice.created', sequence: 1 },
          { type: 'fiscal.invoice.validated', sequence: 3 },
          { type: 'fiscal.invoice.archived', sequence: 4 },
        ]);
        expect(await invoices.findById(key)).toMatchObject({
          status: 'archived',
          version: 4,
          processingAttempts: 1,
          claim: null,
        });
        const [, , archived] = await sql<{ envelope: { data: { processingMs: number } } }>`
          select envelope from outbox where envelope->>'subject' = ${key.id} order by id`
          .execute(shards.forSlot(Number.parseInt(key.id.slice(-3), 16)).database.db)
          .then((result) => result.rows);
        expect(archived?.envelope.data.processingMs).toBe(now.getTime() - startedAt.getTime());
      }
    }
    // Per shard and batch: the read, then begin, read, update, outbox insert, commit: no claim round.
    for (const statements of perSize) for (const count of statements) expect(count).toBeLessThanOrEqual(6);
    expect(perSize[1]).toEqual(perSize[0]);
  });

  it('the same first delivery run twice at once: one outcome is committed, the other is skipped', async () => {
    const [key] = await submit(1);
    const [first, second] = await Promise.all([
      processor()(firstDeliveriesOf([key!])),
      processor()(firstDeliveriesOf([key!])),
    ]);
    expect([first![0]!.result, second![0]!.result].sort()).toEqual(['archived', 'skipped']);
    const types = await typesOf(key!);
    expect(types.filter((type) => type === 'fiscal.invoice.archived')).toHaveLength(1);
    expect(types.filter((type) => type === 'fiscal.invoice.validated')).toHaveLength(1);
  });

  it('an unclaimed run that fails transiently keeps its verdict and a claim until its retry', async () => {
    const [key] = await submit(1);
    const process = processor({
      objects: storeFailingFor(new Set([key!.orgId]), () => Promise.reject(new Error('disk full'))),
    });
    const [report] = await process(firstDeliveriesOf([key!]));
    expect(report).toEqual({ result: 'retry', retryAt: new Date(now.getTime() + retryDelayMs) });
    expect(await invoices.findById(key!)).toMatchObject({
      status: 'validated',
      processingAttempts: 1,
      claim: { expiresAt: new Date(now.getTime() + retryDelayMs).toISOString() },
    });
    expect(await typesOf(key!)).toEqual(['fiscal.invoice.created', 'fiscal.invoice.validated']);
    // Its retry, once the back-off is over, is a claimed run like any other.
    now = new Date(now.getTime() + retryDelayMs + 1);
    expect(await processor()(requestsFor([key!]))).toEqual([{ result: 'archived' }]);
  });

  it('an unclaimed run that fails unexpectedly writes nothing: the invoice stays pending for the retry', async () => {
    const [key] = await submit(1);
    const codec: DocumentCodec = {
      ...defaultCodec,
      compress: () => Promise.reject(new TypeError('a bug')),
    };
    const [report] = await processor({ codec })(firstDeliveriesOf([key!]));
    expect(report).toMatchObject({ result: 'error' });
    expect(await invoices.findById(key!)).toMatchObject({
      status: 'pending',
      version: 1,
      processingAttempts: 0,
    });
    expect(await processor()(firstDeliveriesOf([key!]))).toEqual([{ result: 'archived' }]);
  });

  it('a redelivered batch has no second effect: no second claim, no event, no store', async () => {
    const keys = await submit(4);
    let puts = 0;
    const objects = createMemoryObjectStore();
    const counting: ObjectStore = {
      put: (key, body) => {
        puts += 1;
        return objects.put(key, body);
      },
      get: objects.get,
      delete: objects.delete,
    };
    const process = processor({ objects: counting });
    // The same invoice twice in one batch, as a duplicated delivery would bring it, is processed once.
    const first = await process(requestsFor([...keys, keys[0]!]));
    expect(first.map((report) => report.result)).toEqual([
      'archived',
      'archived',
      'archived',
      'archived',
      'skipped',
    ]);
    const events = await Promise.all(keys.map(eventsOf));

    const again = await process(requestsFor(keys));
    expect(again.map((report) => report.result)).toEqual(keys.map(() => 'skipped'));
    expect(await Promise.all(keys.map(eventsOf))).toEqual(events);
    expect(puts).toBe(4);
    for (const key of keys) expect(await invoices.findById(key)).toMatchObject({ processingAttempts: 1 });
  });

  it('one invoice whose document cannot be stored does not hold back the others; it stays validated until its retry', async () => {
    const keys = await submit(4);
    const poisoned = keys[2]!;
    const process = processor({
      objects: storeFailingFor(new Set([poisoned.orgId]), () => Promise.reject(new Error('disk full'))),
    });

    const reports = await process(requestsFor(keys));
    expect(reports.map((report) => report.result)).toEqual(['archived', 'archived', 'retry', 'archived']);
    const retryAt = (reports[2] as { retryAt: Date }).retryAt;
    expect(retryAt.getTime()).toBe(now.getTime() + retryDelayMs);
    // Validation is not undone by a failure to store: the verdict and its event stand.
    expect(await invoices.findById(poisoned)).toMatchObject({
      status: 'validated',
      claim: { expiresAt: retryAt.toISOString() },
    });
    expect(await typesOf(poisoned)).toEqual(['fiscal.invoice.created', 'fiscal.invoice.validated']);

    // No processor takes it before its back-off is over; then the lapsed-claims sweep archives it.
    const resume = resumeLapsedClaimsHandler({ invoices, process: processor(), clock });
    expect(await resume()).toBe(0);
    now = new Date(retryAt.getTime() + 1);
    expect(await resume()).toBe(1);
    expect(await invoices.findById(poisoned)).toMatchObject({ status: 'archived', processingAttempts: 2 });
    // The second attempt is announced: a watcher learns the invoice is being retried.
    expect(await typesOf(poisoned)).toEqual([
      'fiscal.invoice.created',
      'fiscal.invoice.validated',
      'fiscal.invoice.processing_started',
      'fiscal.invoice.archived',
    ]);
  });

  it('a transient failure on the last attempt fails the invoice, after its validated event', async () => {
    const [key] = await submit(1);
    const process = processor({
      objects: storeFailingFor(new Set([key!.orgId]), () => Promise.reject(new Error('disk full'))),
    });
    const [report] = await process([{ key: key!, finalAttempt: true }]);
    expect(report).toEqual({ result: 'failed' });
    expect(await invoices.findById(key!)).toMatchObject({
      status: 'failed',
      outcome: { reason: 'storage_failed' },
    });
    expect((await eventsOf(key!)).slice(1)).toEqual([
      { type: 'fiscal.invoice.validated', sequence: 3 },
      { type: 'fiscal.invoice.failed', sequence: 4 },
    ]);
  });

  it('an invoice whose claim was taken over mid-run is left to its new processor; the rest of the batch is committed', async () => {
    const keys = await submit(3);
    const takenOver = keys[1]!;
    let releaseStore!: () => void;
    const stalled = new Promise<void>((resolve) => {
      releaseStore = resolve;
    });
    const objects = createMemoryObjectStore();
    const slow: ObjectStore = {
      put: async (key, body) => {
        if (key.startsWith(`${takenOver.orgId}/`)) await stalled;
        return objects.put(key, body);
      },
      get: objects.get,
      delete: objects.delete,
    };
    const batch = processor({ objects: slow })(requestsFor(keys));
    await expect.poll(async () => (await invoices.findById(takenOver))?.status).toBe('processing');

    // The lease runs out while the store hangs; another processor takes the invoice over and archives it.
    now = new Date(now.getTime() + leaseMs + 1_000);
    expect(await processor()(requestsFor([takenOver]))).toEqual([{ result: 'archived' }]);
    releaseStore();

    expect((await batch).map((report) => report.result)).toEqual(['archived', 'skipped', 'archived']);
    const types = await typesOf(takenOver);
    expect(types.filter((type) => type === 'fiscal.invoice.archived')).toHaveLength(1);
    expect(types.filter((type) => type === 'fiscal.invoice.validated')).toHaveLength(1);
  });

  it("a crashed worker's lapsed claims are resumed, in batches, and archived once", async () => {
    const keys = await submit(5);
    // The first worker dies after claiming: its store never answers.
    void processor({
      objects: { put: () => new Promise(() => {}), get: async () => undefined, delete: async () => false },
    })(requestsFor(keys));
    await expect
      .poll(async () =>
        (await Promise.all(keys.map((key) => invoices.findById(key)))).map((invoice) => invoice?.status),
      )
      .toEqual(keys.map(() => 'processing'));
    const resume = resumeLapsedClaimsHandler({ invoices, process: processor(), clock, batchSize: 2 });
    expect(await resume()).toBe(0);
    now = new Date(now.getTime() + leaseMs + 1_000);
    expect(await resume()).toBe(5);
    for (const key of keys) {
      expect(await invoices.findById(key)).toMatchObject({ status: 'archived', processingAttempts: 2 });
      const types = await typesOf(key);
      expect(types.filter((type) => type === 'fiscal.invoice.archived')).toHaveLength(1);
      // The first worker's claim raised none; the takeover's does.
      expect(types.filter((type) => type === 'fiscal.invoice.processing_started')).toHaveLength(1);
    }
  });

  it('an unexpected error is reported for its invoice alone, whose claim is released at once', async () => {
    const keys = await submit(3);
    let calls = 0;
    // The second document compressed throws, as a bug would.
    const codec: DocumentCodec = {
      ...defaultCodec,
      compress: (document) => {
        calls += 1;
        return calls === 2 ? Promise.reject(new TypeError('a bug')) : defaultCodec.compress(document);
      },
    };
    const reports = await processor({ codec })(requestsFor(keys));
    expect(reports.filter((report) => report.result === 'archived')).toHaveLength(2);
    const failed = reports.findIndex((report) => report.result === 'error');
    expect((reports[failed] as { error: Error }).error).toBeInstanceOf(TypeError);
    const invoice = await invoices.findById(keys[failed]!);
    expect(invoice).toMatchObject({ status: 'validated' });
    expect(Date.parse(invoice!.claim!.expiresAt)).toBeLessThanOrEqual(now.getTime());
  });
});
