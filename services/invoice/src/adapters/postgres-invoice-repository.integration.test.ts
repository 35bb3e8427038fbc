import { probeService, serviceUrls } from '@fiscal/kit/testing';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  archive,
  chain,
  type Invoice,
  markValidated,
  releaseClaim,
  startProcessing,
} from '../domain/invoice/index.js';
import { ShardMap, slotOfIssuer } from '../domain/sharding/index.js';
import type { InvoiceSchema } from './invoice-rows.js';
import { type InvoiceShards, openInvoiceShards } from './invoice-shards.js';
import {
  createPostgresInvoiceRepository,
  selectHoldersOfUuids,
  selectInvoicesByIds,
  versionedUpdate,
} from './postgres-invoice-repository.js';
import {
  createTestShardDatabases,
  statementsByDatabase,
  type TestShardDatabases,
} from './testing/invoice-shards.js';
import { issuerNumber, newInvoice } from './testing/invoices.js';

const engines = [
  { engine: 'pglite' as const, available: true },
  { engine: 'postgres' as const, available: await probeService('postgres') },
];

describe.each(engines)('invoice repository on $engine shards', ({ engine, available }) => {
  let test: TestShardDatabases;
  let shards: InvoiceShards;
  let repository: ReturnType<typeof createPostgresInvoiceRepository>;
  const registry = new Registry();

  /** Statements each shard sends while `work` runs. */
  async function statementsPerShard(work: () => Promise<unknown>): Promise<number[]> {
    const before = await statementsByDatabase(registry);
    await work();
    const after = await statementsByDatabase(registry);
    return [...after].map(([database, count]) => count - (before.get(database) ?? 0));
  }

  beforeAll(async () => {
    if (!available) return;
    test = await createTestShardDatabases(engine, 2, { registry });
    shards = await openInvoiceShards(test.databases, ShardMap.even(2));
    repository = createPostgresInvoiceRepository(shards);
  });
  afterAll(async () => test?.dispose());

  it.skipIf(!available)(
    'stores each invoice on the shard of its issuer, with its created event',
    async () => {
      const changes = Array.from({ length: 40 }, (_, n) => newInvoice({ issuer: issuerNumber(n) }));
      const outcomes = await repository.addMany(changes);
      expect(outcomes.every((outcome) => outcome.stored)).toBe(true);

      for (const { invoice } of changes) {
        const home = shards.forSlot(slotOfIssuer(invoice.issuer));
        const elsewhere = shards.all.filter((shard) => shard !== home);
        expect(await countInvoices(home.database.db, invoice.id)).toBe(1);
        for (const shard of elsewhere) expect(await countInvoices(shard.database.db, invoice.id)).toBe(0);
        expect(await repository.findById({ orgId: invoice.orgId, id: invoice.id })).toEqual(invoice);
      }
      // Forty issuers spread over both shards, and every invoice has its created event in its shard's outbox.
      const perShard = await Promise.all(shards.all.map((shard) => outboxTypes(shard.database.db)));
      expect(perShard.every((types) => types.length > 0)).toBe(true);
      expect(
        perShard.flat().filter((type) => type === 'fiscal.invoice.created').length,
      ).toBeGreaterThanOrEqual(40);
    },
  );

  it.skipIf(!available)('keeps an inline document byte for byte, byte-order mark included', async () => {
    const xml =
      '\uFEFF<?xml version="1.0" encoding="UTF-8"?>\r\n<cfdi:Comprobante Descripcion="Añil & ñandú"/>';
    const change = newInvoice({ source: { kind: 'inline', xml } });
    await repository.addMany([change]);
    const stored = await repository.findById(change.invoice);
    expect(stored?.source).toEqual({ kind: 'inline', xml });
  });

  it.skipIf(!available)('creates the partition of any issuance month on demand', async () => {
    const old = newInvoice({ issuanceDate: '2022-03-15T18:00:00.000Z' });
    await repository.addMany([old]);
    const shard = shards.forSlot(old.invoice.slot);
    const { rows } = await sql<{ partition: string }>`
      select tableoid::regclass::text as partition from invoices where id = ${old.invoice.id}`.execute(
      shard.database.db,
    );
    expect(rows[0]?.partition).toMatch(/invoices_y2022m03$/);
  });

  it.skipIf(!available)(
    'refuses a second invoice with a taken fiscal UUID and names the holder',
    async () => {
      const first = newInvoice();
      const second = newInvoice({ uuid: first.invoice.uuid });
      await repository.addMany([first]);
      const [outcome] = await repository.addMany([second]);
      expect(outcome).toEqual({ stored: false, existing: first.invoice });
      expect(await repository.findById({ orgId: 'org-1', id: second.invoice.id })).toBeUndefined();
    },
  );

  it.skipIf(!available)(
    'stores new invoices of one shard with a UUID lookup on the other shard only, and one transaction on theirs',
    async () => {
      const changes = Array.from({ length: 20 }, () => newInvoice({ issuer: 'EKU9003173C9' }));
      const home = shards.forSlot(changes[0]!.invoice.slot);
      let outcomes: Awaited<ReturnType<typeof repository.addMany>> = [];
      const statements = await statementsPerShard(async () => {
        outcomes = await repository.addMany(changes);
      });

      expect(outcomes.every((outcome) => outcome.stored)).toBe(true);
      // Its own shard's UUID index decides there: begin, the UUIDs, the invoices, the events, commit.
      expect(statements).toEqual(shards.all.map((shard) => (shard === home ? 5 : 1)));
    },
  );

  it.skipIf(!available)(
    'finds invoices by fiscal UUID across shards and by issuer on one shard',
    async () => {
      const changes = [
        newInvoice({ issuer: issuerNumber(1000) }),
        newInvoice({ issuer: issuerNumber(2001) }),
      ];
      await repository.addMany(changes);
      const found = await repository.findByUuids(
        'org-1',
        changes.map((change) => change.invoice.uuid),
      );
      expect([...found.keys()].sort()).toEqual(changes.map((change) => change.invoice.uuid).sort());
      expect(await repository.findByIssuer('org-1', issuerNumber(1000), 10)).toEqual([changes[0]!.invoice]);
    },
  );

  it.skipIf(!available)('scopes reads to the organisation', async () => {
    const { invoice } = newInvoice({ orgId: 'org-a' });
    await repository.addMany([newInvoice({ orgId: 'org-a', uuid: invoice.uuid })]);
    expect(await repository.findById({ orgId: 'org-b', id: invoice.id })).toBeUndefined();
    expect((await repository.findByUuids('org-b', [invoice.uuid])).size).toBe(0);
  });

  // A document to download: its claim raises `processing_started` (an inline one's first claim does not).
  const fromUrl = { kind: 'url', url: 'https://files.example.com/invoice.xml' } as const;

  it.skipIf(!available)('applies a change with its event under the optimistic lock', async () => {
    const created = newInvoice({ source: fromUrl });
    await repository.addMany([created]);
    const now = new Date('2026-11-24T12:01:00Z');
    const claimed = await repository.update(created.invoice, (invoice) =>
      startProcessing(invoice, { now, leaseMs: 60_000 }),
    );
    expect(claimed).toMatchObject({ status: 'processing', version: 2, processingAttempts: 1 });
    const shard = shards.forSlot(created.invoice.slot);
    const events = await eventsOf(shard.database.db, created.invoice.id);
    expect(events).toEqual([
      { type: 'fiscal.invoice.created', sequence: 1 },
      { type: 'fiscal.invoice.processing_started', sequence: 2 },
    ]);
  });

  it.skipIf(!available)(
    'concurrent changes both land: the loser of the race re-reads, none is lost',
    async () => {
      const created = newInvoice();
      await repository.addMany([created]);
      const now = new Date('2026-11-24T12:01:00Z');
      await repository.update(created.invoice, (invoice) =>
        startProcessing(invoice, { now, leaseMs: 60_000 }),
      );
      let calls = 0;
      const release = () =>
        repository.update(created.invoice, (invoice) => {
          calls += 1;
          return releaseClaim(invoice, now);
        });
      const results = await Promise.all([release(), release(), release()]);
      const versions = results.map((invoice) => invoice?.version).sort();
      expect(versions).toEqual([3, 4, 5]);
      expect(calls).toBeGreaterThanOrEqual(3);
      expect(await repository.findById(created.invoice)).toMatchObject({ version: 5 });
    },
  );

  it.skipIf(!available)('two concurrent claims: exactly one wins', async () => {
    const created = newInvoice();
    await repository.addMany([created]);
    const now = new Date('2026-11-24T12:01:00Z');
    const attempts = await Promise.allSettled(
      [1, 2].map(() =>
        repository.update(created.invoice, (invoice) => startProcessing(invoice, { now, leaseMs: 60_000 })),
      ),
    );
    const won = attempts.filter((attempt) => attempt.status === 'fulfilled');
    const lost = attempts.filter((attempt) => attempt.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect((lost[0] as PromiseRejectedResult).reason).toMatchObject({ code: 'invalid_transition' });
  });

  it.skipIf(!available)('lists claims that lapsed, and only those', async () => {
    const lapsed = newInvoice();
    const live = newInvoice();
    await repository.addMany([lapsed, live]);
    const then = new Date('2026-11-24T12:00:00Z');
    await repository.update(lapsed.invoice, (invoice) =>
      startProcessing(invoice, { now: then, leaseMs: 1_000 }),
    );
    await repository.update(live.invoice, (invoice) =>
      startProcessing(invoice, { now: then, leaseMs: 600_000 }),
    );
    const keys = await repository.findLapsedClaims(new Date('2026-11-24T12:00:05Z'), 100);
    expect(keys).toContainEqual({ orgId: 'org-1', id: lapsed.invoice.id });
    expect(keys).not.toContainEqual({ orgId: 'org-1', id: live.invoice.id });
    await repository.update(lapsed.invoice, (invoice) => releaseClaim(invoice, then));
  });

  const claimAt = (now: Date) => (invoice: Invoice) => startProcessing(invoice, { now, leaseMs: 60_000 });

  it.skipIf(!available)(
    'changes many invoices with one read, one update and one outbox insert per shard, whatever their number',
    async () => {
      const now = new Date('2026-11-24T12:01:00Z');
      for (const size of [4, 40]) {
        const changes = Array.from({ length: size }, (_, n) =>
          newInvoice({ issuer: issuerNumber(3000 + n), source: fromUrl }),
        );
        await repository.addMany(changes);
        let outcomes: Awaited<ReturnType<typeof repository.updateMany>> = [];
        const statements = await statementsPerShard(async () => {
          outcomes = await repository.updateMany(
            changes.map(({ invoice }) => ({ key: invoice, change: claimAt(now) })),
          );
        });
        // Each shard: begin, the read, the update, the outbox insert, commit.
        const active = statements.filter((count) => count > 0);
        expect(active.length).toBeGreaterThan(0);
        expect(active.every((count) => count === 5)).toBe(true);
        expect(outcomes.map((outcome) => outcome.status)).toEqual(changes.map(() => 'updated'));
        for (const { invoice } of changes) {
          expect(await repository.findById(invoice)).toMatchObject({ status: 'processing', version: 2 });
          const events = await eventsOf(shards.forSlot(invoice.slot).database.db, invoice.id);
          expect(events).toEqual([
            { type: 'fiscal.invoice.created', sequence: 1 },
            { type: 'fiscal.invoice.processing_started', sequence: 2 },
          ]);
        }
      }
    },
  );

  it.skipIf(!available)(
    'saves two transitions as one change, each event with the version its transition reached',
    async () => {
      const created = newInvoice();
      await repository.addMany([created]);
      const now = new Date('2026-11-24T12:01:00Z');
      await repository.update(created.invoice, claimAt(now));
      const document = { storageKey: 'k', codec: 'br', originalSize: 10, compressedSize: 5 };
      const [outcome] = await repository.updateMany([
        {
          key: created.invoice,
          change: (invoice) =>
            chain(markValidated(invoice, { now, validationMs: 1 }), (validated) =>
              archive(validated, { now, document }),
            ),
        },
      ]);
      expect(outcome).toMatchObject({ status: 'updated', invoice: { status: 'archived', version: 4 } });
      expect(await eventsOf(shards.forSlot(created.invoice.slot).database.db, created.invoice.id)).toEqual([
        { type: 'fiscal.invoice.created', sequence: 1 },
        { type: 'fiscal.invoice.validated', sequence: 3 },
        { type: 'fiscal.invoice.archived', sequence: 4 },
      ]);
      // The archive is the document of record: the inline copy is cleared with the change.
      expect((await repository.findById(created.invoice))?.source).toEqual({ kind: 'inline', xml: '' });
    },
  );

  it.skipIf(!available)(
    'one refused change leaves the others to be saved; unknown and unchanged invoices are told apart',
    async () => {
      const [first, refused, second, untouched] = [1, 2, 3, 4].map((n) =>
        newInvoice({ issuer: issuerNumber(4000 + n) }),
      );
      await repository.addMany([first!, refused!, second!, untouched!]);
      const now = new Date('2026-11-24T12:01:00Z');
      const outcomes = await repository.updateMany([
        { key: first!.invoice, change: claimAt(now) },
        {
          key: refused!.invoice,
          change: () => {
            throw new Error('not this one');
          },
        },
        { key: second!.invoice, change: claimAt(now) },
        { key: untouched!.invoice, change: () => undefined },
        { key: { orgId: 'another-org', id: first!.invoice.id }, change: claimAt(now) },
      ]);
      expect(outcomes.map((outcome) => outcome.status)).toEqual([
        'updated',
        'refused',
        'updated',
        'unchanged',
        'missing',
      ]);
      expect((outcomes[1] as { error: Error }).error.message).toBe('not this one');
      expect(await repository.findById(refused!.invoice)).toMatchObject({ status: 'pending', version: 1 });
      expect(await repository.findById(second!.invoice)).toMatchObject({ status: 'processing', version: 2 });
    },
  );

  it.skipIf(!available)('an invoice given twice is changed twice, in order', async () => {
    const created = newInvoice();
    await repository.addMany([created]);
    const now = new Date('2026-11-24T12:01:00Z');
    const outcomes = await repository.updateMany([
      { key: created.invoice, change: claimAt(now) },
      { key: created.invoice, change: (invoice) => releaseClaim(invoice, now) },
    ]);
    expect(outcomes).toMatchObject([
      { status: 'updated', invoice: { version: 2 } },
      { status: 'updated', invoice: { version: 3 } },
    ]);
  });

  it.skipIf(!available)(
    "looks a submission's UUIDs up by their own index entries, however many the organisation holds, before any ANALYZE",
    async () => {
      const orgId = 'org_with_many_uuids';
      const { db } = shards.all[0]!.database;
      // Thousands of UUIDs of one organisation that the planner has no statistics about yet, as on a
      // shard filled since it was created, before autovacuum's first analyze.
      await sql`insert into invoices (id, org_id, slot, uuid, issuer, receiver, amount, currency,
          issuance_date, source_kind, source_url, checksum, status, version, created_at, updated_at)
        select 'invoice-' || n, ${orgId}, 1, 'uuid-' || n, 'EKU9003173C9', 'XAXX010101000', 1160, 'MXN',
          '2026-11-20T00:00:00Z', 'url', 'https://example.test/a.xml', 'checksum', 'pending', 1, now(), now()
          from generate_series(1, 6000) as n`.execute(db);
      await sql`insert into invoice_uuids (org_id, uuid, invoice_id, issuance_date, slot)
        select org_id, uuid, id, issuance_date, slot from invoices where org_id = ${orgId}`.execute(db);
      const wanted = Array.from({ length: 20 }, (_, n) => `uuid-${n * 300 + 1}`);

      const [plan] = await selectHoldersOfUuids(db, orgId, wanted).explain('json', sql`analyze`);
      const scans = planNodes((plan as { 'QUERY PLAN': { Plan: PlanNode }[] })['QUERY PLAN'][0]!.Plan).filter(
        (node) => node['Relation Name'] === 'invoice_uuids' || node['Index Name'] === 'invoice_uuids_pkey',
      );
      expect(scans.length).toBeGreaterThan(0);
      for (const scan of scans) {
        const read =
          scan['Actual Rows'] +
          (scan['Rows Removed by Filter'] ?? 0) +
          (scan['Rows Removed by Index Recheck'] ?? 0);
        expect(read).toBeLessThanOrEqual(wanted.length);
      }
    },
  );

  it.skipIf(!available || engine !== 'postgres')(
    "reads and updates a batch through each row's index entry in a month the planner has no statistics for",
    async () => {
      const issuanceDate = '2025-06-15T10:00:00.000Z';
      const batch = Array.from({ length: 16 }, () => newInvoice({ issuanceDate }));
      await repository.addMany(batch);
      const { db } = shards.forSlot(slotOfIssuer(batch[0]!.invoice.issuer)).database;
      // Thousands of rows in the month's new partition, written since it was created and before
      // autovacuum's first analyze.
      await sql`insert into invoices (id, org_id, slot, uuid, issuer, receiver, amount, currency,
          issuance_date, source_kind, source_url, checksum, status, version, created_at, updated_at)
        select 'filler-' || n, 'org_filler', 1, 'filler-' || n, 'EKU9003173C9', 'XAXX010101000', 1160, 'MXN',
          ${issuanceDate}, 'url', 'https://example.test/a.xml', 'checksum', 'pending', 1, now(), now()
          from generate_series(1, 6000) as n`.execute(db);
      const ids = batch.map(({ invoice }) => invoice.id);
      const scansOfPartition = (plan: unknown) =>
        planNodes((plan as { Plan: PlanNode }[])[0]!.Plan).filter(
          (node) => node['Relation Name'] === 'invoices_y2025m06',
        );

      const [read] = await selectInvoicesByIds(db, ids).explain('json');
      const update = await sql<{ 'QUERY PLAN': unknown }>`explain (format json) ${versionedUpdate(
        ids.map((id) => ({ id, issuance_date: issuanceDate, read_version: 1, document_changed: false })),
      )}`.execute(db);

      for (const plan of [read!['QUERY PLAN'], update.rows[0]!['QUERY PLAN']]) {
        const scans = scansOfPartition(plan);
        expect(scans.length).toBeGreaterThan(0);
        for (const scan of scans) expect(scan['Node Type']).not.toBe('Seq Scan');
      }
    },
  );

  // One PGlite connection runs one transaction at a time: no change can slip in between a read and
  // its update there, so a lost race is only possible on PostgreSQL.
  it.skipIf(!available || engine !== 'postgres')(
    'only the invoices whose version moved meanwhile are read and changed again',
    async () => {
      const [raced, calm] = [newInvoice(), newInvoice()];
      await repository.addMany([raced!, calm!]);
      const shard = shards.forSlot(raced!.invoice.slot);
      const other = new Kysely<InvoiceSchema>({
        dialect: new PostgresDialect({
          pool: new pg.Pool({ connectionString: await urlOf(shard.database.db), max: 1 }),
        }),
      });
      try {
        const calls = new Map<string, number>();
        const now = new Date('2026-11-24T12:01:00Z');
        const counted = (invoice: Invoice) => {
          calls.set(invoice.id, (calls.get(invoice.id) ?? 0) + 1);
          return claimAt(now)(invoice);
        };
        // A concurrent writer holds the row of `raced`, changed but not committed.
        const outcomes = await other.connection().execute(async (db) => {
          await sql`begin`.execute(db);
          await sql`update invoice.invoices set version = version + 1 where id = ${raced!.invoice.id}`.execute(
            db,
          );
          const updating = repository.updateMany([
            { key: raced!.invoice, change: counted },
            { key: calm!.invoice, change: counted },
          ]);
          await waitForLockWait(db);
          await sql`commit`.execute(db);
          return updating;
        });
        expect(outcomes.map((outcome) => outcome.status)).toEqual(['updated', 'updated']);
        expect(calls.get(raced!.invoice.id)).toBe(2);
        expect(calls.get(calm!.invoice.id)).toBe(1);
        expect(await repository.findById(raced!.invoice)).toMatchObject({ status: 'processing', version: 3 });
      } finally {
        await other.destroy();
      }
    },
  );
});

interface PlanNode {
  'Node Type'?: string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows': number;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
  Plans?: PlanNode[];
}

function planNodes(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(planNodes)];
}

