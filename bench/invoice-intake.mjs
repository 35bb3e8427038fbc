// Invoice intake and processing throughput on the sharded store (2 shards), per engine.
// - create: 1,000 submissions one call each (baseline) vs. one batch of 1,000 (multi-row inserts).
// - process: the processor on inline documents (claim, checksum, validate, compress, store, archive),
//   one invoice per call with 16 in flight (as one event per delivery), then in batches of 16 with
//   two in flight (as the worker's batch handler); SQL statements, transactions and CPU per invoice.
// Run after `npm run build`: node bench/invoice-intake.mjs [invoices=1000]
// PostgreSQL is measured too when FISCAL_BENCH_POSTGRES_URL is set (a server where databases may be created).
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { v7 as uuidv7 } from 'uuid';
import { loadCfdiReferences } from '../packages/cfdi/dist/index.js';
import { createDatabase, openEmbeddedPostgres } from '../packages/kit/dist/db/index.js';
import { openInvoiceShards } from '../services/invoice/dist/adapters/invoice-shards.js';
import { createMemoryObjectStore } from '../services/invoice/dist/adapters/memory-object-store.js';
import { createPostgresInvoiceRepository } from '../services/invoice/dist/adapters/postgres-invoice-repository.js';
import { createProcessingInstruments } from '../services/invoice/dist/adapters/prometheus-processing-instruments.js';
import { defaultCodec } from '../services/invoice/dist/adapters/zlib-codecs.js';
import { createInvoicesHandler } from '../services/invoice/dist/app/create-invoices.js';
import {
  processInvoiceHandler,
  processInvoicesHandler,
} from '../services/invoice/dist/app/process-invoice.js';
import { submissionFromDocument } from '../services/invoice/dist/domain/invoice/index.js';

const total = Number(process.argv[2] ?? 1_000);
const document = readFileSync(
  new URL('../fixtures/cfdi/cfdiutils-cfdi40-valid.xml', import.meta.url),
  'utf8',
);
const template = submissionFromDocument(document).submission;
const issuers = ['EKU9003173C9', 'AAA010101AAA', 'CACX7605101P8', 'XAXX010101000', 'MCI7306249Y1'];

const byUrl = (n) => ({
  ...template,
  xml: undefined,
  uuid: randomUUID(),
  issuer: issuers[n % issuers.length],
  fileUrl: `https://erp.example.com/cfdi/${n}.xml`,
  checksum: randomBytes(32).toString('hex'),
});

// Every statement the shards receive, and every transaction the repository opens on them.
const statementRegistry = new Registry();
let transactions = 0;
function counted(database) {
  const transaction = database.transaction.bind(database);
  database.transaction = (work) => {
    transactions += 1;
    return transaction(work);
  };
  return database;
}
async function statements() {
  const metric = await statementRegistry.getSingleMetric('db_statements_total')?.get();
  return (metric?.values ?? []).reduce((sum, sample) => sum + sample.value, 0);
}

