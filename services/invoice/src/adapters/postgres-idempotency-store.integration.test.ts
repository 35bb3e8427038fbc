import { probeService } from '@fiscal/kit/testing';
import { sql } from 'kysely';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type InvoiceShards, openInvoiceShards } from './invoice-shards.js';
import {
  createPostgresIdempotencyStore,
  expiredAnswersClearedPerSave,
  idempotencyKeyLifetimeMs,
} from './postgres-idempotency-store.js';
import {
  createTestShardDatabases,
  statementsByDatabase,
  type TestShardDatabases,
} from './testing/invoice-shards.js';

const engines = [
  { engine: 'pglite' as const, available: true },
  { engine: 'postgres' as const, available: await probeService('postgres') },
];

describe.each(engines)('idempotency store on $engine', ({ engine, available }) => {
  const registry = new Registry();
  let test: TestShardDatabases;
  let shards: InvoiceShards;

  beforeAll(async () => {
    if (!available) return;
    test = await createTestShardDatabases(engine, 1, { registry });
    shards = await openInvoiceShards(test.databases);
  });
  afterAll(async () => test?.dispose());

  const storedKeys = async () => {
    const { rows } = await sql<{ count: string }>`select count(*) as count from idempotency_keys`.execute(
      shards.all[0]!.database.db,
    );
    return Number(rows[0]!.count);
  };

  it.skipIf(!available)('holds about a lifetime of keys however many a client invents', async () => {
    let now = new Date('2026-11-24T00:00:00Z');
    const store = createPostgresIdempotencyStore(shards, () => now);
    const answer = { fingerprint: 'f', body: { items: [] } };
    for (let n = 0; n < 200; n++) await store.save('org_a', `old-${n}`, answer);
    expect(await storedKeys()).toBe(200);

    // A day later every one of those has expired; each new save clears some of them.
    now = new Date(now.getTime() + idempotencyKeyLifetimeMs + 1_000);
    const saves = Math.ceil(200 / expiredAnswersClearedPerSave);
    for (let n = 0; n < saves; n++) await store.save('org_a', `new-${n}`, answer);
    expect(await storedKeys()).toBe(saves);
    expect(await store.find('org_a', 'new-0')).toEqual(answer);
    expect(await store.find('org_a', 'old-0')).toBeUndefined();
  });

  it.skipIf(!available)(
    'stores an answer in one statement, in place of an expired one under its key but never of a live one',
    async () => {
      let now = new Date('2026-11-26T00:00:00Z');
      const store = createPostgresIdempotencyStore(shards, () => now);
      const statements = async () => [...(await statementsByDatabase(registry)).values()][0] ?? 0;

      const before = await statements();
      await store.save('org_b', 'key', { fingerprint: 'first', body: { n: 1 } });
      expect((await statements()) - before).toBe(1);

      await store.save('org_b', 'key', { fingerprint: 'second', body: { n: 2 } });
      expect(await store.find('org_b', 'key')).toEqual({ fingerprint: 'first', body: { n: 1 } });

      now = new Date(now.getTime() + idempotencyKeyLifetimeMs + 1_000);
      await store.save('org_b', 'key', { fingerprint: 'third', body: { n: 3 } });
      expect(await store.find('org_b', 'key')).toEqual({ fingerprint: 'third', body: { n: 3 } });
    },
  );
});
