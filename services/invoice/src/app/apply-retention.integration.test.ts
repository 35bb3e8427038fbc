import type { EventEnvelope } from '@fiscal/contracts';
import { appendToOutbox, createOutboxRelay } from '@fiscal/kit/outbox';
import { sql } from 'kysely';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type InvoiceShards, openInvoiceShards } from '../adapters/invoice-shards.js';
import { createMemoryObjectStore } from '../adapters/memory-object-store.js';
import { invoiceMigrations } from '../adapters/migrations.js';
import { ensureOutboxPartitions, monthPartitionsOf } from '../adapters/monthly-partitions.js';
import { createShardRetention } from '../adapters/postgres-retention.js';
import { createTestShardDatabases, type TestShardDatabases } from '../adapters/testing/invoice-shards.js';
import { ShardMap } from '../domain/sharding/index.js';
import { applyRetention } from './apply-retention.js';

const now = new Date('2026-12-04T10:00:00Z');
const policy = { documentYears: 5, eventRetentionMs: 0 };

/** An archived invoice row as the repository writes it, issued at `issuedAt`. */
async function insertArchivedInvoice(shards: InvoiceShards, id: string, issuedAt: string) {
  const shard = shards.all[0]!;
  await shard.ensurePartitions([issuedAt]);
  await sql`insert into invoices (id, org_id, slot, uuid, issuer, receiver, amount, currency, issuance_date,
      source_kind, checksum, status, version, storage_key, created_at, updated_at)
    values (${id}, 'org-1', 7, ${id}, 'EKU9003173C9', 'XAXX010101000', 10, 'MXN', ${issuedAt},
      'inline', 'c', 'archived', 3, ${`org-1/EKU9003173C9/${issuedAt.slice(0, 7)}/${id}.xml.br`}, now(), now())`.execute(
    shard.database.db,
  );
  await sql`insert into invoice_uuids (org_id, uuid, invoice_id, issuance_date, slot)
    values ('org-1', ${id}, ${id}, ${issuedAt}, 7)`.execute(shard.database.db);
  return `org-1/EKU9003173C9/${issuedAt.slice(0, 7)}/${id}.xml.br`;
}

const envelope = (id: string) =>
  ({ id, type: 'fiscal.invoice.created', source: 'fiscal/invoice' }) as unknown as EventEnvelope;

describe('retention of the invoice store', () => {
  let test: TestShardDatabases;
  let shards: InvoiceShards;
  const objects = createMemoryObjectStore();
  const keys: string[] = [];

  beforeAll(async () => {
    test = await createTestShardDatabases('pglite', 2);
    shards = await openInvoiceShards(test.databases, ShardMap.even(2));
    const db = shards.all[0]!.database.db;
    keys.push(await insertArchivedInvoice(shards, 'inv-2019-a', '2019-03-10T12:00:00Z'));
    keys.push(await insertArchivedInvoice(shards, 'inv-2019-b', '2019-03-20T12:00:00Z'));
    keys.push(await insertArchivedInvoice(shards, 'inv-2024', '2024-06-01T12:00:00Z'));
    for (const key of keys) await objects.put(key, new TextEncoder().encode(key));
    // Events of two old months, one of them still holding an unpublished event.
    await ensureOutboxPartitions(db, [new Date('2019-03-01T00:00:00Z'), new Date('2019-04-01T00:00:00Z')]);
    await appendToOutbox(db, [envelope('0190f7a8-0000-7000-8000-000000000001')]);
    await appendToOutbox(db, [envelope('0190f7a8-0000-7000-8000-000000000002')]);
    await sql`update outbox set created_at = '2019-03-10T00:00:00Z', published_at = '2019-03-10T00:00:01Z'
      where event_id = '0190f7a8-0000-7000-8000-000000000001'`.execute(db);
    await sql`update outbox set created_at = '2019-04-10T00:00:00Z'
      where event_id = '0190f7a8-0000-7000-8000-000000000002'`.execute(db);
  });
  afterAll(async () => test?.dispose());

  it('reports, on a dry run, the months past the keeping period and removes nothing', async () => {
    const report = await applyRetention({
      shards: shards.all.map(createShardRetention),
      objects,
      policy,
      now,
      dryRun: true,
    });
    expect(report).toMatchObject({
      dryRun: true,
      documentCutoff: '2021-12-04T00:00:00.000Z',
      invoiceMonths: [{ shard: 0, month: '2019-03', invoices: 2, documents: 2 }],
      outboxMonths: [{ shard: 0, month: '2019-03', events: 1 }],
      keptOutboxMonths: [{ shard: 0, month: '2019-04', unpublished: 1 }],
      documentsRemoved: 0,
    });
    for (const key of keys) expect(await objects.get(key)).toBeDefined();
    expect(
      (await monthPartitionsOf(shards.all[0]!.database.db, 'invoices')).map((month) => month.name),
    ).toContain('invoices_y2019m03');
  });

  it('drops whole months past it with their archived originals, and keeps the rest', async () => {
    const db = shards.all[0]!.database.db;
    const report = await applyRetention({
      shards: shards.all.map(createShardRetention),
      objects,
      policy,
      now,
      dryRun: false,
      logger: pino({ level: 'silent' }),
    });
    expect(report.documentsRemoved).toBe(2);
    expect(await objects.get(keys[0]!)).toBeUndefined();
    expect(await objects.get(keys[1]!)).toBeUndefined();
    expect(await objects.get(keys[2]!)).toBeDefined();
    const invoiceMonths = (await monthPartitionsOf(db, 'invoices')).map((month) => month.name);
    expect(invoiceMonths).not.toContain('invoices_y2019m03');
    expect(invoiceMonths).toContain('invoices_y2024m06');
    const uuids = await sql<{ uuid: string }>`select uuid from invoice_uuids order by uuid`.execute(db);
    expect(uuids.rows.map((row) => row.uuid)).toEqual(['inv-2024']);
    const outboxMonths = (await monthPartitionsOf(db, 'outbox')).map((month) => month.name);
    expect(outboxMonths).not.toContain('outbox_y2019m03');
    expect(outboxMonths).toContain('outbox_y2019m04');
    // The coming months' partitions of the event log are ready.
    expect(outboxMonths).toEqual(
      expect.arrayContaining(['outbox_y2026m12', 'outbox_y2027m01', 'outbox_y2027m02']),
    );

    const again = await applyRetention({
      shards: shards.all.map(createShardRetention),
      objects,
      policy,
      now,
      dryRun: false,
    });
    expect(again).toMatchObject({ invoiceMonths: [], outboxMonths: [], documentsRemoved: 0 });
  });
});

