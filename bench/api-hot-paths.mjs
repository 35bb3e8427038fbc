// The public API's hot paths against baselines measured in the same run, so the ratios hold on a
// noisy shared machine:
// - a bare Fastify hello-world (the ceiling of any Node.js HTTP server here) vs a cached
//   `GET /invoices/{id}` with an access token;
// - `POST /invoices`, one invoice (JSON metadata + the document inline) per request, 32 clients;
// - `POST /invoices/batch` of N vs a raw multi-row INSERT of the same invoice rows into the engine
//   the platform writes to (PGlite embedded, PostgreSQL distributed).
// Embedded mode (`fiscal start --memory`) by default; FISCAL_BENCH_DISTRIBUTED=1 runs `fiscal serve`
// gateway, auth, invoice and query against the local PostgreSQL, RabbitMQ and Redis (and the worker
// with FISCAL_BENCH_WORKER=1). FISCAL_BENCH_CPU_PROF=<dir> writes CPU profiles of the platform's
// processes (gateway and invoice when distributed) to <dir>; FISCAL_BENCH_PHASES=get,post picks phases.
// The hello-world and the GET run in alternating slices. CPU per request is given for every platform
// process and, distributed, for PostgreSQL (the backends of this run's databases), RabbitMQ, Redis
// and the load generator, with the whole machine's beside them (the rest is other work).
// Order: hello-world and GET, POST, then (once a worker processed what the POSTs created) the batches.
// Run after `npm run build`: node bench/api-hot-paths.mjs [seconds=10] [batch-size=500] [batches=4]
import { spawn } from 'node:child_process';
import { createHash, createPrivateKey, randomBytes, randomUUID, X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import amqp from 'amqplib';
import autocannon from 'autocannon';
import pg from 'pg';
import { generateCfdi, seededRandom } from '../packages/cfdi/dist/generator/index.js';
import { groupNames } from '../packages/kit/dist/events/index.js';
import { processorGroup, processorRetryPolicy } from '../services/invoice/dist/worker.js';
import { cpuMs, findProcesses, machineCpuMs } from './pipeline/proc.mjs';

const seconds = Number(process.argv[2] ?? 10);
const batchSize = Number(process.argv[3] ?? 500);
const batches = Number(process.argv[4] ?? 4);
const connections = 32;
const distributed = process.env.FISCAL_BENCH_DISTRIBUTED === '1';
const withWorker = process.env.FISCAL_BENCH_WORKER === '1';
const profileDir = process.env.FISCAL_BENCH_CPU_PROF;
const phases = new Set((process.env.FISCAL_BENCH_PHASES ?? 'hello,get,batch,post').split(','));
const urls = {
  postgres: process.env.FISCAL_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  rabbitmq: process.env.FISCAL_BENCH_RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
  redis: process.env.FISCAL_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
};
const fiscalBin = new URL('../apps/cli/bin/fiscal.js', import.meta.url).pathname;
const repository = new URL('..', import.meta.url).pathname;
const admin = { email: 'bench@fiscal.test', password: 'a benchmark passphrase' };
const cleanups = [];

async function freePort() {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  server.close();
  return port;
}

async function waitFor(what, check, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** A Node.js process of the platform (or the hello-world), its output kept for a failure report. */
function spawnNode(name, args, env = {}) {
  const flags =
    profileDir && name !== 'hello'
      ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${name}.cpuprofile`]
      : [];
  const child = spawn(process.execPath, [...flags, ...args], {
    cwd: repository,
    env: { ...process.env, FISCAL_LOG_LEVEL: process.env.FISCAL_LOG_LEVEL ?? 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let lines = 0;
  const keep = (chunk) => {
    lines += String(chunk).split('\n').length - 1;
    output = (output + chunk).slice(-20_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  const process_ = { name, child, output: () => output, lines: () => lines, exited };
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  });
  return process_;
}

async function startFiscal(name, args, env) {
  const adminPort = await freePort();
  const fiscal = spawnNode(name, [fiscalBin, ...args], {
    FISCAL_ADMIN_PORT: String(adminPort),
    FISCAL_BOOTSTRAP_ADMIN_EMAIL: admin.email,
    FISCAL_BOOTSTRAP_ADMIN_PASSWORD: admin.password,
    FISCAL_ALLOW_UNSTAMPED: 'true',
    // Quotas would turn the measurement into a 429 count.
    FISCAL_RATE_LIMIT_ENTERPRISE: '10000000',
    ...env,
  });
  await waitFor(`${name} to become ready`, async () => {
    if (fiscal.child.exitCode !== null) throw new Error(`${name} exited:\n${fiscal.output()}`);
    const ready = await fetch(`http://127.0.0.1:${adminPort}/readyz`);
    return ready.status === 200;
  }).catch((error) => {
    throw new Error(`${error.message}\n${fiscal.output()}`);
  });
  return { ...fiscal, adminUrl: `http://127.0.0.1:${adminPort}` };
}

