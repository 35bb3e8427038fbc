import { startTelemetry, type Telemetry, withSpan } from '@fiscal/kit/telemetry';
import { context, propagation, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openInvoiceShards } from '../adapters/invoice-shards.js';
import { createPostgresIdempotencyStore } from '../adapters/postgres-idempotency-store.js';
import { createPostgresInvoiceRepository } from '../adapters/postgres-invoice-repository.js';
import { createTestShardDatabases, type TestShardDatabases } from '../adapters/testing/invoice-shards.js';
import { issuerNumber } from '../adapters/testing/invoices.js';
import type { IdempotencyStore, InvoiceRepository, InvoiceSubmission } from '../domain/invoice/index.js';
import { slotOfInvoiceId, slotOfIssuer } from '../domain/sharding/index.js';
import { createInvoicesHandler, maximumBatchSize } from './create-invoices.js';
import { rememberAnswer } from './remember-answer.js';

const submission = (overrides: Partial<InvoiceSubmission> = {}): InvoiceSubmission => ({
  uuid: crypto.randomUUID(),
  issuer: 'EKU9003173C9',
  receiver: 'CACX7605101P8',
  amount: '1160.00',
  currency: 'MXN',
  issuanceDate: '2026-11-20T10:00:00Z',
  fileUrl: 'https://erp.example.com/cfdi/1.xml',
  checksum: 'a'.repeat(64),
  ...overrides,
});
const received = (items: InvoiceSubmission[]) => items.map((item) => ({ submission: item }));

