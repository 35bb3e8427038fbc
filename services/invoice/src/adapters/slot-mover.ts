import type { ShardMap, SlotMove } from '../domain/sharding/index.js';
import type { InvoiceShard, InvoiceShards } from './invoice-shards.js';

export interface SlotMoveReport {
  moves: SlotMove[];
  /** Invoices copied to their new shard and removed from the old one. */
  movedInvoices: number;
}

/**
 * Moves the rows of every slot whose shard differs between `shards.map` (where rows are now) and
 * `target` (where they should be), a batch at a time: copy to the new shard, then delete from the old.
 * Copies are idempotent, so a move interrupted at any point is finished by running it again. Rows of
 * slots that keep their shard are never read. Writers should be pointed at the target map once the
 * move is done; rows written to the old shards in between are picked up by running the move again.
 */
export async function moveSlots(
  shards: InvoiceShards,
  target: ShardMap,
  options: { batchSize?: number } = {},
): Promise<SlotMoveReport> {
  const batchSize = options.batchSize ?? 500;
  const moves = shards.map.movesTo(target);
  let movedInvoices = 0;
  for (const move of moves) {
    const from = shards.all[move.fromShard];
    const to = shards.all[move.toShard];
    if (!from || !to) throw new Error(`slot move names a shard that is not configured`);
    for (;;) {
      const moved = await moveBatch(from, to, move, batchSize);
      movedInvoices += moved;
      if (moved < batchSize) break;
    }
  }
  return { moves, movedInvoices };
}

async function moveBatch(from: InvoiceShard, to: InvoiceShard, move: SlotMove, limit: number) {
  const invoices = await from.database.db
    .selectFrom('invoices')
    .selectAll()
    .where('slot', '>=', move.from)
    .where('slot', '<=', move.to)
    .orderBy('id')
    .limit(limit)
    .execute();
  if (invoices.length === 0) return 0;
  const ids = invoices.map((row) => row.id);
  const uuids = await from.database.db
    .selectFrom('invoice_uuids')
    .selectAll()
    .where('invoice_id', 'in', ids)
    .execute();

  await to.ensurePartitions(invoices.map((row) => new Date(row.issuance_date).toISOString()));
  await to.database.transaction(async (trx) => {
    await trx
      .insertInto('invoices')
      .values(
        invoices.map((row) => ({
          ...row,
          issuance_date: new Date(row.issuance_date).toISOString(),
          claim_started_at: row.claim_started_at && new Date(row.claim_started_at).toISOString(),
          claim_expires_at: row.claim_expires_at && new Date(row.claim_expires_at).toISOString(),
          created_at: new Date(row.created_at).toISOString(),
          updated_at: new Date(row.updated_at).toISOString(),
          problems: row.problems === null ? null : JSON.stringify(row.problems),
        })),
      )
      .onConflict((conflict) => conflict.columns(['id', 'issuance_date']).doNothing())
      .execute();
    if (uuids.length > 0) {
      await trx
        .insertInto('invoice_uuids')
        .values(uuids.map((row) => ({ ...row, issuance_date: new Date(row.issuance_date).toISOString() })))
        .onConflict((conflict) => conflict.columns(['org_id', 'uuid']).doNothing())
        .execute();
    }
  });
  await from.database.transaction(async (trx) => {
    await trx.deleteFrom('invoice_uuids').where('invoice_id', 'in', ids).execute();
    await trx.deleteFrom('invoices').where('id', 'in', ids).execute();
  });
  return invoices.length;
}