/** The databases this run created: PostgreSQL's CPU is counted over their backends alone. */
const runDatabases = [];

async function scratchDatabase(prefix) {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  runDatabases.push(name);
  const client = new pg.Client({ connectionString: urls.postgres });
  await client.connect();
  await client.query(`create database ${name}`);
  await client.end();
  cleanups.push(async () => {
    const dropper = new pg.Client({ connectionString: urls.postgres });
    await dropper.connect();
    await dropper.query(`drop database if exists ${name} with (force)`);
    await dropper.end();
  });
  const url = new URL(urls.postgres);
  url.pathname = `/${name}`;
  return url.toString();
}

async function startEmbedded() {
  const httpPort = await freePort();
  const fiscal = await startFiscal('fiscal', ['start', '--memory'], { FISCAL_HTTP_PORT: String(httpPort) });
  return { baseUrl: `http://127.0.0.1:${httpPort}`, processes: [fiscal] };
}

async function startDistributed() {
  const prefix = `bench-${randomUUID().slice(0, 8)}.`;
  const shardUrls = [
    await scratchDatabase('fiscal_bench_invoice_0'),
    await scratchDatabase('fiscal_bench_invoice_1'),
  ];
  const queryUrl = await scratchDatabase('fiscal_bench_query');
  const servicesUrl = await scratchDatabase('fiscal_bench_services');
  // Run after the processes stopped (cleanups run in reverse).
  cleanups.push(() => deleteTopology(prefix));
  const objectDir = await mkdtemp(join(tmpdir(), 'fiscal-bench-objects-'));
  cleanups.push(() => rm(objectDir, { recursive: true, force: true }));
  const [invoicePort, queryPort, authPort, unusedPort, httpPort] = await Promise.all(
    Array.from({ length: 5 }, () => freePort()),
  );
  const shared = {
    FISCAL_RABBITMQ_URL: urls.rabbitmq,
    FISCAL_RABBITMQ_NAME_PREFIX: prefix,
    FISCAL_REDIS_URL: urls.redis,
    FISCAL_REDIS_KEY_PREFIX: prefix,
    FISCAL_AUTH_GRPC_URL: `http://127.0.0.1:${authPort}`,
  };
  const invoiceStore = { FISCAL_INVOICE_SHARD_URLS: shardUrls.join(','), FISCAL_OBJECT_STORE_DIR: objectDir };
  const auth = await startFiscal('auth', ['serve', 'auth'], {
    ...shared,
    FISCAL_DATABASE_URL: servicesUrl,
    FISCAL_GRPC_PORT: String(authPort),
  });
  const started = await Promise.all([
    startFiscal('invoice', ['serve', 'invoice'], {
      ...shared,
      ...invoiceStore,
      FISCAL_GRPC_PORT: String(invoicePort),
    }),
    startFiscal('query', ['serve', 'query'], {
      ...shared,
      FISCAL_DATABASE_URL: queryUrl,
      FISCAL_GRPC_PORT: String(queryPort),
    }),
    ...(withWorker
      ? [startFiscal('invoice-worker', ['serve', 'invoice-worker'], { ...shared, ...invoiceStore })]
      : []),
  ]);
  const gateway = await startFiscal('gateway', ['serve', 'gateway'], {
    ...shared,
    FISCAL_HTTP_PORT: String(httpPort),
    FISCAL_INVOICE_GRPC_URL: `http://127.0.0.1:${invoicePort}`,
    FISCAL_QUERY_GRPC_URL: `http://127.0.0.1:${queryPort}`,
    // Not started: no route measured here calls them.
    FISCAL_ANALYTICS_GRPC_URL: `http://127.0.0.1:${unusedPort}`,
    FISCAL_NOTIFICATION_GRPC_URL: `http://127.0.0.1:${unusedPort}`,
  });
  return { baseUrl: `http://127.0.0.1:${httpPort}`, processes: [gateway, auth, ...started] };
}