describe('the outbox partitioned by month (expand/contract)', () => {
  let test: TestShardDatabases;
  beforeAll(async () => {
    test = await createTestShardDatabases('pglite', 1);
  });
  afterAll(async () => test?.dispose());

  it('keeps the events recorded before it, and the relay of the release before it publishes from it', async () => {
    const [database] = test.databases;
    const db = database!.db;
    // The shard as the previous release left it: every migration before this one, events recorded.
    const partitioning = invoiceMigrations.findIndex((migration) =>
      migration.name.endsWith('outbox-partitioned-by-month'),
    );
    await database!.migrate(invoiceMigrations.slice(0, partitioning));
    await appendToOutbox(db, [envelope('0190f7a8-0000-7000-8000-00000000000a')]);
    await appendToOutbox(db, [envelope('0190f7a8-0000-7000-8000-00000000000b')]);
    await sql`update outbox set published_at = now() where event_id = '0190f7a8-0000-7000-8000-00000000000a'`.execute(
      db,
    );

    await database!.migrate(invoiceMigrations);
    const partitioned = await sql<{ count: string | number }>`
      select count(*) as count from pg_partitioned_table p join pg_class c on c.oid = p.partrelid
       where c.relname = 'outbox'`.execute(db);
    expect(Number(partitioned.rows[0]?.count)).toBe(1);
    const kept = await sql<{
      id: string;
      event_id: string;
    }>`select id, event_id from outbox order by id`.execute(db);
    expect(kept.rows.map((row) => row.event_id)).toEqual([
      '0190f7a8-0000-7000-8000-00000000000a',
      '0190f7a8-0000-7000-8000-00000000000b',
    ]);

    // What the release before this one runs on the outbox works on the new table unchanged: the
    // writer's insert, and its relay's claim and mark, statement for statement, on the parent table.
    await appendToOutbox(db, [envelope('0190f7a8-0000-7000-8000-00000000000c')]);
    const ids = await sql<{ id: string }>`select id from outbox order by id`.execute(db);
    expect(Number(ids.rows[2]?.id)).toBeGreaterThan(Number(ids.rows[1]?.id));
    const claimedByPrevious = await sql<{ id: string; envelope: { id: string } }>`
      update outbox set claimed_until = now() + ${'60000 milliseconds'}::interval
       where id in (
         select id from outbox
          where published_at is null and (claimed_until is null or claimed_until < now())
          order by id
          limit ${100}
          for update skip locked)
      returning id, envelope`.execute(db);
    expect(claimedByPrevious.rows.map((row) => row.envelope.id).sort()).toEqual([
      '0190f7a8-0000-7000-8000-00000000000b',
      '0190f7a8-0000-7000-8000-00000000000c',
    ]);
    // It crashed before marking them: its claims lapse (cleared here) and this release's relay
    // publishes them.
    await sql`update outbox set claimed_until = null where id in (${sql.join(
      claimedByPrevious.rows.map((row) => row.id),
    )})`.execute(db);
    const published: string[] = [];
    const relay = createOutboxRelay({
      database: database!,
      publisher: {
        async publish(events) {
          published.push(...events.map((event) => event.id));
        },
      },
      logger: pino({ level: 'silent' }),
      registry: new Registry(),
    });
    relay.start();
    await relay.flush();
    await relay.stop();
    expect(published).toEqual([
      '0190f7a8-0000-7000-8000-00000000000b',
      '0190f7a8-0000-7000-8000-00000000000c',
    ]);
    const unpublished = await sql<{ count: string | number }>`
      select count(*) as count from outbox where published_at is null`.execute(db);
    expect(Number(unpublished.rows[0]?.count)).toBe(0);
  });
});
