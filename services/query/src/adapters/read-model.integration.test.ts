import type { EventEnvelope } from '@fiscal/contracts';
import type { Database } from '@fiscal/kit/db';
import { type CountedDatabase, createCountedDatabase, probeService } from '@fiscal/kit/testing';
import { type KyselyPlugin, PostgresQueryCompiler, type RootOperationNode, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getTimelineHandler } from '../app/get-timeline.js';
import { listInvoicesHandler } from '../app/list-invoices.js';
import { projectInvoiceEventsHandler, projectorGroup } from '../app/project-invoice-event.js';
import type { SummaryStore } from '../domain/invoice-summary/index.js';
import { replayBatchSize, replayReadModel } from '../replay.js';
import {
  type InvoiceFacts,
  inBatches,
  invoiceFacts,
  lifeOf,
  seededRandom,
  shuffledWithDuplicates,
} from '../testing/invoice-events.js';
import { queryMigrations } from './migrations.js';
import { listInvoices } from './postgres-invoice-list.js';
import { resetReadModel } from './postgres-read-model-reset.js';
import { createPostgresSummaryStore } from './postgres-summary-store.js';
import { createPostgresTimelineStore } from './postgres-timeline-store.js';
import type { QuerySchema } from './query-schema.js';

const postgresAvailable = await probeService('postgres');

/** Every row of the read model, in a fixed order, as the database holds it. */
async function snapshot(database: Database<QuerySchema>) {
  const summaries = await sql`select * from invoice_summaries order by id`.execute(database.db);
  const timeline = await sql`select * from invoice_timeline order by event_id`.execute(database.db);
  return { summaries: summaries.rows, timeline: timeline.rows };
}

async function* streamOf(events: readonly EventEnvelope[]): AsyncIterable<EventEnvelope> {
  yield* events;
}

const endings = ['pending', 'archived', 'rejected', 'retried'] as const;