/** The queues and exchanges the processes declared under `prefix`, so the shared broker keeps none. */
async function deleteTopology(prefix) {
  const connection = await amqp.connect(urls.rabbitmq);
  const channel = await connection.createChannel();
  const retry = processorRetryPolicy({ processingMaxAttempts: 5, processingRetryDelay: 2_000 });
  for (const names of [
    groupNames(prefix, 'query-projector'),
    groupNames(prefix, 'analytics'),
    groupNames(prefix, 'notifications'),
    groupNames(prefix, processorGroup, retry),
  ]) {
    for (const queue of [names.queue, names.deadLetterQueue, ...names.retryQueues.map((each) => each.name)])
      await channel.deleteQueue(queue);
    await channel.deleteExchange(names.deadLetterExchange);
  }
  for (const domain of ['fiscal.invoice', 'auth', 'notification'])
    await channel.deleteExchange(`${prefix}${domain}`);
  await connection.close();
}

async function startHelloWorld() {
  const port = await freePort();
  const hello = spawnNode('hello', [
    '--input-type=module',
    '-e',
    `import Fastify from 'fastify';
     const app = Fastify({ logger: false });
     app.get('/', async () => ({ hello: 'world' }));
     await app.listen({ host: '127.0.0.1', port: ${port} });
     process.on('SIGTERM', () => app.close().then(() => process.exit(0)));`,
  ]);
  const url = `http://127.0.0.1:${port}/`;
  await waitFor('the hello-world server', async () => (await fetch(url)).ok);
  return { url, process: hello };
}

async function json(response) {
  if (!response.ok) throw new Error(`${response.url}: ${response.status} ${await response.text()}`);
  return response.json();
}

/** One sealed, unstamped CFDI 4.0 and its metadata, as `fiscal load --unstamped` sends them. */
function sampleInvoice() {
  const certs = new URL('../fixtures/cfdi/certs/', import.meta.url);
  const credentials = {
    certificate: new X509Certificate(readFileSync(new URL('EKU9003173C9.cer', certs))),
    privateKey: createPrivateKey(readFileSync(new URL('EKU9003173C9.key.pem', certs))),
  };
  const { metadata, xml } = generateCfdi({ random: seededRandom(7), credentials });
  return {
    issuer: metadata.issuer,
    receiver: metadata.receiver,
    amount: metadata.total,
    currency: metadata.currency,
    issuanceDate: `${metadata.issuedAt}-06:00`,
    xml,
  };
}

function stats(result) {
  return {
    perSecond: result.requests.average,
    requests: result.requests.total,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    failed: result.non2xx + result.errors + result.timeouts,
  };
}

async function measureGet(name, url, headers, duration = seconds) {
  return { name, ...stats(await autocannon({ url, duration, connections, headers })) };
}

/**
 * The hello-world and the cached GET in alternating slices (five of a fifth of the time each), so a
 * burst of other work on a shared machine weighs on both alike instead of on whichever ran then.
 * Rates are totals over the slices, p50 the median slice's, p99 the worst slice's.
 */
async function measureReadsAlternately(reads, meters) {
  const slices = 5;
  const duration = Math.max(1, Math.round(seconds / slices));
  const rows = reads.map(() => []);
  for (let slice = 0; slice < slices; slice++) {
    for (const [index, read] of reads.entries()) {
      const measured = await withCpuCost(read.meters ?? meters, () =>
        measureGet(read.name, read.url, read.headers, duration),
      );
      rows[index].push(measured);
    }
  }
  return reads.map((read, index) => {
    const measured = rows[index];
    const requests = measured.reduce((sum, row) => sum + row.requests, 0);
    const p50s = measured.map((row) => row.p50Ms).sort((a, b) => a - b);
    const row = {
      name: read.name,
      perSecond: requests / (duration * slices),
      requests,
      p50Ms: p50s[Math.floor(p50s.length / 2)],
      p99Ms: Math.max(...measured.map((row) => row.p99Ms)),
      failed: measured.reduce((sum, row) => sum + row.failed, 0),
    };
    const meterNames = measured[0].spent.meters;
    const totals = meterNames.map((_, meter) => measured.reduce((sum, row) => sum + row.spent.ms[meter], 0));
    const machine = measured.reduce((sum, row) => sum + row.spent.machine, 0);
    row.spent = { meters: meterNames, ms: totals, machine };
    row.cpuPerRequest = totals.map((ms) => ms / requests);
    row.cpu = formatCpu(meterNames, totals, machine, requests);
    return row;
  });
}

