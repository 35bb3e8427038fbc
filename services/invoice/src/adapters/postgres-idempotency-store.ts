import { sql } from 'kysely';
import type { IdempotencyStore } from '../domain/invoice/index.js';
import { fnv1a32, slotCount } from '../domain/sharding/index.js';
import type { InvoiceShards } from './invoice-shards.js';

/** How long an `Idempotency-Key` is remembered; a key used again later is a new request. */
export const idempotencyKeyLifetimeMs = 24 * 60 * 60 * 1000;

/**
 * Expired answers each save clears from its shard. More than one, so clearing outpaces storing and
 * a shard holds about a day of keys however many a client invents; few, so a save stays cheap.
 */
export const expiredAnswersClearedPerSave = 10;

/**
 * Stored answers to requests with an `Idempotency-Key`, spread over the invoice shards by the key's
 * own slot (a key is not tied to one issuer: a batch spans many).
 */
export function createPostgresIdempotencyStore(
  shards: InvoiceShards,
  clock: () => Date = () => new Date(),
): IdempotencyStore {
  const databaseFor = (orgId: string, key: string) =>
    shards.forSlot(fnv1a32(`${orgId}\n${key}`) % slotCount).database;

  return {
    async find(orgId, key) {
      const oldest = new Date(clock().getTime() - idempotencyKeyLifetimeMs).toISOString();
      const row = await databaseFor(orgId, key)
        .db.selectFrom('idempotency_keys')
        .select(['fingerprint', 'body'])
        .where('org_id', '=', orgId)
        .where('key', '=', key)
        .where('created_at', '>=', oldest)
        .executeTakeFirst();
      return row && { fingerprint: row.fingerprint, body: row.body };
    },

    async save(orgId, key, response) {
      const now = clock();
      const oldest = new Date(now.getTime() - idempotencyKeyLifetimeMs).toISOString();
      // One statement, atomic without a transaction: it clears a few expired answers of the shard
      // (rows another save is clearing are skipped, not waited for: no lock waits, no deadlocks)
      // and stores this answer, in place of an expired one under the same key but never of a live one.
      await sql`
        with cleared as (
          delete from idempotency_keys where (org_id, key) in (
            select org_id, key from idempotency_keys
             where created_at < ${oldest} and (org_id, key) <> (${orgId}, ${key})
             limit ${expiredAnswersClearedPerSave} for update skip locked))
        insert into idempotency_keys (org_id, key, fingerprint, body, created_at)
        values (${orgId}, ${key}, ${response.fingerprint}, ${JSON.stringify(response.body)}, ${now.toISOString()})
        on conflict (org_id, key) do update
          set fingerprint = excluded.fingerprint, body = excluded.body, created_at = excluded.created_at
          where idempotency_keys.created_at < ${oldest}`.execute(databaseFor(orgId, key).db);
    },
  };
}