async function countInvoices(db: import('kysely').Kysely<InvoiceSchema>, id: string) {
  const rows = await db.selectFrom('invoices').select('id').where('id', '=', id).execute();
  return rows.length;
}

async function outboxTypes(db: import('kysely').Kysely<InvoiceSchema>) {
  const rows = await db.selectFrom('outbox').select('type').execute();
  return rows.map((row) => row.type);
}

async function eventsOf(db: import('kysely').Kysely<InvoiceSchema>, id: string) {
  const { rows } = await sql<{ type: string; sequence: number }>`
    select type, (envelope->>'sequence')::int as sequence from outbox
    where envelope->>'subject' = ${id} order by id`.execute(db);
  return rows;
}

/** The connection string of a PostgreSQL test database, read from the server itself. */
async function urlOf(db: import('kysely').Kysely<InvoiceSchema>): Promise<string> {
  const { rows } = await sql<{ name: string }>`select current_database() as name`.execute(db);
  const url = new URL(serviceUrls.postgres);
  url.pathname = `/${rows[0]!.name}`;
  return url.toString();
}

/** Until another session of this database waits on a row lock. */
async function waitForLockWait(db: import('kysely').Kysely<InvoiceSchema>, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await sql<{ waiting: number }>`
      select count(*)::int as waiting from pg_stat_activity
       where datname = current_database() and wait_event_type = 'Lock'`.execute(db);
    if (rows[0]!.waiting > 0) return;
    if (Date.now() > deadline) throw new Error('no session waited on the lock in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