async function measureSinglePosts(baseUrl, authorization, invoice) {
  // The body is built from a template, so the load generator spends no time serialising 5 KB.
  const [head, tail] = JSON.stringify({ ...invoice, uuid: '@' }).split('"@"');
  const result = await autocannon({
    url: `${baseUrl}/api/v1/invoices`,
    duration: seconds,
    connections,
    requests: [
      {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/json' },
        setupRequest: (request) => ({ ...request, body: `${head}"${randomUUID()}"${tail}` }),
      },
    ],
  });
  return { name: 'POST /invoices, one per request', ...stats(result) };
}

function batchItems(invoice) {
  return Array.from({ length: batchSize }, () => ({ ...invoice, uuid: randomUUID() }));
}

async function measureBatches(baseUrl, authorization, invoice) {
  const bodies = Array.from({ length: batches }, () => JSON.stringify({ items: batchItems(invoice) }));
  let accepted = 0;
  const latencies = [];
  const started = performance.now();
  for (const body of bodies) {
    const sent = performance.now();
    const answer = await json(
      await fetch(`${baseUrl}/api/v1/invoices/batch`, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/json' },
        body,
      }),
    );
    latencies.push(performance.now() - sent);
    accepted += answer.results.filter((result) => result.status === 'accepted').length;
  }
  const elapsed = (performance.now() - started) / 1000;
  return {
    rowsPerSecond: accepted / elapsed,
    requests: accepted,
    failed: batches * batchSize - accepted,
    latencies,
  };
}

/** The invoice rows a batch writes, inserted raw: one multi-row INSERT per batch, no transaction around it. */
async function measureRawInserts(invoice) {
  const columns = [
    'id',
    'org_id',
    'slot',
    'uuid',
    'issuer',
    'receiver',
    'amount',
    'currency',
    'issuance_date',
    'source_kind',
    'inline_document',
    'checksum',
    'status',
    'version',
    'created_at',
    'updated_at',
  ];
  const create = `create table raw_invoices (
    id text not null, org_id text not null, slot integer not null, uuid text not null, issuer text not null,
    receiver text not null, amount numeric not null, currency text not null, issuance_date timestamptz not null,
    source_kind text not null, source_url text, inline_document bytea, checksum text not null,
    status text not null, version integer not null, processing_attempts integer not null default 0,
    created_at timestamptz not null, updated_at timestamptz not null, primary key (id, issuance_date))`;
  let engine;
  let query;
  let close;
  if (distributed) {
    const client = new pg.Client({ connectionString: await scratchDatabase('fiscal_bench_raw') });
    await client.connect();
    query = (text, values) => client.query(text, values);
    close = () => client.end();
    engine = 'PostgreSQL';
  } else {
    const database = new PGlite();
    query = (text, values) => database.query(text, values);
    close = () => database.close();
    engine = 'PGlite';
  }
  await query(create);
  const document = Buffer.from(invoice.xml, 'utf8');
  const checksum = createHash('sha256').update(document).digest('hex');
  const statements = Array.from({ length: batches }, () => {
    const values = [];
    const rows = batchItems(invoice).map((item) => {
      const now = new Date().toISOString();
      const row = [
        randomUUID(),
        'org_bench',
        1234,
        item.uuid,
        item.issuer,
        item.receiver,
        item.amount,
        item.currency,
        item.issuanceDate,
        'inline',
        document,
        checksum,
        'pending',
        1,
        now,
        now,
      ];
      const placeholders = row.map((value) => {
        values.push(value);
        return `$${values.length}`;
      });
      return `(${placeholders.join(', ')})`;
    });
    return { text: `insert into raw_invoices (${columns.join(', ')}) values ${rows.join(', ')}`, values };
  });
  const started = performance.now();
  for (const statement of statements) await query(statement.text, statement.values);
  const elapsed = (performance.now() - started) / 1000;
  await close();
  return { engine, rowsPerSecond: (batches * batchSize) / elapsed };
}

/** Waits until the read model lists `id`, so reads by id come from the query service's cache. */
async function projectedInvoice(baseUrl, headers, invoice) {
  const created = await json(
    await fetch(`${baseUrl}/api/v1/invoices`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ ...invoice, uuid: randomUUID() }),
    }),
  );
  await waitFor('the invoice to reach the read model', async () => {
    const page = await json(await fetch(`${baseUrl}/api/v1/invoices?limit=50`, { headers }));
    return page.items.some((item) => item.id === created.id);
  });
  return created.id;
}

