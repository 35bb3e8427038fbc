import type { Database } from '@fiscal/kit/db';
import { sql } from 'kysely';
import { Gauge, type Registry } from 'prom-client';
import type { InvoiceSchema } from './invoice-rows.js';

type AgeProbes = Map<string, () => Promise<number>>;

const probesByRegistry = new WeakMap<Registry, AgeProbes>();

/**
 * `outbox_oldest_unpublished_age_seconds{shard}`: how long the oldest event not yet published has
 * waited in a shard's outbox, read when scraped (the unpublished rows' partial index makes it one
 * index probe). A count says how much waits; only an age says the relay is stuck or behind.
 */
export function registerOutboxAgeProbe(
  registry: Registry,
  shard: number,
  database: Database<InvoiceSchema>,
): void {
  let probes = probesByRegistry.get(registry);
  if (!probes) {
    const created: AgeProbes = new Map();
    probes = created;
    probesByRegistry.set(registry, created);
    new Gauge({
      name: 'outbox_oldest_unpublished_age_seconds',
      help: 'Age of the oldest invoice event committed to a shard outbox and not yet published (0: none waiting)',
      labelNames: ['shard'],
      registers: [registry],
      async collect() {
        for (const [label, probe] of created) {
          // A failed read leaves the last value: the scrape must not fail with the database.
          const age = await probe().catch(() => undefined);
          if (age !== undefined) this.set({ shard: label }, age);
        }
      },
    });
  }
  probes.set(String(shard), async () => {
    const { rows } = await sql<{ age: number | string | null }>`
      select extract(epoch from now() - created_at) as age
      from outbox where published_at is null order by id limit 1`.execute(database.db);
    return Math.max(0, Number(rows[0]?.age ?? 0));
  });
}
