import {
  distributedShardsConfig,
  type InvoiceSchema,
  invoiceShardUrls,
  moveSlots,
  openInvoiceShards,
  ShardMap,
  shardMapConfig,
} from '@fiscal/invoice';
import { defineConfig, parseConfig } from '@fiscal/kit/config';
import { createDatabase, type Database, databaseConfig } from '@fiscal/kit/db';

const shardsConfig = defineConfig({
  ...databaseConfig,
  databaseUrl: { ...databaseConfig.databaseUrl, default: undefined },
  ...distributedShardsConfig,
  ...shardMapConfig,
});

/**
 * `fiscal shards plan|move --to <map>`: re-sharding the invoice store. The current layout is
 * FISCAL_INVOICE_SHARD_URLS with FISCAL_INVOICE_SHARD_MAP; `--to` is the map to move to (over the same
 * list of shards, new ones appended). Only slots whose shard changes are read and moved.
 */
export async function runShards(args: string[], to: string | undefined): Promise<number> {
  const [action] = args;
  if ((action !== 'plan' && action !== 'move') || !to) {
    console.error('fiscal shards: plan|move --to <from-to:shard,...> (e.g. --to 0-2047:0,2048-4095:1)');
    return 2;
  }
  const settings = parseConfig(shardsConfig);
  const urls = invoiceShardUrls(settings);
  const current = settings.invoiceShardMap
    ? ShardMap.parse(settings.invoiceShardMap, urls.length)
    : ShardMap.even(urls.length);
  const target = ShardMap.parse(to, urls.length);
  const moves = current.movesTo(target);
  for (const move of moves) {
    console.log(`slots ${move.from}-${move.to}: shard ${move.fromShard} → shard ${move.toShard}`);
  }
  if (moves.length === 0) console.log('fiscal shards: nothing to move');
  if (action === 'plan' || moves.length === 0) return 0;

  const databases: Database<InvoiceSchema>[] = [];
  try {
    for (const url of urls) {
      databases.push(
        await createDatabase<InvoiceSchema>({
          engine: 'postgres',
          url,
          schema: settings.databaseSchema || 'invoice',
        }),
      );
    }
    const report = await moveSlots(await openInvoiceShards(databases, current), target);
    console.log(
      `fiscal shards: moved ${report.movedInvoices} invoices; set FISCAL_INVOICE_SHARD_MAP=${target.toString()}`,
    );
    return 0;
  } finally {
    for (const database of databases) await database.close();
  }
}
