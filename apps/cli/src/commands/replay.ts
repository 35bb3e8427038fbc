import { join, resolve } from 'node:path';
import {
  createPostgresEventLog,
  distributedShardsConfig,
  embeddedShardsConfig,
  eventLogOf,
  type InvoiceSchema,
  invoiceShardUrls,
  openInvoiceShards,
} from '@fiscal/invoice';
import { defineConfig, parseConfig, string } from '@fiscal/kit/config';
import { createDatabase, type Database, databaseConfig, openEmbeddedPostgres } from '@fiscal/kit/db';
import { type QuerySchema, replayReadModel } from '@fiscal/query';

const distributedReplayConfig = defineConfig({ ...databaseConfig, ...distributedShardsConfig });

const embeddedReplayConfig = defineConfig({
  ...embeddedShardsConfig,
  dataDir: {
    env: 'FISCAL_DATA_DIR',
    type: string(),
    default: './data',
    doc: 'Where embedded mode keeps its database and archived documents.',
  },
});

/**
 * `fiscal replay query`: rebuilds the query service's read model from the invoice service's event
 * log. Distributed when FISCAL_DATABASE_URL (the query database) is set, reading the invoice shards
 * of FISCAL_INVOICE_SHARD_URLS; otherwise the embedded database under FISCAL_DATA_DIR, which no
 * running `fiscal start` may hold meanwhile. Stop the query service first.
 */
export async function runReplay(args: string[]): Promise<number> {
  if (args.length !== 1 || args[0] !== 'query') {
    console.error('fiscal replay query: rebuilds the query read model from the invoice event log');
    return 2;
  }
  const distributed = Boolean(process.env.FISCAL_DATABASE_URL);
  const opened = distributed ? await openDistributed() : await openEmbedded();
  try {
    const shards = await openInvoiceShards(opened.shardDatabases);
    const report = await replayReadModel({
      database: opened.query,
      events: eventLogOf(createPostgresEventLog(shards)),
    });
    console.log(
      `fiscal replay: query rebuilt from ${report.applied} events (${report.duplicates} duplicates, ${report.skipped} skipped)`,
    );
    return 0;
  } finally {
    await opened.close();
  }
}

interface OpenedDatabases {
  query: Database<QuerySchema>;
  shardDatabases: Database<InvoiceSchema>[];
  close(): Promise<void>;
}

async function openDistributed(): Promise<OpenedDatabases> {
  const settings = parseConfig(distributedReplayConfig);
  const opened: Database<unknown>[] = [];
  const closeAll = async () => {
    for (const database of opened) await database.close();
  };
  try {
    const query = await createDatabase<QuerySchema>({
      engine: 'postgres',
      url: settings.databaseUrl,
      schema: settings.databaseSchema || 'query',
    });
    opened.push(query as Database<unknown>);
    // FISCAL_DATABASE_URL is the query database here, so the shards are named explicitly.
    const shardDatabases: Database<InvoiceSchema>[] = [];
    for (const url of invoiceShardUrls({ invoiceShardUrls: settings.invoiceShardUrls })) {
      const shard = await createDatabase<InvoiceSchema>({ engine: 'postgres', url, schema: 'invoice' });
      opened.push(shard as Database<unknown>);
      shardDatabases.push(shard);
    }
    return { query, shardDatabases, close: closeAll };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

async function openEmbedded(): Promise<OpenedDatabases> {
  const settings = parseConfig(embeddedReplayConfig);
  const embedded = await openEmbeddedPostgres({ dataDir: join(resolve(settings.dataDir), 'postgres') });
  try {
    const query = await createDatabase<QuerySchema>({ engine: 'pglite', embedded, schema: 'query' });
    // The same schemas `fiscal start` gives the shards.
    const shardDatabases: Database<InvoiceSchema>[] = [];
    for (let shard = 0; shard < settings.invoiceShards; shard++) {
      shardDatabases.push(
        await createDatabase<InvoiceSchema>({
          engine: 'pglite',
          embedded,
          schema: shard === 0 ? 'invoice' : `invoice_${shard}`,
        }),
      );
    }
    return { query, shardDatabases, close: () => embedded.close() };
  } catch (error) {
    await embedded.close();
    throw error;
  }
}