/**
 * The engines' processes (distributed mode), so a request's cost counts PostgreSQL, RabbitMQ and
 * Redis too. PostgreSQL's is that of the backends serving this run's databases (the services keep
 * their connections open), so other work on a shared cluster is not counted; RabbitMQ and Redis
 * are whole servers.
 */
async function engineProcesses() {
  const client = new pg.Client({ connectionString: urls.postgres });
  await client.connect();
  cleanups.push(() => client.end());
  const backends = async () => {
    const { rows } = await client.query('select pid from pg_stat_activity where datname = any($1)', [
      runDatabases,
    ]);
    const spent = new Map();
    for (const { pid } of rows) {
      try {
        spent.set(pid, cpuMs(pid));
      } catch {
        // Ended since the listing.
      }
    }
    return spent;
  };
  const redisPort = new URL(urls.redis).port || '6379';
  const rabbitmq = findProcesses('beam.smp', /rabbit/);
  const redis = findProcesses('redis-server', new RegExp(`:${redisPort}\\b`));
  const sum = (pids) => pids.reduce((total, pid) => total + cpuMs(pid), 0);
  return [
    {
      name: 'postgresql',
      // A reading is the backends' CPU so far; the difference of two counts a backend that
      // connected in between from its start.
      async read() {
        return backends();
      },
      spentSince(before, after) {
        let total = 0;
        for (const [pid, ms] of after) total += ms - (before.get(pid) ?? 0);
        return total;
      },
    },
    { name: 'rabbitmq', read: () => sum(rabbitmq) },
    { name: 'redis', read: () => sum(redis) },
  ];
}

/** What a run spends CPU on: the platform's processes, the engines, the load generator (this process). */
function cpuMeters(platformProcesses, engines) {
  const loadGenerator = () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  };
  return [
    ...platformProcesses.map((fiscal) => ({ name: fiscal.name, read: () => cpuMs(fiscal.child.pid) })),
    ...engines,
    { name: 'load generator', read: loadGenerator },
  ];
}

/**
 * Runs `work` and adds the CPU milliseconds each meter spent per request meanwhile, and the whole
 * machine's (what is left over is other work sharing it).
 */
async function withCpuCost(meters, work) {
  const before = await Promise.all(meters.map((meter) => meter.read()));
  const machineBefore = machineCpuMs().busy;
  const row = await work();
  const machine = machineCpuMs().busy - machineBefore;
  const after = await Promise.all(meters.map((meter) => meter.read()));
  const spent = meters.map((meter, index) =>
    meter.spentSince ? meter.spentSince(before[index], after[index]) : after[index] - before[index],
  );
  const requests = row.requests ?? row.perSecond * seconds;
  row.spent = { meters: meters.map((meter) => meter.name), ms: spent, machine };
  row.cpu = formatCpu(row.spent.meters, spent, machine, requests);
  return row;
}

function formatCpu(names, spentMs, machineMs, requests) {
  const each = names.map((name, index) => `${name} ${(spentMs[index] / requests).toFixed(3)}`).join(', ');
  return `${each}; machine ${(machineMs / requests).toFixed(3)}`;
}

/** Seconds until no invoice waits for or is in processing (at most five minutes). */
async function drained(baseUrl, headers) {
  const started = performance.now();
  for (const status of ['pending', 'processing', 'validated']) {
    await waitFor(
      `${status} invoices to be processed`,
      async () => {
        const page = await json(
          await fetch(`${baseUrl}/api/v1/invoices?status=${status}&limit=1`, { headers }),
        );
        return page.items.length === 0;
      },
      300_000,
    );
  }
  return (performance.now() - started) / 1000;
}

const fixed = (value, digits = 0) => (typeof value === 'number' ? value.toFixed(digits) : String(value));

