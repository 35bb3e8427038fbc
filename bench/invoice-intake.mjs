// Invoice intake and processing throughput on the sharded store (2 shards), per engine.
// - create: 1,000 submissions one call each (baseline) vs. one batch of 1,000 (multi-row inserts).
// - process: the processor on inline documents (claim, checksum, validate, compress, store, archive).
// Run after `npm run build`: node bench/invoice-intake.mjs [invoices=1000]
// PostgreSQL is measured too when FISCAL_BENCH_POSTGRES_URL is set (a server where databases may be created).
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { Registry } from 'prom-client';
import { v7 as uuidv7 } from 'uuid';
import { createDatabase, openEmbeddedPostgres } from '../packages/kit/dist/db/index.js';
import { loadCfdiReferences } from '../services/invoice/dist/adapters/cfdi-references.js';
import { openInvoiceShards } from '../services/invoice/dist/adapters/invoice-shards.js';
import { createMemoryObjectStore } from '../services/invoice/dist/adapters/memory-object-store.js';
import { createPostgresInvoiceRepository } from '../services/invoice/dist/adapters/postgres-invoice-repository.js';
import { createProcessingInstruments } from '../services/invoice/dist/adapters/prometheus-processing-instruments.js';
import { defaultCodec } from '../services/invoice/dist/adapters/zlib-codecs.js';
import { createInvoicesHandler } from '../services/invoice/dist/app/create-invoices.js';
import { processInvoiceHandler } from '../services/invoice/dist/app/process-invoice.js';
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

async function measure(engine, databases) {
  const shards = await openInvoiceShards(databases);
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

  // Inline documents: each a distinct organisation, so the fiscal UUID stays unique.
  const accepted = [];
  for (let n = 0; n < total; n++) {
    const [outcome] = await create({ orgId: `bench-p${n}`, submissions: [{ submission: template }] });
    accepted.push({ orgId: `bench-p${n}`, id: outcome.invoice.id });
  }
  const process = processInvoiceHandler({
    invoices,
    fetcher: { fetch: () => Promise.reject(new Error('inline only')) },
    objects: createMemoryObjectStore(),
    codec: defaultCodec,
    instruments: createProcessingInstruments(new Registry()),
    clock: () => new Date(),
    leaseMs: 60_000,
    maxAttempts: 3,
    allowUnstamped: false,
    references: await loadCfdiReferences({ certificateDir: '' }),
  });
  let archived = 0;
  const processed = await rate(async () => {
    // As the worker does: several invoices in flight at once (prefetch).
    const queue = [...accepted];
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        for (let key = queue.shift(); key; key = queue.shift()) {
          if ((await process(key, { finalAttempt: false })) === 'archived') archived++;
        }
      }),
    );
  });
  if (archived !== total) throw new Error(`only ${archived} of ${total} archived`);
  console.log(
    `${engine.padEnd(10)} create one by one ${oneByOne.toFixed(0).padStart(6)}/s   batch ${batched.toFixed(0).padStart(6)}/s (×${(batched / oneByOne).toFixed(1)})   process ${processed.toFixed(0).padStart(5)}/s`,
  );
}

const embedded = await openEmbeddedPostgres();
const pgliteShards = [];
for (let shard = 0; shard < 2; shard++) {
  pgliteShards.push(await createDatabase({ engine: 'pglite', embedded, schema: `invoice_bench_${shard}` }));
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
    databases.push(await createDatabase({ engine: 'postgres', url: url.toString(), schema: 'invoice' }));
  }
  try {
    await measure('PostgreSQL', databases);
  } finally {
    for (const database of databases) await database.close();
    for (const name of names) await admin.query(`drop database ${name} with (force)`);
    await admin.end();
  }
}