describe.each([
  ['pglite', true],
  ['postgres', postgresAvailable],
] as const)('the read model on %s', (engine, available) => {
  let test: CountedDatabase<QuerySchema>;
  let database: Database<QuerySchema>;
  let summaries: SummaryStore;
  let project: ReturnType<typeof projectInvoiceEventsHandler>;
  /** One event per transaction, as the projector ran before it took batches. */
  const applyAll = async (events: readonly EventEnvelope[]) => {
    for (const event of events) await project([event]);
  };

  beforeAll(async () => {
    if (!available) return;
    test = await createCountedDatabase<QuerySchema>(engine, 'query');
    database = test.database;
    await database.migrate(queryMigrations);
    summaries = createPostgresSummaryStore(database);
    project = projectInvoiceEventsHandler(summaries);
  });
  afterAll(async () => {
    await test?.dispose();
  });
  beforeEach(async () => {
    if (available) await resetReadModel(database, projectorGroup);
  });

  describe('projection', () => {
    const facts = Array.from({ length: 12 }, (_, n) => invoiceFacts(n + 1));
    const log = facts.flatMap((invoice, n) => lifeOf(invoice, endings[n % endings.length]!));

    it.skipIf(!available)(
      'converges on the same summaries and timelines whatever the order and duplication of delivery',
      async () => {
        await applyAll(log);
        const ordered = await snapshot(database);
        expect(ordered.summaries).toHaveLength(facts.length);
        expect(ordered.timeline).toHaveLength(log.length);

        for (const seed of [1, 2, 3]) {
          await resetReadModel(database, projectorGroup);
          await applyAll(shuffledWithDuplicates(log, seededRandom(seed)));
          expect(await snapshot(database), `delivery order of seed ${seed}`).toEqual(ordered);
        }
      },
    );

    it.skipIf(!available)('a replay of the event log equals the live model, row by row', async () => {
      await applyAll(shuffledWithDuplicates(log, seededRandom(7)));
      const live = await snapshot(database);

      const report = await replayReadModel({ database, events: streamOf(log) });

      expect(report).toEqual({ applied: log.length, duplicates: 0, skipped: 0 });
      expect(await snapshot(database)).toEqual(live);
      // The replayed projector's inbox is whole again: a late redelivery has no second effect.
      expect(await project([log[0]!])).toBe(0);
    });

    it.skipIf(!available)(
      'converges on the same summaries and timelines when the shuffled, duplicated stream comes in batches of any size',
      async () => {
        await applyAll(log);
        const ordered = await snapshot(database);

        for (const seed of [1, 2, 3, 4]) {
          await resetReadModel(database, projectorGroup);
          const random = seededRandom(seed);
          // Up to the whole stream in one batch: one invoice's events often share a batch, in any order.
          const batches = inBatches(shuffledWithDuplicates(log, random), random, [1, 3, 17, log.length * 2]);
          expect(batches.some((batch) => batch.length > 1)).toBe(true);
          for (const batch of batches) await project(batch);
          expect(await snapshot(database), `batches of seed ${seed}`).toEqual(ordered);
        }
      },
    );

    it.skipIf(!available)(
      'converges when batches are applied concurrently by two projectors on the same database',
      async () => {
        await applyAll(log);
        const ordered = await snapshot(database);
        await resetReadModel(database, projectorGroup);

        const replica = projectInvoiceEventsHandler(createPostgresSummaryStore(database));
        const random = seededRandom(11);
        const batches = inBatches(shuffledWithDuplicates(log, random), random, [2, 5, 9]);
        const inFlight = batches.map((batch, index) => (index % 2 === 0 ? project : replica)(batch));
        // Shared events and invoices are locked in one order by every batch: no deadlock to retry.
        const applied = await Promise.all(inFlight);
        expect(applied.reduce((sum, count) => sum + count, 0)).toBe(log.length);
        expect(await snapshot(database)).toEqual(ordered);
      },
    );

    it.skipIf(!available)('a redelivered batch has no second effect', async () => {
      const [first, second] = [log.slice(0, 20), log.slice(10, 40)];
      expect(await project(first)).toBe(20);
      const once = await snapshot(database);
      expect(await project(first)).toBe(0);
      expect(await snapshot(database)).toEqual(once);
      // Ten seen, twenty new: only the new ones apply.
      expect(await project(second)).toBe(20);
      await applyAll(log.slice(40));
      await project(log);
      const whole = await snapshot(database);
      await resetReadModel(database, projectorGroup);
      await applyAll(log);
      expect(await snapshot(database)).toEqual(whole);
    });

    it.skipIf(!available)(
      'projects a batch of 100 events in six statements: one transaction, whatever its size',
      async () => {
        const many = Array.from({ length: 40 }, (_, n) => invoiceFacts(100 + n)).flatMap((invoice, n) =>
          lifeOf(invoice, endings[n % endings.length]!),
        );
        const batch = many.slice(0, 100);
        const before = await test.statements();
        expect(await project(batch)).toBe(100);
        // begin, read of the summaries, upsert of the summaries, search entries, timeline entries
        // (the projector's inbox), commit.
        expect((await test.statements()) - before).toBe(6);
        // One search entry per invoice whose submission arrived, however many events it had.
        const submitted = new Set(
          batch.filter((event) => event.type === 'fiscal.invoice.created').map((event) => event.subject),
        );
        const searchable = await database.db
          .selectFrom('invoice_search')
          .select('id')
          .where('id', 'in', [...submitted])
          .execute();
        expect(searchable).toHaveLength(submitted.size);
        const redelivered = await test.statements();
        expect(await project(batch)).toBe(0);
        // begin, read of the summaries (none advances), timeline entries (every id seen), commit.
        expect((await test.statements()) - redelivered).toBe(4);
      },
    );

    it.skipIf(!available)(
      'a replay of a log longer than a batch, duplicates and all, equals the live model',
      async () => {
        const long = Array.from({ length: 150 }, (_, n) => invoiceFacts(1_000 + n)).flatMap((invoice, n) =>
          lifeOf(invoice, endings[n % endings.length]!),
        );
        expect(long.length).toBeGreaterThan(replayBatchSize);
        await project(long);
        const live = await snapshot(database);
        const delivered = shuffledWithDuplicates(long, seededRandom(5));

        const report = await replayReadModel({ database, events: streamOf(delivered) });

        expect(report).toEqual({
          applied: long.length,
          duplicates: delivered.length - long.length,
          skipped: 0,
        });
        expect(await snapshot(database)).toEqual(live);
      },
    );

    it.skipIf(!available)('keeps each invoice timeline in version order, with the event data', async () => {
      const invoice = facts[3]!;
      const life = lifeOf(invoice, 'retried');
      await applyAll([...life].reverse());
      const timeline = await getTimelineHandler(createPostgresTimelineStore(database))({
        orgId: invoice.orgId,
        id: invoice.id,
      });
      expect(timeline.map((entry) => [entry.sequence, entry.type])).toEqual(
        life.map((event) => [event.sequence, event.type]),
      );
      expect(timeline[0]).toMatchObject({
        eventId: life[0]!.id,
        occurredAt: life[0]!.time,
        detail: { issuer: invoice.issuer, amount: '1160.00' },
      });
      await expect(
        getTimelineHandler(createPostgresTimelineStore(database))({ orgId: 'org_b', id: invoice.id }),
      ).rejects.toMatchObject({ code: 'invoice_not_found' });
    });
  });

  describe('racing another projector', () => {
    /** Another projector's transaction, held open on a connection of its own. */
    async function otherProjector() {
      const client = new pg.Client({ connectionString: test.url });
      await client.connect();
      await client.query('begin');
      return client;
    }
    /** Whether a statement of this database waits on a row another transaction holds. */
    async function waitingOnLock(): Promise<boolean> {
      const { rows } = await sql<{ waiting: number }>`select count(*)::int as waiting from pg_stat_activity
        where datname = current_database() and wait_event_type = 'Lock'`.execute(database.db);
      return rows[0]!.waiting > 0;
    }

    it.skipIf(engine !== 'postgres' || !available)(
      'keeps the newer status another projector saved meanwhile, and fills in the submission data',
      async () => {
        const invoice = invoiceFacts(900);
        const [created, processing, ...rest] = lifeOf(invoice, 'archived');
        const other = await otherProjector();
        try {
          // The other projector saved a newer version of an invoice this one has not seen yet.
          await other.query(
            `insert into query.invoice_summaries (id, org_id, status, sequence, created_at, updated_at)
             values ($1, 'org_a', 'processing', 2, $2, $2)`,
            [invoice.id, processing!.time],
          );
          const applying = project([created!]);
          await expect.poll(waitingOnLock).toBe(true);
          await other.query('commit');
          expect(await applying).toBe(1);
        } finally {
          await other.end();
        }
        expect(await summaries.findById('org_a', invoice.id)).toMatchObject({
          status: 'processing',
          sequence: 2,
          uuid: invoice.uuid,
          issuer: invoice.issuer,
          amount: '1160.00',
          createdAt: created!.time,
        });

        // A projector that read the row before another saved a newer version does not move it back.
        await project([processing!, ...rest.slice(0, -1)]);
        const archived = rest.at(-1)!;
        const again = await otherProjector();
        try {
          await again.query(
            `update query.invoice_summaries set status = 'pending', sequence = 10 where id = $1`,
            [invoice.id],
          );
          const applying = project([archived]);
          await expect.poll(waitingOnLock).toBe(true);
          await again.query('commit');
          expect(await applying).toBe(1);
        } finally {
          await again.end();
        }
        expect(await summaries.findById('org_a', invoice.id)).toMatchObject({
          status: 'pending',
          sequence: 10,
          processingMs: null,
        });
      },
    );
  });

  describe('listing', () => {
    let list: ReturnType<typeof listInvoicesHandler>;
    const ids = (page: { items: { id: string }[] }) => page.items.map((item) => item.id);
    const mine: InvoiceFacts[] = [
      invoiceFacts(1, {
        issuer: 'EKU9003173C9',
        receiver: 'CACX7605101P8',
        issuanceDate: '2026-11-01T00:00:00.000Z',
      }),
      invoiceFacts(2, {
        issuer: 'EKU9003173C9',
        receiver: 'XAXX010101000',
        issuanceDate: '2026-11-15T18:30:00.000Z',
      }),
      invoiceFacts(3, {
        issuer: 'AAA010101AAA',
        receiver: 'CACX7605101P8',
        issuanceDate: '2026-11-30T23:59:00.000Z',
      }),
      invoiceFacts(4, {
        issuer: 'MOFY900516NL1',
        receiver: 'XAXX010101000',
        issuanceDate: '2026-12-01T00:00:00.000Z',
      }),
    ];
    const theirs = invoiceFacts(5, { orgId: 'org_b', issuer: 'EKU9003173C9' });

    beforeEach(async () => {
      if (!available) return;
      list = listInvoicesHandler(summaries);
      await applyAll(lifeOf(mine[0]!, 'archived'));
      await applyAll(lifeOf(mine[1]!, 'rejected'));
      await applyAll(lifeOf(mine[2]!, 'archived'));
      await applyAll(lifeOf(mine[3]!, 'pending'));
      await applyAll(lifeOf(theirs, 'archived'));
    });

    it.skipIf(!available)(
      'lists newest first, and filters by status, issuer, receiver and date range',
      async () => {
        const [one, two, three, four] = mine.map((invoice) => invoice.id);
        expect(ids(await list({ orgId: 'org_a' }))).toEqual([four, three, two, one]);
        expect(ids(await list({ orgId: 'org_a', status: 'archived' }))).toEqual([three, one]);
        expect(ids(await list({ orgId: 'org_a', issuer: 'eku9003173c9' }))).toEqual([two, one]);
        expect(ids(await list({ orgId: 'org_a', receiver: 'XAXX010101000', status: 'pending' }))).toEqual([
          four,
        ]);
        // Both ends included; a bare date covers its whole day.
        expect(ids(await list({ orgId: 'org_a', from: '2026-11-01', to: '2026-11-30' }))).toEqual([
          three,
          two,
          one,
        ]);
        expect(
          ids(await list({ orgId: 'org_a', from: '2026-11-15T18:30:00Z', to: '2026-12-01T00:00:00.000Z' })),
        ).toEqual([four, three, two]);
      },
    );

    it.skipIf(!available)(
      'finds invoices by free text: whole words, partial RFCs and UUID fragments',
      async () => {
        const [one, two, three, four] = mine.map((invoice) => invoice.id);
        expect(ids(await list({ orgId: 'org_a', q: 'MOFY900516NL1' }))).toEqual([four]);
        expect(ids(await list({ orgId: 'org_a', q: 'eku900' }))).toEqual([two, one]);
        expect(ids(await list({ orgId: 'org_a', q: '7605101' }))).toEqual([three, one]);
        expect(ids(await list({ orgId: 'org_a', q: mine[1]!.uuid.slice(9, 18) }))).toEqual([two]);
        expect(ids(await list({ orgId: 'org_a', q: '100%_' }))).toEqual([]);
      },
    );

    it.skipIf(!available)("never shows another organisation's invoices", async () => {
      expect(ids(await list({ orgId: 'org_b' }))).toEqual([theirs.id]);
      expect(ids(await list({ orgId: 'org_c' }))).toEqual([]);
      expect(ids(await list({ orgId: 'org_c', q: theirs.uuid }))).toEqual([]);
      expect(await summaries.findById('org_c', theirs.id)).toBeUndefined();
    });

    it.skipIf(!available)('refuses a cursor it did not hand out', async () => {
      await expect(list({ orgId: 'org_a', cursor: 'bm90LWEtY3Vyc29y' })).rejects.toMatchObject({
        kind: 'invalid',
        code: 'invalid_cursor',
        errors: [expect.objectContaining({ field: 'cursor' })],
      });
    });
  });

  describe("a verdict's problems", () => {
    /** A rejection with `count` problems, each with a long path and message, as a hostile document gets. */
    function rejectedWith(n: number, count: number): EventEnvelope[] {
      const life = lifeOf(invoiceFacts(n), 'rejected');
      const rejected = life.at(-1)!;
      const errors = Array.from({ length: count }, (_, index) => ({
        code: 'element_unexpected',
        path: `/cfdi:Comprobante/${'x'.repeat(1_000)}[${index + 1}]`,
        message: `${'y'.repeat(1_000)} has no place in Comprobante`,
      }));
      return [...life.slice(0, -1), { ...rejected, data: { ...(rejected.data as object), errors } }];
    }

    it.skipIf(!available)(
      'are held to the first hundred, cut short, with a count of the rest, on the invoice and its timeline',
      async () => {
        const life = rejectedWith(1, 5_000);
        await applyAll(life);
        const invoiceId = life[0]!.subject;
        const summary = await summaries.findById('org_a', invoiceId);
        expect(summary?.problems).toHaveLength(101);
        expect(summary?.problems.at(-1)).toEqual({
          code: 'too_many_problems',
          path: '',
          message: 'and 4900 more problems: only the first 100 are listed',
        });
        expect(JSON.stringify(summary).length).toBeLessThan(101 * 1_000);
        const timeline = await getTimelineHandler(createPostgresTimelineStore(database))({
          orgId: 'org_a',
          id: invoiceId,
        });
        expect((timeline.at(-1)!.detail as { errors: unknown[] }).errors).toHaveLength(101);
      },
    );

    it.skipIf(!available)('are left out of a list page, whose size does not depend on them', async () => {
      const rejected = Array.from({ length: 50 }, (_, n) => rejectedWith(n + 1, 2_000));
      for (const life of rejected) await applyAll(life);
      const page = await listInvoicesHandler(summaries)({ orgId: 'org_a', limit: 50 });
      expect(page.items).toHaveLength(50);
      for (const item of page.items) {
        expect(item).not.toHaveProperty('problems');
        expect(item).toMatchObject({ status: 'rejected', outcomeReason: 'validation_failed' });
      }
      // A summary without problems is a few hundred bytes, whatever its document held.
      expect(JSON.stringify(page).length).toBeLessThan(50 * 600);
    });

    it.skipIf(!available)('are not even read by the list statement', async () => {
      const statements: string[] = [];
      const compiler = new PostgresQueryCompiler();
      const recording: KyselyPlugin = {
        transformQuery: ({ node, queryId }) => {
          statements.push(compiler.compileQuery(node as RootOperationNode, queryId).sql);
          return node;
        },
        transformResult: async ({ result }) => result,
      };
      await listInvoices(database.db.withPlugin(recording), { orgId: 'org_a', limit: 50, text: 'EKU' });
      expect(statements).toHaveLength(1);
      expect(statements[0]).toContain('"outcome_reason"');
      expect(statements[0]).not.toContain('problems');
    });
  });

  describe('pagination', () => {
    const originals = 10_000;

    it.skipIf(!available)(
      'returns each invoice exactly once, page by page, while new ones arrive meanwhile',
      async () => {
        // Seeded in one statement: the pages are under test here, not the projector.
        await sql`insert into invoice_summaries (id, org_id, uuid, issuer, receiver, amount, currency,
            issuance_date, status, sequence, created_at, updated_at)
          select lpad(to_hex(n * 2), 12, '0'), 'org_a', gen_random_uuid()::text, 'EKU9003173C9',
                 'CACX7605101P8', 1160.00, 'MXN', now(), 'archived', 3, now(), now()
            from generate_series(1, ${originals}) as n`.execute(database.db);
        const hexOf = (n: number) => n.toString(16).padStart(12, '0');
        const originalIds = new Set(Array.from({ length: originals }, (_, n) => hexOf((n + 1) * 2)));
        const list = listInvoicesHandler(summaries);
        const seen: string[] = [];
        let cursor: string | undefined;
        let arrivals = 0;
        do {
          arrivals += 1;
          // Newcomers sort before, among and after the pages already read, and arrive as a page is read.
          const newcomers = [originals * 2 + arrivals, arrivals * 400, arrivals * 800].map((n) =>
            invoiceFacts(n, { id: `${hexOf(n)}-new-${arrivals}` }),
          );
          const [page] = await Promise.all([
            list({ orgId: 'org_a', limit: 500, cursor }),
            ...newcomers.map((invoice) => applyAll(lifeOf(invoice, 'pending'))),
          ]);
          seen.push(...page.items.map((item) => item.id).filter((id) => originalIds.has(id)));
          cursor = page.nextCursor;
        } while (cursor);

        expect(arrivals).toBeGreaterThanOrEqual(originals / 500);
        expect(seen).toHaveLength(originals);
        expect(new Set(seen).size).toBe(originals);
      },
      120_000,
    );
  });
});
