// The read-side consumers, one event per transaction (as they ran before) vs. the batches they now
// take from the bus: the query projector over invoice lives, analytics over final events, the
// notification fan-out over archived events (two subscriptions per organisation).
// Run after `npm run build`: node bench/consumer-batches.mjs [events=10000]
// PostgreSQL is measured too when FISCAL_BENCH_POSTGRES_URL is set (a server where databases may be created).
import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { Registry } from 'prom-client';
import { createDatabase, openEmbeddedPostgres } from '../packages/kit/dist/db/index.js';
import { analyticsMigrations } from '../services/analytics/dist/adapters/migrations.js';
import { createPostgresRollupStore } from '../services/analytics/dist/adapters/postgres-rollup-store.js';
import {
  analyticsBatchSize,
  analyticsGroup,
  recordFinalInvoicesHandler,
} from '../services/analytics/dist/app/record-final-invoice.js';
import { notificationMigrations } from '../services/notification/dist/adapters/migrations.js';
import { createPostgresNotificationStore } from '../services/notification/dist/adapters/postgres-notification-store.js';
import { createSecretBox } from '../services/notification/dist/adapters/secret-box.js';
import { fanOutBatchSize, fanOutEventsHandler } from '../services/notification/dist/app/fan-out-event.js';
import { queryMigrations } from '../services/query/dist/adapters/migrations.js';
import { createPostgresSummaryStore } from '../services/query/dist/adapters/postgres-summary-store.js';
import {
  projectInvoiceEventsHandler,
  projectorBatchSize,
  projectorGroup,
} from '../services/query/dist/app/project-invoice-event.js';

const total = Number(process.argv[2] ?? 10_000);
const issuers = ['EKU9003173C9', 'AAA010101AAA', 'CACX7605101P8', 'XAXX010101000', 'MCI7306249Y1'];

function envelope(type, subject, tenant, sequence, data, time = new Date().toISOString()) {
  return {
    specversion: '1.0',
    id: randomUUID(),
    source: 'fiscal/invoice',
    type,
    subject,
    time,
    datacontenttype: 'application/json',
    dataschema: `urn:fiscal:schema:${type}:1.0`,
    data,
    sequence,
    tenant,
    partitionkey: subject,
  };
}

function archivedData(id, n) {
  return {
    invoiceId: id,
    uuid: randomUUID(),
    issuer: issuers[n % issuers.length],
    amount: `${1_000 + (n % 997)}.${String(n % 100).padStart(2, '0')}`,
    currency: n % 7 === 0 ? 'USD' : 'MXN',
    originalSize: 5_000 + (n % 3_000),
    compressedSize: 2_000 + (n % 1_000),
    storageKey: `org/${id}.xml.br`,
    archivedAt: new Date().toISOString(),
    processingMs: 50 + (n % 5_000),
  };
}

/** Invoice lives (created, processing, validated, archived), fifty invoices advancing together. */
function invoiceStream(count) {
  const events = [];
  for (let first = 0; events.length < count; first += 50) {
    const ids = Array.from({ length: 50 }, (_, k) => `inv-${first + k}`);
    const lives = ids.map((id, k) => {
      const n = first + k;
      const tenant = `org-${n % 20}`;
      return [
        envelope('fiscal.invoice.created', id, tenant, 1, {
          invoiceId: id,
          uuid: randomUUID(),
          orgId: tenant,
          issuer: issuers[n % issuers.length],
          receiver: 'CACX7605101P8',
          amount: '1160.00',
          currency: 'MXN',
          issuanceDate: '2026-11-20T10:00:00.000Z',
        }),
        envelope('fiscal.invoice.processing_started', id, tenant, 2, { invoiceId: id, attempt: 1 }),
        envelope('fiscal.invoice.validated', id, tenant, 3, { invoiceId: id, validationMs: 12 }),
        envelope('fiscal.invoice.archived', id, tenant, 4, archivedData(id, n)),
      ];
    });
    for (let step = 0; step < 4; step++) for (const life of lives) events.push(life[step]);
  }
  return events.slice(0, count);
}

function finalStream(count) {
  return Array.from({ length: count }, (_, n) =>
    envelope('fiscal.invoice.archived', `inv-${n}`, `org-${n % 20}`, 4, archivedData(`inv-${n}`, n)),
  );
}

