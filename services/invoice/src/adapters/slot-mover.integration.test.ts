import { probeService } from '@fiscal/kit/testing';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Invoice } from '../domain/invoice/index.js';
import { ShardMap } from '../domain/sharding/index.js';
import type { InvoiceSchema } from './invoice-rows.js';
import { openInvoiceShards } from './invoice-shards.js';
import { createPostgresInvoiceRepository } from './postgres-invoice-repository.js';
import { moveSlots } from './slot-mover.js';
import { createTestShardDatabases, type TestShardDatabases } from './testing/invoice-shards.js';
import { issuerNumber, newInvoice } from './testing/invoices.js';

const engines = [
  { engine: 'pglite' as const, available: true },
  { engine: 'postgres' as const, available: await probeService('postgres') },
];

describe.each(engines)('going from one shard to two on $engine', ({ engine, available }) => {
  let test: TestShardDatabases;
  const stored: Invoice[] = [];

  beforeAll(async () => {
    if (!available) return;
    test = await createTestShardDatabases(engine, 2);
    // Before: every slot on shard 0; the second database is new and empty.
    const before = await openInvoiceShards(test.databases, ShardMap.parse('0-4095:0', 2));
    const repository = createPostgresInvoiceRepository(before);
    const changes = Array.from({ length: 300 }, (_, n) =>
      newInvoice({ issuer: issuerNumber(n * 7), issuanceDate: `2026-0${1 + (n % 9)}-15T12:00:00.000Z` }),
    );
    await repository.addMany(changes);
    stored.push(...changes.map((change) => change.invoice));
  });
  afterAll(async () => test?.dispose());

  it.skipIf(!available)(
    'moves only the reassigned slot range, and every invoice is still found',
    async () => {
      const [first, second] = test.databases.map((database) => database.db) as [
        Kysely<InvoiceSchema>,
        Kysely<InvoiceSchema>,
      ];
      const stayingVersionsBefore = await rowVersions(first, 0, 2047);
      const before = await openInvoiceShards(test.databases, ShardMap.parse('0-4095:0', 2));

      const report = await moveSlots(before, ShardMap.even(2), { batchSize: 64 });

      const moving = stored.filter((invoice) => invoice.slot >= 2048);
      expect(moving.length).toBeGreaterThan(50);
      expect(moving.length).toBeLessThan(stored.length - 50);
      expect(report.moves).toEqual([{ from: 2048, to: 4095, fromShard: 0, toShard: 1 }]);
      expect(report.movedInvoices).toBe(moving.length);
      // Rows of slots that keep their shard were not rewritten (same row versions, same count).
      expect(await rowVersions(first, 0, 2047)).toEqual(stayingVersionsBefore);
      expect(await rowVersions(first, 2048, 4095)).toEqual([]);
      expect((await rowVersions(second, 2048, 4095)).length).toBe(moving.length);
      expect(await rowVersions(second, 0, 2047)).toEqual([]);

      const after = createPostgresInvoiceRepository(
        await openInvoiceShards(test.databases, ShardMap.even(2)),
      );
      for (const invoice of stored) {
        expect(await after.findById(invoice)).toEqual(invoice);
        expect(
          (await after.findByIssuer(invoice.orgId, invoice.issuer, 10)).map((found) => found.id),
        ).toContain(invoice.id);
      }
      const byUuid = await after.findByUuids(
        'org-1',
        stored.map((invoice) => invoice.uuid),
      );
      expect(byUuid.size).toBe(stored.length);
      // A fiscal UUID that moved is still unique on its new shard.
      const [outcome] = await after.addMany([
        newInvoice({ uuid: moving[0]!.uuid, issuer: moving[0]!.issuer }),
      ]);
      expect(outcome).toMatchObject({ stored: false, existing: { id: moving[0]!.id } });
    },
  );

  it.skipIf(!available)('running the move again finds nothing left to move', async () => {
    const after = await openInvoiceShards(test.databases, ShardMap.even(2));
    expect(await moveSlots(after, ShardMap.even(2))).toEqual({ moves: [], movedInvoices: 0 });
  });
});

async function rowVersions(db: Kysely<InvoiceSchema>, fromSlot: number, toSlot: number) {
  const { rows } = await sql<{ id: string; xmin: string }>`
    select id, xmin::text as xmin from invoices where slot between ${fromSlot} and ${toSlot} order by id`.execute(
    db,
  );
  return rows;
}
