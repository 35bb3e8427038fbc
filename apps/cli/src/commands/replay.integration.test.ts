import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventEnvelope } from '@fiscal/contracts';
import { createDatabase, openEmbeddedPostgres } from '@fiscal/kit/db';
import { appendToOutbox, outboxMigrations } from '@fiscal/kit/outbox';
import { type QuerySchema, queryMigrations } from '@fiscal/query';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runReplay } from './replay.js';

function created(subject: string, shard: number): EventEnvelope {
  return {
    specversion: '1.0',
    id: randomUUID(),
    source: 'fiscal/invoice',
    type: 'fiscal.invoice.created',
    subject,
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    dataschema: 'urn:fiscal:schema:fiscal.invoice.created:1.0',
    data: {
      invoiceId: subject,
      uuid: randomUUID(),
      orgId: 'org_a',
      issuer: shard === 0 ? 'EKU9003173C9' : 'AAA010101AAA',
      receiver: 'CACX7605101P8',
      amount: '1160.00',
      currency: 'MXN',
      issuanceDate: '2026-11-20T10:00:00.000Z',
    },
    sequence: 1,
    tenant: 'org_a',
    partitionkey: subject,
  };
}

describe('fiscal replay query (embedded)', () => {
  let dataDir: string;
  const saved = { ...process.env };

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'fiscal-replay-'));
    process.env.FISCAL_DATA_DIR = dataDir;
    process.env.FISCAL_INVOICE_SHARDS = '2';
    delete process.env.FISCAL_DATABASE_URL;
  });
  afterEach(async () => {
    process.env = { ...saved };
    await rm(dataDir, { recursive: true, force: true });
  });

  it('rebuilds the read model from every shard of the event log, over a stale one', async () => {
    const embedded = await openEmbeddedPostgres({ dataDir: join(dataDir, 'postgres') });
    for (const [shard, schema] of ['invoice', 'invoice_1'].entries()) {
      const database = await createDatabase({ engine: 'pglite', embedded, schema });
      await database.migrate(outboxMigrations);
      await appendToOutbox(database.db, [created(`inv-${shard}-a`, shard), created(`inv-${shard}-b`, shard)]);
    }
    const query = await createDatabase<QuerySchema>({ engine: 'pglite', embedded, schema: 'query' });
    await query.migrate(queryMigrations);
    const stale = created('inv-gone', 0);
    await query.db
      .insertInto('invoice_summaries')
      .values({
        id: stale.subject,
        org_id: 'org_a',
        uuid: null,
        issuer: null,
        receiver: null,
        amount: null,
        currency: null,
        issuance_date: null,
        status: 'pending',
        outcome_reason: null,
        problems: '[]',
        processing_ms: null,
        original_size: null,
        compressed_size: null,
        sequence: 1,
        created_at: stale.time,
        updated_at: stale.time,
      })
      .execute();
    await embedded.close();

    expect(await runReplay(['query'])).toBe(0);

    const reopened = await openEmbeddedPostgres({ dataDir: join(dataDir, 'postgres') });
    try {
      const rebuilt = await createDatabase<QuerySchema>({
        engine: 'pglite',
        embedded: reopened,
        schema: 'query',
      });
      const ids = await rebuilt.db.selectFrom('invoice_summaries').select('id').orderBy('id').execute();
      expect(ids.map((row) => row.id)).toEqual(['inv-0-a', 'inv-0-b', 'inv-1-a', 'inv-1-b']);
      expect(await rebuilt.db.selectFrom('invoice_timeline').select('event_id').execute()).toHaveLength(4);
    } finally {
      await reopened.close();
    }
  }, 60_000);

  it('names the one read model it rebuilds', async () => {
    expect(await runReplay(['analytics'])).toBe(2);
  });
});