const consumers = [
  {
    name: 'query projector',
    batchSize: projectorBatchSize,
    migrations: queryMigrations,
    tables: ['invoice_summaries', 'invoice_timeline', 'inbox'],
    stream: invoiceStream,
    async handler(database) {
      return projectInvoiceEventsHandler(createPostgresSummaryStore(database, projectorGroup));
    },
  },
  {
    name: 'analytics',
    batchSize: analyticsBatchSize,
    migrations: analyticsMigrations,
    tables: ['daily_rollups', 'inbox'],
    stream: finalStream,
    async handler(database) {
      const rollups = createPostgresRollupStore(database, analyticsGroup);
      return recordFinalInvoicesHandler({ rollups, instruments: { applied: () => {} } });
    },
  },
  {
    name: 'notification',
    batchSize: fanOutBatchSize,
    migrations: notificationMigrations,
    tables: ['deliveries', 'inbox'],
    stream: finalStream,
    async handler(database) {
      const store = createPostgresNotificationStore(database, createSecretBox(undefined));
      const subscribed = (await store.listSubscriptions('org-0')).length > 0;
      for (let org = 0; org < 20 && !subscribed; org++) {
        for (const path of ['erp', 'books']) {
          await store.createSubscription({
            orgId: `org-${org}`,
            channel: 'webhook',
            url: `https://${path}.example.com/hooks`,
            events: ['fiscal.invoice.archived'],
            secret: null,
          });
        }
      }
      const fanOut = fanOutEventsHandler(store, () => new Date());
      return async (events) => (await fanOut(events)).applied;
    },
  },
];

async function statementsOf(registry) {
  const metric = await registry.getSingleMetric('db_statements_total')?.get();
  return (metric?.values ?? []).reduce((sum, sample) => sum + sample.value, 0);
}

/** Runs `events` through the consumer, `batchSize` at a time: rate, statements and CPU per event. */
async function run(consumer, database, registry, events, batchSize) {
  for (const table of consumer.tables) await sql`delete from ${sql.table(table)}`.execute(database.db);
  const handle = await consumer.handler(database);
  const statementsBefore = await statementsOf(registry);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  let applied = 0;
  for (let start = 0; start < events.length; start += batchSize)
    applied += await handle(events.slice(start, start + batchSize));
  const seconds = (performance.now() - started) / 1_000;
  const cpu = process.cpuUsage(cpuBefore);
  if (applied !== events.length) throw new Error(`${consumer.name}: ${applied} of ${events.length} applied`);
  return {
    rate: events.length / seconds,
    statements: ((await statementsOf(registry)) - statementsBefore) / events.length,
    cpuMicroseconds: (cpu.user + cpu.system) / events.length,
  };
}

async function measure(engine, open) {
  for (const consumer of consumers) {
    const events = consumer.stream(total);
    const registry = new Registry();
    const { database, close } = await open(registry, consumer);
    let single;
    let batched;
    try {
      await database.migrate(consumer.migrations);
      // Untimed: JIT, the pool's connections and their prepared statements warm up first.
      await run(consumer, database, registry, consumer.stream(500), 1);
      single = await run(consumer, database, registry, events, 1);
      batched = await run(consumer, database, registry, events, consumer.batchSize);
    } finally {
      await close();
    }
    const line = (label, figures) =>
      `${label.padEnd(10)} ${figures.rate.toFixed(0).padStart(7)} events/s  ${figures.statements.toFixed(2).padStart(5)} statements/event  ${figures.cpuMicroseconds.toFixed(0).padStart(5)} µs Node CPU/event`;
    console.log(`${engine} · ${consumer.name} · ${events.length} events`);
    console.log(`  ${line('one each', single)}`);
    console.log(`  ${line(`batch ${consumer.batchSize}`, batched)}`);
    console.log(
      `  ratio      ×${(batched.rate / single.rate).toFixed(1)} rate, ${(batched.statements / single.statements).toFixed(3)} statements, ${(batched.cpuMicroseconds / single.cpuMicroseconds).toFixed(2)} CPU`,
    );
  }
}

const embedded = await openEmbeddedPostgres();
await measure('PGlite', async (registry, consumer) => {
  const schema = `bench_${consumer.name.replace(/\W/g, '_')}`;
  const database = await createDatabase({ engine: 'pglite', embedded, schema, registry });
  return { database, close: () => database.close() };
});
await embedded.close();

const postgresUrl = process.env.FISCAL_BENCH_POSTGRES_URL;
if (postgresUrl) {
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  try {
    await measure('PostgreSQL', async (registry) => {
      const name = `fiscal_bench_${randomBytes(4).toString('hex')}`;
      await admin.query(`create database ${name}`);
      const url = new URL(postgresUrl);
      url.pathname = `/${name}`;
      const database = await createDatabase({
        engine: 'postgres',
        url: url.toString(),
        schema: 'bench',
        registry,
      });
      return {
        database,
        async close() {
          await database.close();
          await admin.query(`drop database ${name} with (force)`);
        },
      };
    });
  } finally {
    await admin.end();
  }
}
