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
      const database = databaseFor(orgId, key);
      const oldest = new Date(clock().getTime() - idempotencyKeyLifetimeMs).toISOString();
      await database.transaction(async (trx) => {
        // An expired answer under the same key makes room for the new one.
        await trx
          .deleteFrom('idempotency_keys')
          .where('org_id', '=', orgId)
          .where('key', '=', key)
          .where('created_at', '<', oldest)
          .execute();
        // Rows another save is clearing are skipped, not waited for: no lock waits, no deadlocks.
        await sql`delete from idempotency_keys where (org_id, key) in (
            select org_id, key from idempotency_keys where created_at < ${oldest}
             limit ${expiredAnswersClearedPerSave} for update skip locked)`.execute(trx);
        await trx
          .insertInto('idempotency_keys')
          .values({
            org_id: orgId,
            key,
            fingerprint: response.fingerprint,
            body: JSON.stringify(response.body),
            created_at: clock().toISOString(),
          })
          .onConflict((conflict) => conflict.columns(['org_id', 'key']).doNothing())
          .execute();
      });
    },
  };
}