async function measure(engine, databases) {
  const shards = await openInvoiceShards(databases.map(counted));
  const invoices = createPostgresInvoiceRepository(shards);
  const create = createInvoicesHandler({ invoices, newId: uuidv7, clock: () => new Date() });
  const rate = async (work) => {
    const started = performance.now();
    await work();
    return total / ((performance.now() - started) / 1000);
  };

  const oneByOne = await rate(async () => {
    for (let n = 0; n < total; n++)
      await create({ orgId: 'bench-1', submissions: [{ submission: byUrl(n) }] });
  });
  const batched = await rate(async () => {
    const submissions = Array.from({ length: total }, (_, n) => ({ submission: byUrl(n) }));
    for (let start = 0; start < total; start += 1_000) {
      await create({ orgId: 'bench-2', submissions: submissions.slice(start, start + 1_000) });
    }
  });
  console.log(
    `${engine.padEnd(10)} create one by one ${oneByOne.toFixed(0).padStart(6)}/s   batch ${batched.toFixed(0).padStart(6)}/s (×${(batched / oneByOne).toFixed(1)})`,
  );

  const dependencies = {
    invoices,
    fetcher: { fetch: () => Promise.reject(new Error('inline only')) },
    objects: createMemoryObjectStore(),
    codec: defaultCodec,
    instruments: createProcessingInstruments(new Registry()),
    logger: pino({ level: 'silent' }),
    clock: () => new Date(),
    leaseMs: 60_000,
    maxAttempts: 3,
    allowUnstamped: false,
    references: await loadCfdiReferences({ certificateDir: '' }),
  };
  // Inline documents: each a distinct organisation, so the fiscal UUID stays unique.
  async function accept(mode) {
    const keys = [];
    for (let n = 0; n < total; n++) {
      const orgId = `bench-${mode}-${n}`;
      const [outcome] = await create({ orgId, submissions: [{ submission: template }] });
      keys.push({ orgId, id: outcome.invoice.id });
    }
    return keys;
  }
  const modes = {
    // As a worker handling one event per delivery: 16 invoices in flight.
    'one per call': async (keys) => {
      const process = processInvoiceHandler(dependencies);
      const queue = [...keys];
      const results = [];
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          for (let key = queue.shift(); key; key = queue.shift())
            results.push(await process(key, { finalAttempt: false }));
        }),
      );
      return results;
    },
    // As the worker's batch handler: batches of 16 (half its prefetch of 32), two in flight.
    'batches of 16': async (keys) => {
      const processBatch = processInvoicesHandler(dependencies);
      const batches = [];
      for (let start = 0; start < keys.length; start += 16) batches.push(keys.slice(start, start + 16));
      const results = [];
      await Promise.all(
        Array.from({ length: 2 }, async () => {
          for (let batch = batches.shift(); batch; batch = batches.shift()) {
            const reports = await processBatch(batch.map((key) => ({ key, finalAttempt: false })));
            results.push(...reports.map((report) => report.result));
          }
        }),
      );
      return results;
    },
  };
  for (const [mode, run] of Object.entries(modes)) {
    const keys = await accept(mode.replaceAll(' ', '-'));
    const statementsBefore = await statements();
    const transactionsBefore = transactions;
    const cpu = process.cpuUsage();
    let results = [];
    const processed = await rate(async () => {
      results = await run(keys);
    });
    const used = process.cpuUsage(cpu);
    const archived = results.filter((result) => result === 'archived').length;
    if (archived !== total) throw new Error(`only ${archived} of ${total} archived`);
    const perInvoice = (count) => (count / total).toFixed(2).padStart(5);
    console.log(
      `${engine.padEnd(10)} process ${mode.padEnd(13)} ${processed.toFixed(0).padStart(5)}/s   CPU ${((used.user + used.system) / 1_000 / total).toFixed(2)} ms, ${perInvoice((await statements()) - statementsBefore)} statements, ${perInvoice(transactions - transactionsBefore)} transactions per invoice`,
    );
  }
}

const embedded = await openEmbeddedPostgres();
const pgliteShards = [];
for (let shard = 0; shard < 2; shard++) {
  pgliteShards.push(
    await createDatabase({
      engine: 'pglite',
      embedded,
      schema: `invoice_bench_${shard}`,
      registry: statementRegistry,
    }),
  );
}
await measure('PGlite', pgliteShards);
for (const database of pgliteShards) await database.close();
await embedded.close();

const postgresUrl = process.env.FISCAL_BENCH_POSTGRES_URL;
if (postgresUrl) {
  const names = [0, 1].map((shard) => `fiscal_bench_${randomBytes(3).toString('hex')}_${shard}`);
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  for (const name of names) await admin.query(`create database ${name}`);
  const databases = [];
  for (const name of names) {
    const url = new URL(postgresUrl);
    url.pathname = `/${name}`;
    databases.push(
      await createDatabase({
        engine: 'postgres',
        url: url.toString(),
        schema: 'invoice',
        registry: statementRegistry,
      }),
    );
  }
  try {
    await measure('PostgreSQL', databases);
  } finally {
    for (const database of databases) await database.close();
    for (const name of names) await admin.query(`drop database ${name} with (force)`);
    await admin.end();
  }
}