describe('creating invoices (PGlite shards)', () => {
  const spans = new InMemorySpanExporter();
  let telemetry: Telemetry;
  let test: TestShardDatabases;
  let invoices: InvoiceRepository;
  let idempotency: IdempotencyStore;
  let handle: ReturnType<typeof createInvoicesHandler>;

  beforeAll(async () => {
    telemetry = startTelemetry({ service: 'test', spanProcessors: [new SimpleSpanProcessor(spans)] });
    test = await createTestShardDatabases('pglite', 2);
    const shards = await openInvoiceShards(test.databases);
    invoices = createPostgresInvoiceRepository(shards);
    idempotency = createPostgresIdempotencyStore(shards);
    handle = createInvoicesHandler({
      invoices,
      newId: uuidv7,
      clock: () => new Date('2026-11-24T12:00:00Z'),
    });
  });
  beforeEach(() => spans.reset());
  afterAll(async () => {
    await test?.dispose();
    await telemetry?.shutdown();
    trace.disable();
    context.disable();
    propagation.disable();
  });

  it('stores a pending invoice on its issuer slot and reads it back', async () => {
    const [outcome] = await handle({ orgId: 'org-1', submissions: received([submission()]) });
    expect(outcome).toMatchObject({
      accepted: true,
      created: true,
      invoice: { status: 'pending', version: 1 },
    });
    if (!outcome?.accepted) return;
    expect(slotOfInvoiceId(outcome.invoice.id)).toBe(slotOfIssuer('EKU9003173C9'));
    expect(await invoices.findById(outcome.invoice)).toEqual(outcome.invoice);
  });

  it('returns the stored invoice for the same UUID and data, and a conflict for other data', async () => {
    const first = submission();
    const [created] = await handle({ orgId: 'org-1', submissions: received([first]) });
    const [replayed] = await handle({
      orgId: 'org-1',
      submissions: received([{ ...first, uuid: first.uuid.toUpperCase(), amount: '1160.000' }]),
    });
    expect(replayed).toMatchObject({ accepted: true, created: false });
    expect(replayed?.accepted && created?.accepted && replayed.invoice.id === created.invoice.id).toBe(true);

    const [conflict] = await handle({
      orgId: 'org-1',
      submissions: received([{ ...first, amount: '1.00' }]),
    });
    expect(conflict).toMatchObject({
      accepted: false,
      error: { code: 'invoice_uuid_conflict', kind: 'conflict' },
    });
    // The same UUID under another issuer lives on another shard, and is still the same fiscal UUID.
    const [otherIssuer] = await handle({
      orgId: 'org-1',
      submissions: received([{ ...first, issuer: issuerNumber(77) }]),
    });
    expect(otherIssuer).toMatchObject({ accepted: false, error: { code: 'invoice_uuid_conflict' } });
    // Another organisation may use the same fiscal UUID.
    const [otherOrg] = await handle({ orgId: 'org-2', submissions: received([first]) });
    expect(otherOrg).toMatchObject({ accepted: true, created: true });
  });

  it('accepts 990 of a batch of 1,000 with 10 invalid items, naming each error, in one insert per shard', async () => {
    const items = Array.from({ length: 1_000 }, (_, n) => submission({ issuer: issuerNumber(n) }));
    const invalid = [3, 99, 100, 250, 333, 500, 640, 777, 901, 999];
    const broken: Partial<InvoiceSubmission>[] = [
      { uuid: 'nope' },
      { issuer: 'X' },
      { amount: '1.5e3' },
      { currency: 'pesos' },
      { issuanceDate: 'yesterday' },
      { amount: '1.1234567' },
      { checksum: 'xyz' },
      { fileUrl: 'file:///etc/passwd' },
      { receiver: 'CACX7613101P8' },
      { checksum: undefined },
    ];
    invalid.forEach((index, n) => {
      items[index] = { ...items[index]!, ...broken[n] };
    });

    // Statements are spans only inside a recorded trace, as a request's are.
    const outcomes = await withSpan('batch request', {}, () =>
      handle({ orgId: 'org-batch', submissions: received(items) }),
    );

    expect(outcomes).toHaveLength(1_000);
    expect(outcomes.filter((outcome) => outcome.accepted)).toHaveLength(990);
    const refused = outcomes.flatMap((outcome, index) =>
      outcome.accepted ? [] : [{ index, fields: outcome.error.errors.map((error) => error.field) }],
    );
    expect(refused).toEqual([
      { index: 3, fields: ['/uuid'] },
      { index: 99, fields: ['/issuer'] },
      { index: 100, fields: ['/amount'] },
      { index: 250, fields: ['/currency'] },
      { index: 333, fields: ['/issuanceDate'] },
      { index: 500, fields: ['/amount'] },
      { index: 640, fields: ['/checksum'] },
      { index: 777, fields: ['/fileUrl'] },
      { index: 901, fields: ['/receiver'] },
      { index: 999, fields: ['/checksum'] },
    ]);
    const inserts = spans
      .getFinishedSpans()
      .map((span) => String(span.attributes['db.query.text']))
      .filter((text) => /^insert into "invoices"/.test(text));
    expect(inserts).toHaveLength(2);
  });

  it('a UUID twice in one batch: the second is a replay, or a conflict when its data differs', async () => {
    const first = submission();
    const outcomes = await handle({
      orgId: 'org-1',
      submissions: received([first, { ...first }, { ...first, amount: '2.00' }]),
    });
    expect(outcomes.map((outcome) => (outcome.accepted ? outcome.created : outcome.error.code))).toEqual([
      true,
      false,
      'invoice_uuid_conflict',
    ]);
  });

  it('concurrent submissions of one UUID store one invoice', async () => {
    const item = submission();
    const results = await Promise.all(
      [1, 2, 3, 4].map(() => handle({ orgId: 'org-1', submissions: received([item]) })),
    );
    const ids = new Set(results.map(([outcome]) => (outcome?.accepted ? outcome.invoice.id : 'refused')));
    expect(ids.size).toBe(1);
    expect(results.filter(([outcome]) => outcome?.accepted && outcome.created)).toHaveLength(1);
  });

  it(`refuses a batch over ${maximumBatchSize} items as a whole`, async () => {
    const items = Array.from({ length: maximumBatchSize + 1 }, () => submission());
    await expect(handle({ orgId: 'org-1', submissions: received(items) })).rejects.toMatchObject({
      code: 'batch_too_large',
    });
  });

  it('Idempotency-Key: the same request answers the same, another request under the key is refused', async () => {
    let runs = 0;
    const run = (body: unknown) =>
      rememberAnswer(idempotency, { orgId: 'org-1', key: 'key-1', operation: 'batch', body }, async () => {
        runs += 1;
        return { runs };
      });
    expect(await run({ a: 1 })).toEqual({ runs: 1 });
    expect(await run({ a: 1 })).toEqual({ runs: 1 });
    await expect(run({ a: 2 })).rejects.toMatchObject({ code: 'idempotency_key_reused' });
    expect(runs).toBe(1);
    // Keys are per organisation.
    expect(
      await rememberAnswer(
        idempotency,
        { orgId: 'org-2', key: 'key-1', operation: 'batch', body: {} },
        async () => 'other',
      ),
    ).toBe('other');
  });
});
