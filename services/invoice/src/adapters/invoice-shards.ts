import type { Database } from '@fiscal/kit/db';
import { sql } from 'kysely';
import { ShardMap } from '../domain/sharding/index.js';
import type { InvoiceSchema } from './invoice-rows.js';
import { invoiceMigrations, uniqueIdIndex } from './migrations.js';

export interface InvoiceShard {
  index: number;
  database: Database<InvoiceSchema>;
  /** Creates the monthly partitions that rows issued at these instants need (idempotent, cached). */
  ensurePartitions(issuanceDates: Iterable<string>): Promise<void>;
}

/** The physical shards of the invoice store and the map that routes slots to them. */
export interface InvoiceShards {
  readonly map: ShardMap;
  readonly all: readonly InvoiceShard[];
  forSlot(slot: number): InvoiceShard;
}

/** Migrates every shard and opens the partitions around today, so the common months never wait. */
export async function openInvoiceShards(
  databases: readonly Database<InvoiceSchema>[],
  map: ShardMap = ShardMap.even(databases.length),
): Promise<InvoiceShards> {
  if (databases.length === 0) throw new Error('the invoice store needs at least one shard');
  const all = databases.map((database, index) => createShard(index, database));
  for (const shard of all) await shard.database.migrate(invoiceMigrations);
  const now = new Date();
  const months = [-1, 0, 1, 2].map((offset) =>
    new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1)).toISOString(),
  );
  for (const shard of all) await shard.ensurePartitions(months);
  return {
    map,
    all,
    forSlot(slot) {
      const shard = all[map.shardOfSlot(slot)];
      if (!shard) throw new Error(`slot ${slot} maps to a shard that is not configured`);
      return shard;
    },
  };
}

function createShard(index: number, database: Database<InvoiceSchema>): InvoiceShard {
  const known = new Set<string>();
  return {
    index,
    database,
    async ensurePartitions(issuanceDates) {
      for (const date of issuanceDates) {
        const month = monthOf(date);
        if (known.has(month.name)) continue;
        await createPartition(database, month);
        known.add(month.name);
      }
    },
  };
}

interface Month {
  name: string;
  from: string;
  to: string;
}

function monthOf(isoDate: string): Month {
  const date = new Date(isoDate);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth();
  const from = new Date(Date.UTC(year, month, 1));
  const to = new Date(Date.UTC(year, month + 1, 1));
  return {
    name: `invoices_y${year}m${String(month + 1).padStart(2, '0')}`,
    from: from.toISOString(),
    to: to.toISOString(),
  };
}

const duplicateTable = '42P07';
const uniqueViolation = '23505';

async function createPartition(database: Database<InvoiceSchema>, month: Month): Promise<void> {
  try {
    // Its own short transaction outside any insert: creating a partition locks the parent.
    await database.transaction(async (trx) => {
      await sql`create table if not exists ${sql.id(month.name)} partition of invoices
        for values from (${sql.lit(month.from)}) to (${sql.lit(month.to)})`.execute(trx);
      await uniqueIdIndex(trx, month.name);
    });
  } catch (error) {
    // Replicas creating the same partition at once: the loser finds it made.
    const code = (error as { code?: string }).code;
    if (code !== duplicateTable && code !== uniqueViolation) throw error;
  }
}
