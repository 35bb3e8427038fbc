import { probeService } from '@fiscal/kit/testing';
import { sql } from 'kysely';
import { Registry } from 'prom-client';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type InvoiceShards, openInvoiceShards } from '../adapters/invoice-shards.js';
import { createPostgresIdempotencyStore } from '../adapters/postgres-idempotency-store.js';
import { createPostgresInvoiceRepository } from '../adapters/postgres-invoice-repository.js';
import {
  createTestShardDatabases,
  statementsByDatabase,
  type TestShardDatabases,
} from '../adapters/testing/invoice-shards.js';
import { issuerNumber } from '../adapters/testing/invoices.js';
import type { IdempotencyStore, InvoiceSubmission } from '../domain/invoice/index.js';
import { slotOfInvoiceId } from '../domain/sharding/index.js';
import { type CreateInvoiceOutcome, createInvoicesHandler } from './create-invoices.js';
import { rememberAnswer } from './remember-answer.js';

const engines = [
  { engine: 'pglite' as const, available: true },
  { engine: 'postgres' as const, available: await probeService('postgres') },
];

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

describe.each(engines)('concurrent single submissions on $engine', ({ engine, available }) => {
  const registry = new Registry();
  let test: TestShardDatabases;
  let shards: InvoiceShards;
  let idempotency: IdempotencyStore;
  let handle: ReturnType<typeof createInvoicesHandler>;
  const createOne = async (orgId: string, item: InvoiceSubmission): Promise<CreateInvoiceOutcome> => {
    const [outcome] = await handle({ orgId, submissions: [{ submission: item }] });
    return outcome!;
  };
  const statementsSent = async () =>
    [...(await statementsByDatabase(registry)).values()].reduce((sum, count) => sum + count, 0);

  beforeAll(async () => {
    if (!available) return;
    test = await createTestShardDatabases(engine, 2, { registry });
    shards = await openInvoiceShards(test.databases);
    idempotency = createPostgresIdempotencyStore(shards);
    handle = createInvoicesHandler({
      invoices: createPostgresInvoiceRepository(shards),
      newId: uuidv7,
      clock: () => new Date('2026-11-24T12:00:00Z'),
    });
  });
  afterAll(async () => test?.dispose());

  it.skipIf(!available)('writes 100 of them in a handful of statements, not a transaction each', async () => {
    const before = await statementsSent();
    const outcomes = await Promise.all(
      Array.from({ length: 100 }, (_, n) =>
        createOne('org-many', submission({ issuer: issuerNumber(n % 10) })),
      ),
    );
    const statements = (await statementsSent()) - before;

    expect(outcomes.filter((outcome) => outcome.accepted && outcome.created)).toHaveLength(100);
    // One lookup per shard and one transaction (begin, three inserts, commit) per shard; one call
    // at a time cost seven statements an invoice.
    expect(statements).toBeLessThanOrEqual(12);
  });

  it.skipIf(!available)(
    'answers each one only once its invoice and its created event are committed',
    async () => {
      const observed = await Promise.all(
        Array.from({ length: 50 }, async (_, n) => {
          const outcome = await createOne('org-durable', submission({ issuer: issuerNumber(n % 7) }));
          if (!outcome.accepted) throw outcome.error;
          const { db } = shards.forSlot(slotOfInvoiceId(outcome.invoice.id)!).database;
          const row = await db
            .selectFrom('invoices')
            .select('id')
            .where('id', '=', outcome.invoice.id)
            .executeTakeFirst();
          const event = await db
            .selectFrom('outbox')
            .select('type')
            .where(sql<string>`envelope->>'subject'`, '=', outcome.invoice.id)
            .executeTakeFirst();
          return { row: row?.id === outcome.invoice.id, event: event?.type };
        }),
      );
      expect(observed).toEqual(Array(50).fill({ row: true, event: 'fiscal.invoice.created' }));
    },
  );

  it.skipIf(!available)(
    'stores one invoice per fiscal UUID: the same data is a replay of it, other data (another issuer, on another shard, too) a conflict',
    async () => {
      const first = submission({ issuer: issuerNumber(1) });
      const variants = [
        ...Array.from({ length: 10 }, () => first),
        ...Array.from({ length: 5 }, () => ({ ...first, amount: '1.00' })),
        ...Array.from({ length: 5 }, (_, n) => ({ ...first, issuer: issuerNumber(200 + n) })),
      ];
      const outcomes = await Promise.all(variants.map((variant) => createOne('org-race', variant)));

      const held = await Promise.all(
        shards.all.map(async (shard) => {
          const { rows } = await sql<{ count: string }>`select count(*) as count from invoice_uuids
            where org_id = 'org-race' and uuid = ${first.uuid}`.execute(shard.database.db);
          return Number(rows[0]!.count);
        }),
      );
      expect(held.reduce((sum, count) => sum + count, 0)).toBe(1);
      // The first to arrive is stored; the rest are answered against it.
      const ids = new Set(outcomes.flatMap((outcome) => (outcome.accepted ? [outcome.invoice.id] : [])));
      expect(ids.size).toBe(1);
      expect(outcomes.map((outcome) => (outcome.accepted ? outcome.created : outcome.error.code))).toEqual([
        true,
        ...Array(9).fill(false),
        ...Array(10).fill('invoice_uuid_conflict'),
      ]);
    },
  );

  it.skipIf(!available)(
    'keeps Idempotency-Key answers: each request replays its own, another request under a key is refused',
    async () => {
      const keyed = (key: string, item: InvoiceSubmission) =>
        rememberAnswer(idempotency, { orgId: 'org-keys', key, operation: 'create', body: item }, () =>
          createOne('org-keys', item).then((outcome) => (outcome.accepted ? outcome.invoice.id : 'refused')),
        );
      const items = Array.from({ length: 20 }, () => submission());
      const answers = await Promise.all(items.map((item, n) => keyed(`key-${n}`, item)));
      const replays = await Promise.all(items.map((item, n) => keyed(`key-${n}`, item)));

      expect(replays).toEqual(answers);
      expect(new Set(answers).size).toBe(20);
      await expect(keyed('key-0', submission())).rejects.toMatchObject({ code: 'idempotency_key_reused' });
    },
  );
});
