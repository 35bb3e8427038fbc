import { parseArgs } from 'node:util';
import {
  applyRetention,
  createFsObjectStore,
  createShardRetention,
  distributedShardsConfig,
  eventLogConfig,
  type InvoiceSchema,
  invoiceShardUrls,
  objectStoreConfig,
  openInvoiceShards,
  type RetentionReport,
  retentionConfig,
  ShardMap,
  shardMapConfig,
} from '@fiscal/invoice';
import { defineConfig, parseConfig } from '@fiscal/kit/config';
import { createDatabase, type Database, databaseConfig } from '@fiscal/kit/db';
import { pruneInbox } from '@fiscal/kit/inbox';
import { inboxRetentionConfig } from '../retention-schedule.js';

const usage = `fiscal retention run <service> [--dry-run] [--json]
  invoice        months of invoices past FISCAL_RETENTION_YEARS with their archived originals, and of
                 the event log past FISCAL_INVOICE_EVENT_RETENTION (FISCAL_INVOICE_SHARD_URLS,
                 FISCAL_OBJECT_STORE_DIR); the coming months' partitions are made ready
  query | analytics | notification
                 the inbox's events handled before FISCAL_INBOX_RETENTION (FISCAL_DATABASE_URL)
--dry-run reports what would be removed and removes nothing.`;

const invoiceRetentionConfig = defineConfig({
  ...databaseConfig,
  databaseUrl: { ...databaseConfig.databaseUrl, default: undefined },
  ...distributedShardsConfig,
  ...shardMapConfig,
  ...objectStoreConfig,
  ...eventLogConfig,
  ...retentionConfig,
});

const inboxConfig = defineConfig({ ...databaseConfig, ...inboxRetentionConfig });

/** `fiscal retention run`: what the services' in-process schedule does, once, on demand. */
export async function runRetention(args: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: { 'dry-run': { type: 'boolean', default: false }, json: { type: 'boolean', default: false } },
  });
  const [action, service] = positionals;
  const dryRun = values['dry-run'] ?? false;
  if (action !== 'run' || !service || !['invoice', 'query', 'analytics', 'notification'].includes(service)) {
    console.error(usage);
    return 2;
  }
  if (service === 'invoice') {
    const report = await invoiceRetention(dryRun);
    if (values.json) console.log(JSON.stringify(report, null, 2));
    else printInvoiceReport(report);
    return 0;
  }
  const settings = parseConfig(inboxConfig);
  const database = await createDatabase({
    engine: 'postgres',
    url: settings.databaseUrl,
    schema: settings.databaseSchema || service,
  });
  try {
    const before = new Date(Date.now() - settings.inboxRetention);
    const count = await pruneInbox(database, before, { dryRun });
    if (values.json)
      console.log(JSON.stringify({ service, dryRun, before: before.toISOString(), inboxEvents: count }));
    else
      console.log(
        `fiscal retention: ${service} inbox — ${count} events handled before ${before.toISOString()} ${dryRun ? 'would be forgotten (dry run)' : 'forgotten'}`,
      );
    return 0;
  } finally {
    await database.close();
  }
}

async function invoiceRetention(dryRun: boolean): Promise<RetentionReport> {
  const settings = parseConfig(invoiceRetentionConfig);
  const databases: Database<InvoiceSchema>[] = [];
  try {
    for (const url of invoiceShardUrls(settings))
      databases.push(
        await createDatabase<InvoiceSchema>({
          engine: 'postgres',
          url,
          schema: settings.databaseSchema || 'invoice',
        }),
      );
    const map = settings.invoiceShardMap
      ? ShardMap.parse(settings.invoiceShardMap, databases.length)
      : ShardMap.even(databases.length);
    const shards = await openInvoiceShards(databases, map);
    return await applyRetention({
      shards: shards.all.map(createShardRetention),
      objects: createFsObjectStore({ root: settings.objectStoreDir }),
      policy: { documentYears: settings.retentionYears, eventRetentionMs: settings.invoiceEventRetention },
      now: new Date(),
      dryRun,
    });
  } finally {
    for (const database of databases) await database.close();
  }
}

function printInvoiceReport(report: RetentionReport): void {
  const verb = report.dryRun ? 'would remove' : 'removed';
  console.log(
    `fiscal retention: invoices issued before ${report.documentCutoff.slice(0, 10)}, events recorded before ${report.eventCutoff.slice(0, 10)}${report.dryRun ? ' (dry run: nothing removed)' : ''}`,
  );
  if (report.invoiceMonths.length + report.outboxMonths.length + report.keptOutboxMonths.length === 0)
    console.log('  nothing past retention');
  for (const month of report.invoiceMonths)
    console.log(
      `  shard ${month.shard} ${month.month}: ${verb} ${month.invoices} invoices and ${month.documents} archived documents`,
    );
  for (const month of report.outboxMonths)
    console.log(`  shard ${month.shard} ${month.month}: ${verb} ${month.events} events of the event log`);
  for (const month of report.keptOutboxMonths)
    console.log(
      `  shard ${month.shard} ${month.month}: kept, ${month.unpublished} events not yet published (see FiscalOutboxBacklogOld)`,
    );
  if (!report.dryRun) console.log(`  ${report.documentsRemoved} archived documents deleted`);
}