try {
  const invoice = sampleInvoice();
  const hello = phases.has('hello') ? await startHelloWorld() : undefined;
  const platform = distributed ? await startDistributed() : await startEmbedded();
  const { baseUrl } = platform;
  const login = await json(
    await fetch(`${baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(admin),
    }),
  );
  const authorization = `Bearer ${login.accessToken}`;
  const headers = { authorization, 'content-type': 'application/json' };
  const id = await projectedInvoice(baseUrl, headers, invoice);
  // Warm-up: JIT, connection pools, caches.
  await autocannon({
    url: `${baseUrl}/api/v1/invoices/${id}`,
    duration: 2,
    connections,
    headers: { authorization },
  });

  const meters = cpuMeters(platform.processes, distributed ? await engineProcesses() : []);
  const costOf = (work) => withCpuCost(meters, work);
  const readPhases = [];
  if (hello)
    readPhases.push({
      name: 'Fastify hello-world',
      url: hello.url,
      headers: {},
      meters: [{ name: 'hello', read: () => cpuMs(hello.process.child.pid) }],
    });
  if (phases.has('get'))
    readPhases.push({
      name: 'GET /invoices/{id}, cached, access token',
      url: `${baseUrl}/api/v1/invoices/${id}`,
      headers: { authorization },
    });
  const reads = readPhases.length > 0 ? await measureReadsAlternately(readPhases, meters) : [];
  const logLinesBefore = platform.processes.map((fiscal) => fiscal.lines());
  const post = phases.has('post')
    ? await costOf(() => measureSinglePosts(baseUrl, authorization, invoice))
    : undefined;
  const logLines = platform.processes.map(
    (fiscal, index) => `${fiscal.name} ${fiscal.lines() - logLinesBefore[index]}`,
  );
  let batch;
  let raw;
  let drainedInSeconds;
  if (phases.has('batch')) {
    // A worker in the platform is still processing what the POSTs created: let it finish, so the
    // batches do not pay for that backlog (without a worker nothing drains).
    if (post && (!distributed || withWorker)) drainedInSeconds = await drained(baseUrl, headers);
    batch = await costOf(() => measureBatches(baseUrl, authorization, invoice));
    raw = await measureRawInserts(invoice);
  }

  const mode = distributed
    ? `distributed (gateway, auth, invoice, query${withWorker ? ', invoice-worker' : ''}; local PostgreSQL, RabbitMQ, Redis)`
    : 'embedded (fiscal start --memory)';
  console.log(`\n${mode}; ${seconds} s per measurement, ${connections} connections`);
  console.log(
    '| measurement | requests/s | p50 ms | p99 ms | ratio to hello-world | CPU ratio | failed | CPU ms per request |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  const helloRow = reads.find((row) => row.name === 'Fastify hello-world');
  for (const row of [...reads, ...(post ? [post] : [])]) {
    const ratio = helloRow ? fixed(row.perSecond / helloRow.perSecond, 3) : '-';
    // The hello-world's CPU per request over the platform's (its processes and engines, not the
    // load generator): what the throughput ratio would be on cores of their own, steadier than it.
    const platformCpu = row.spent
      ? row.spent.ms.reduce(
          (sum, ms, index) => (row.spent.meters[index] === 'load generator' ? sum : sum + ms),
          0,
        ) / row.requests
      : undefined;
    const cpuRatio =
      helloRow?.cpuPerRequest && platformCpu && row !== helloRow
        ? fixed(helloRow.cpuPerRequest[0] / platformCpu, 3)
        : '-';
    console.log(
      `| ${row.name} | ${fixed(row.perSecond)} | ${row.p50Ms} | ${row.p99Ms} | ${ratio} | ${cpuRatio} | ${row.failed} | ${row.cpu ?? ''} |`,
    );
  }
  if (batch && raw) {
    const sorted = [...batch.latencies].sort((a, b) => a - b);
    console.log(`\n${batches} batches of ${batchSize}, one after the other`);
    console.log('| measurement | rows/s | ratio to raw INSERT | CPU ms per row |');
    console.log('|---|---|---|---|');
    console.log(`| raw multi-row INSERT (${raw.engine}) | ${fixed(raw.rowsPerSecond)} | 1 | |`);
    console.log(
      `| POST /invoices/batch (median ${fixed(sorted[Math.floor(sorted.length / 2)])} ms per batch) | ` +
        `${fixed(batch.rowsPerSecond)} | ${fixed(batch.rowsPerSecond / raw.rowsPerSecond, 2)} | ${batch.cpu} |`,
    );
    if (batch.failed > 0) console.log(`(${batch.failed} items not accepted)`);
    if (drainedInSeconds !== undefined)
      console.log(
        `(before the batches, the worker took ${fixed(drainedInSeconds)} s to process the POSTs' invoices)`,
      );
  }
  if (post) console.log(`\nlog lines written during the single POSTs: ${logLines.join(', ')}`);
  if (process.env.FISCAL_BENCH_VERBOSE === '1')
    for (const fiscal of platform.processes) console.log(`\n--- ${fiscal.name}\n${fiscal.output()}`);
} finally {
  for (const cleanup of cleanups.reverse()) await cleanup().catch((error) => console.error(String(error)));
}
