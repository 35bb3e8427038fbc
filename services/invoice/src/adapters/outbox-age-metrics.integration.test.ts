import { appendToOutbox } from '@fiscal/kit/outbox';
import { sql } from 'kysely';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ShardMap } from '../domain/sharding/index.js';
import { openInvoiceShards } from './invoice-shards.js';
import { registerOutboxAgeProbe } from './outbox-age-metrics.js';
import { createTestShardDatabases, type TestShardDatabases } from './testing/invoice-shards.js';

describe('outbox age metric', () => {
  let test: TestShardDatabases;
  beforeAll(async () => {
    test = await createTestShardDatabases('pglite', 2);
    await openInvoiceShards(test.databases, ShardMap.even(2));
  });
  afterAll(async () => test?.dispose());

  it('reports, per shard, how long the oldest unpublished event has waited, and 0 when none waits', async () => {
    const registry = new Registry();
    for (const [index, database] of test.databases.entries())
      registerOutboxAgeProbe(registry, index, database);
    const [first] = test.databases;
    const envelope = (id: string) =>
      ({ id, type: 'fiscal.invoice.created', source: 'fiscal/invoice' }) as unknown as Parameters<
        typeof appendToOutbox
      >[1][number];
    await appendToOutbox(first!.db, [envelope('0190f7a8-0000-7000-8000-000000000001')]);
    await sql`update outbox set created_at = now() - interval '90 seconds'`.execute(first!.db);
    await appendToOutbox(first!.db, [envelope('0190f7a8-0000-7000-8000-000000000002')]);

    const text = await registry.metrics();
    const age = Number(/outbox_oldest_unpublished_age_seconds\{shard="0"\} ([\d.]+)/.exec(text)?.[1]);
    expect(age).toBeGreaterThanOrEqual(90);
    expect(age).toBeLessThan(120);
    expect(text).toContain('outbox_oldest_unpublished_age_seconds{shard="1"} 0');

    await sql`update outbox set published_at = now()`.execute(first!.db);
    expect(await registry.metrics()).toContain('outbox_oldest_unpublished_age_seconds{shard="0"} 0');
  });
});
