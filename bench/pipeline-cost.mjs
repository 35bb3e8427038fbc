// What one invoice costs the whole platform, end to end, in each mode (DESIGN §14): `fiscal load`
// submits N generated, sealed and stamped CFDI 4.0 documents through the gateway, and the run ends
// when every invoice reached a final state and every consumer group has handled every event.
// - distributed: each service its own `fiscal serve` process (two invoice workers) on the local
//   PostgreSQL (two invoice shards, a database per other service), RabbitMQ and Redis;
// - embedded: `fiscal start --memory`, every service in one process on one in-memory PGlite.
// Per mode: invoices/s, created → archived latency, CPU ms per invoice of every process (engines
// and the load generator included), SQL statements and transactions per invoice per database, events
// per invoice, peak RSS; then one JSON line for before/after comparisons. The load generator runs on
// the same machine and competes for its cores. Method and baseline: bench/README.md.
// Run after `npm run build`: npm run bench -- pipeline [invoices=2000] [both|distributed|embedded]
import { spawn } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import amqp from 'amqplib';
import { Redis } from 'ioredis';
import pg from 'pg';
import { InvoiceEventTypes } from '../packages/contracts/dist/events/invoice-events.js';
import { analyticsGroup } from '../services/analytics/dist/app/record-final-invoice.js';
import { finalEventTypes } from '../services/analytics/dist/domain/rollup/final-invoice.js';
import { processorGroup } from '../services/invoice/dist/main.js';
import { notificationGroup } from '../services/notification/dist/adapters/postgres-notification-store.js';
import { notifiableEventTypes } from '../services/notification/dist/domain/subscription.js';
import { projectorGroup } from '../services/query/dist/app/project-invoice-event.js';
import { projectedEventTypes } from '../services/query/dist/domain/invoice-summary/invoice-summary.js';
import { difference, scrape, tally } from './pipeline/metrics.mjs';
import { admin, engineUrls, fiscalBin, startDistributed, startEmbedded } from './pipeline/platform.mjs';
import {
  cpuMs,
  findProcesses,
  machineCpuMs,
  parentOf,
  peakRssBytes,
  reapedChildrenCpuMs,
  treeCpuMs,
} from './pipeline/proc.mjs';

const invoices = Number(process.argv[2] ?? 2_000);
const modes = process.argv[3] && process.argv[3] !== 'both' ? [process.argv[3]] : ['distributed', 'embedded'];
const load = { batch: 100, concurrency: 4 };
const idleWindowMs = 4_000;
const pollIntervalMs = 1_000;

/** What each consumer group is bound to, so "drained" means: handled every event published to it. */
const bindings = {
  [processorGroup]: [InvoiceEventTypes.created, InvoiceEventTypes.requeued],
  [projectorGroup]: projectedEventTypes,
  [analyticsGroup]: finalEventTypes,
  [notificationGroup]: notifiableEventTypes,
};
const finalStatuses = new Set(['archived', 'rejected', 'failed']);

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ── the engines' processes and counters ─────────────────────────────────────────────────────────

async function openEngines() {
  const stats = new pg.Client({ connectionString: engineUrls.postgres });
  await stats.connect();
  const { rows } = await stats.query('select pg_backend_pid() as pid, current_setting($1) as version', [
    'server_version',
  ]);
  const broker = await amqp.connect(engineUrls.rabbitmq);
  const rabbitmqVersion = broker.connection.serverProperties.version;
  await broker.close();
  const redis = new Redis(engineUrls.redis, { lazyConnect: true });
  await redis.connect();
  const redisVersion = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1];
  redis.disconnect();
  const redisPort = new URL(engineUrls.redis).port || '6379';
  return {
    stats,
    postmaster: parentOf(rows[0].pid),
    rabbitmq: findProcesses('beam.smp', /rabbit/),
    redis: findProcesses('redis-server', new RegExp(`:${redisPort}\\b`)),
    versions: { postgres: rows[0].version, rabbitmq: rabbitmqVersion, redis: redisVersion },
  };
}

const sum = (values) => values.reduce((total, value) => total + value, 0);

function engineCpu(engines) {
  return {
    postgresql: treeCpuMs(engines.postmaster),
    rabbitmq: sum(engines.rabbitmq.map(cpuMs)),
    redis: sum(engines.redis.map(cpuMs)),
  };
}

/** CPU of the backends connected to this run's databases, by pid (a cross-check of the cluster figure). */
async function ownBackendsCpu(engines, databases) {
  if (databases.length === 0) return new Map();
  const { rows } = await engines.stats.query(
    'select pid, datname from pg_stat_activity where datname = any($1)',
    [databases.map((database) => database.name)],
  );
  const labels = new Map(databases.map((database) => [database.name, database.label]));
  const cpu = new Map();
  for (const { pid, datname } of rows) {
    try {
      cpu.set(pid, { database: labels.get(datname), ms: cpuMs(pid) });
    } catch {
      // Gone since the listing.
    }
  }
  return cpu;
}

/** Committed and rolled-back transactions per database (pg_stat_database), keyed by the run's label. */
async function transactions(engines, databases) {
  if (databases.length === 0) return {};
  const { rows } = await engines.stats.query(
    'select datname, xact_commit + xact_rollback as xacts from pg_stat_database where datname = any($1)',
    [databases.map((database) => database.name)],
  );
  return Object.fromEntries(
    rows.map((row) => [databases.find((database) => database.name === row.datname).label, Number(row.xacts)]),
  );
}

// ── one reading of everything ───────────────────────────────────────────────────────────────────

async function scrapeAll(processes) {
  const metrics = {};
  for (const fiscal of processes) metrics[fiscal.name] = await scrape(fiscal.adminUrl);
  return metrics;
}

async function snapshot(platform, engines, metrics) {
  const cpu = {};
  for (const fiscal of platform.processes) cpu[fiscal.name] = cpuMs(fiscal.pid);
  Object.assign(cpu, engineCpu(engines));
  return {
    at: performance.now(),
    wall: Date.now(),
    metrics,
    cpu,
    backends: await ownBackendsCpu(engines, platform.databases),
    bench: process.cpuUsage(),
    machine: machineCpuMs(),
  };
}

/** Statements by `<database>\t<process>` from every process's db_statements_total. */
function statementsOf(platform, metrics) {
  const labelOf = (name) => platform.databases.find((database) => database.name === name)?.label ?? name;
  const counts = {};
  for (const [process, samples] of Object.entries(metrics)) {
    for (const [database, count] of Object.entries(
      tally(samples, 'db_statements_total', (labels) => labelOf(labels.database)),
    ))
      counts[`${database}\t${process}`] = count;
  }
  return counts;
}

function byDatabase(statements) {
  const totals = {};
  for (const [key, count] of Object.entries(statements)) {
    const database = key.split('\t')[0];
    totals[database] = (totals[database] ?? 0) + count;
  }
  return totals;
}

function eventsOf(metrics) {
  const all = Object.values(metrics).flat();
  return {
    published: tally(all, 'events_published_total', (labels) => labels.type),
    // A retried delivery comes back; every other outcome is the group's last word on the event.
    delivered: tally(
      all,
      'events_consumed_total',
      (labels) => `${labels.group} ${labels.type}`,
      (labels) => labels.outcome !== 'retried',
    ),
    outcomes: tally(all, 'invoice_processing_outcomes_total', (labels) => labels.outcome),
  };
}

/**
 * Whether every group has handled what was published to it since `before`. Counted from there, not
 * from the start: an event published before a group's queue existed never reaches it.
 */
function drained(metrics, before) {
  const published = difference(eventsOf(metrics).published, eventsOf(before).published);
  const delivered = difference(eventsOf(metrics).delivered, eventsOf(before).delivered);
  return Object.entries(bindings).every(([group, types]) =>
    types.every((type) => (delivered[`${group} ${type}`] ?? 0) >= (published[type] ?? 0)),
  );
}

// ── the load generator ──────────────────────────────────────────────────────────────────────────

/**
 * `fiscal load` without --wait (which would follow each invoice with a read every 250 ms, adding
 * its own load to what is measured). It generates every document before its first submission. Its
 * CPU is what this process reaps of it (cutime + cstime): it is the only child that exits meanwhile.
 */
function startLoad(baseUrl) {
  const reapedBefore = reapedChildrenCpuMs(process.pid);
  const child = spawn(
    process.execPath,
    [
      fiscalBin,
      'load',
      '--count',
      String(invoices),
      '--batch',
      String(load.batch),
      '--concurrency',
      String(load.concurrency),
      '--url',
      baseUrl,
    ],
    {
      env: { ...process.env, FISCAL_BOOTSTRAP_ADMIN_EMAIL: admin.email, FISCAL_PASSWORD: admin.password },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let peakRss = 0;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, peakRssBytes(child.pid) ?? 0);
  }, 200);
  let output = '';
  let submitted;
  child.stdout.on('data', (chunk) => {
    output += chunk;
    const match = /submitted (\d+) in ([\d.]+) s .*: (\d+) accepted/.exec(output);
    if (match && !submitted) {
      const seconds = Number(match[2]);
      submitted = { firstAt: Date.now() - seconds * 1000, seconds, accepted: Number(match[3]) };
    }
  });
  const done = new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      clearInterval(sampler);
      if (code !== 0 || !submitted || submitted.accepted !== invoices) {
        reject(new Error(`fiscal load exited ${code}:\n${output}`));
        return;
      }
      resolve({ ...submitted, cpuMs: reapedChildrenCpuMs(process.pid) - reapedBefore, peakRss });
    });
  });
  return { done, kill: () => child.kill('SIGTERM') };
}

// ── the invoices' own timestamps, read back through the gateway and the query service ──────────

async function finalInvoices(baseUrl) {
  const login = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(admin),
  });
  const { accessToken } = await login.json();
  const items = [];
  let cursor;
  do {
    const url = new URL(`${baseUrl}/api/v1/invoices`);
    url.searchParams.set('limit', '500');
    if (cursor) url.searchParams.set('cursor', cursor);
    const response = await fetch(url, { headers: { authorization: `Bearer ${accessToken}` } });
    if (!response.ok) throw new Error(`GET ${url}: ${response.status} ${await response.text()}`);
    const page = await response.json();
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

/** Final states per second in each quarter of them, in the order they were reached. */
function quarterRates(finishedTimes, startedAt) {
  const sorted = [...finishedTimes].sort((a, b) => a - b);
  const rates = [];
  let from = startedAt;
  for (let quarter = 1; quarter <= 4; quarter++) {
    const last = Math.ceil((quarter * sorted.length) / 4) - 1;
    const first = Math.ceil(((quarter - 1) * sorted.length) / 4);
    rates.push(Number(((last - first + 1) / ((sorted[last] - from) / 1000)).toFixed(1)));
    from = sorted[last];
  }
  return rates;
}

function percentile(values, quantile) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(quantile * sorted.length) - 1)];
}

// ── one mode ───────────────────────────────────────────────────────────────────────────────────

async function measure(platform, engines) {
  const workers = platform.processes.filter(
    (fiscal) => fiscal.name.startsWith('invoice-worker') || platform.mode === 'embedded',
  );
  // Idle background (relays, pollers, sweepers) over a few seconds, for reading the figures.
  await sleep(2_000);
  const idleStart = await snapshot(platform, engines, await scrapeAll(platform.processes));
  const idleXacts = await transactions(engines, platform.databases);
  await sleep(idleWindowMs);
  const start = await snapshot(platform, engines, await scrapeAll(platform.processes));
  const startXacts = await transactions(engines, platform.databases);

  const running = startLoad(platform.baseUrl);
  const submitted = await running.done;
  const deadline = Date.now() + 60_000 + invoices * 500;
  let end;
  let last = {};
  for (;;) {
    if (Date.now() > deadline)
      throw new Error(`not drained in time; since the start: ${JSON.stringify(eventsOf(last))}`);
    await sleep(pollIntervalMs);
    // Until the workers have given every invoice its verdict, only they are asked.
    last = await scrapeAll(workers);
    const outcomes = eventsOf(last).outcomes;
    const finals = sum([...finalStatuses].map((status) => outcomes[status] ?? 0));
    if (finals < invoices) continue;
    const metrics = await scrapeAll(platform.processes);
    last = metrics;
    if (drained(metrics, start.metrics)) {
      end = await snapshot(platform, engines, metrics);
      break;
    }
  }
  // Backends report their transactions to pg_stat_database within a second of going idle.
  await sleep(1_500);
  const endXacts = await transactions(engines, platform.databases);
  const peakRss = Object.fromEntries(
    platform.processes.map((fiscal) => [fiscal.name, peakRssBytes(fiscal.pid)]),
  );
  peakRss.rabbitmq = sum(engines.rabbitmq.map((pid) => peakRssBytes(pid) ?? 0));
  peakRss.redis = sum(engines.redis.map((pid) => peakRssBytes(pid) ?? 0));
  peakRss['fiscal load'] = submitted.peakRss;

  const items = await finalInvoices(platform.baseUrl);
  const final = items.filter((item) => finalStatuses.has(item.status));
  const createdAt = (item) => Date.parse(item.createdAt);
  const finishedAt = (item) => Date.parse(item.updatedAt);
  const lastFinal = Math.max(...final.map(finishedAt));
  const archived = final.filter((item) => item.status === 'archived');
  const statuses = {};
  for (const item of items) statuses[item.status] = (statuses[item.status] ?? 0) + 1;

  const seconds = (ms) => ms / 1000;
  const idleSeconds = seconds(start.at - idleStart.at);
  const cpu = difference(end.cpu, start.cpu);
  cpu['fiscal load'] = submitted.cpuMs;
  let ownBackends = 0;
  const backendsByDatabase = {};
  for (const [pid, { database, ms }] of end.backends) {
    const used = ms - (start.backends.get(pid)?.ms ?? 0);
    ownBackends += used;
    backendsByDatabase[database] = (backendsByDatabase[database] ?? 0) + used;
  }
  const statements = difference(statementsOf(platform, end.metrics), statementsOf(platform, start.metrics));
  const idleStatements = difference(
    byDatabase(statementsOf(platform, start.metrics)),
    byDatabase(statementsOf(platform, idleStart.metrics)),
  );
  const startEvents = eventsOf(start.metrics);
  const endEvents = eventsOf(end.metrics);

  return {
    mode: platform.mode,
    invoices,
    statuses,
    submission: { seconds: submitted.seconds },
    elapsedSeconds: seconds(lastFinal - submitted.firstAt),
    drainedAfterSeconds: seconds(Math.max(0, end.wall - lastFinal)),
    invoicesPerSecond: final.length / seconds(lastFinal - submitted.firstAt),
    // A rate that falls from quarter to quarter is work that grows with what is stored.
    quarterRates: quarterRates(final.map(finishedAt), submitted.firstAt),
    latencyMs: {
      createdToArchived: {
        p50: percentile(
          archived.map((item) => finishedAt(item) - createdAt(item)),
          0.5,
        ),
        p99: percentile(
          archived.map((item) => finishedAt(item) - createdAt(item)),
          0.99,
        ),
      },
      claimToArchived: {
        p50: percentile(
          archived.map((item) => item.processingMs),
          0.5,
        ),
        p99: percentile(
          archived.map((item) => item.processingMs),
          0.99,
        ),
      },
    },
    cpuMs: cpu,
    idleCpuMsPerSecond: Object.fromEntries(
      Object.entries(difference(start.cpu, idleStart.cpu)).map(([name, ms]) => [name, ms / idleSeconds]),
    ),
    benchCpuMs: (end.bench.user + end.bench.system - start.bench.user - start.bench.system) / 1000,
    machineCpuMs: difference(end.machine, start.machine),
    idleMachineCpuMsPerSecond: difference(start.machine, idleStart.machine).busy / idleSeconds,
    ownBackendsCpuMs: ownBackends,
    ownBackends: end.backends.size,
    backendsCpuMsByDatabase: backendsByDatabase,
    statements,
    idleStatementsPerSecond: Object.fromEntries(
      Object.entries(idleStatements).map(([database, count]) => [database, count / idleSeconds]),
    ),
    transactions: difference(endXacts, startXacts),
    idleTransactionsPerSecond: Object.fromEntries(
      Object.entries(difference(startXacts, idleXacts)).map(([database, count]) => [
        database,
        count / idleSeconds,
      ]),
    ),
    published: difference(endEvents.published, startEvents.published),
    delivered: difference(endEvents.delivered, startEvents.delivered),
    peakRss,
    warnings: Object.fromEntries(platform.processes.map((fiscal) => [fiscal.name, fiscal.warnings])),
    tails: Object.fromEntries(
      platform.processes
        .filter((fiscal) => fiscal.warnings > 0)
        .map((fiscal) => [fiscal.name, fiscal.tail.slice(-5)]),
    ),
  };
}

// ── report ──────────────────────────────────────────────────────────────────────────────────────

const fixed = (value, digits = 2) =>
  value === undefined || Number.isNaN(value) ? '—' : value.toFixed(digits);
const mib = (bytes) => (bytes ? (bytes / 1_048_576).toFixed(0) : '—');
const engineNames = {
  postgresql: 'PostgreSQL (postmaster and every backend)',
  rabbitmq: 'RabbitMQ (beam.smp)',
  redis: 'Redis',
};

function print(result) {
  const per = (value) => value / result.invoices;
  const usesEngines = result.mode === 'distributed';
  const fiscalNames = Object.keys(result.peakRss).filter(
    (name) => !(name in engineNames) && name !== 'fiscal load',
  );
  const counted = [...fiscalNames, ...(usesEngines ? Object.keys(engineNames) : []), 'fiscal load'];
  const total = sum(counted.map((name) => result.cpuMs[name]));
  console.log(`\n## ${result.mode}: ${result.invoices} invoices`);
  console.log(
    `final: ${Object.entries(result.statuses)
      .map(([status, count]) => `${count} ${status}`)
      .join(', ')}; submitted in ${result.submission.seconds.toFixed(1)} s by \`fiscal load\` ` +
      `(stamped CFDI 4.0, batches of ${load.batch}, ${load.concurrency} in flight) on this machine, sharing its ${cpus().length} cores`,
  );
  console.log(
    `throughput: ${result.invoicesPerSecond.toFixed(1)} invoices/s end to end ` +
      `(first submission → last final state: ${result.elapsedSeconds.toFixed(1)} s; every consumer done ${result.drainedAfterSeconds.toFixed(1)} s later); ` +
      `by quarter of the invoices: ${result.quarterRates.join(' · ')} /s`,
  );
  const { createdToArchived, claimToArchived } = result.latencyMs;
  console.log(
    `created → archived: p50 ${createdToArchived.p50} ms, p99 ${createdToArchived.p99} ms (queueing behind the burst included); ` +
      `claim → archived: p50 ${claimToArchived.p50} ms, p99 ${claimToArchived.p99} ms ` +
      '(from each invoice’s own createdAt, updatedAt and processingMs, read back through the query service)',
  );

  console.log('\n| process | CPU ms/invoice | share | idle CPU ms/s | peak RSS MiB |');
  console.log('|---|---:|---:|---:|---:|');
  const row = (label, name) =>
    console.log(
      `| ${label} | ${fixed(per(result.cpuMs[name]))} | ${((100 * result.cpuMs[name]) / total).toFixed(0)} % | ` +
        `${fixed(result.idleCpuMsPerSecond[name], 1)} | ${mib(result.peakRss[name])} |`,
    );
  for (const name of fiscalNames) row(name, name);
  if (usesEngines) for (const [name, label] of Object.entries(engineNames)) row(label, name);
  console.log(
    `| fiscal load (load generator; generating ${result.invoices} documents included) | ${fixed(per(result.cpuMs['fiscal load']))} | ` +
      `${((100 * result.cpuMs['fiscal load']) / total).toFixed(0)} % | — | ${mib(result.peakRss['fiscal load'])} |`,
  );
  console.log(`| **total** | **${fixed(per(total))}** | 100 % | | |`);
  console.log(
    `| the platform (all but the load generator) | ${fixed(per(total - result.cpuMs['fiscal load']))} | | | |`,
  );
  if (usesEngines) {
    console.log(
      `\nPostgreSQL: the ${result.ownBackends} backends of this run's databases alive at the end used ${fixed(per(result.ownBackendsCpuMs))} ms/invoice ` +
        'of the cluster figure above (the rest: background workers, exited backends, other databases); by database: ' +
        Object.entries(result.backendsCpuMsByDatabase)
          .sort(([, a], [, b]) => b - a)
          .map(([database, ms]) => `${database} ${fixed(per(ms))}`)
          .join(', ') +
        '.',
    );
  } else {
    console.log(
      `\nNot used by this mode, for noise: PostgreSQL ${fixed(per(result.cpuMs.postgresql))}, RabbitMQ ${fixed(per(result.cpuMs.rabbitmq))}, ` +
        `Redis ${fixed(per(result.cpuMs.redis))} ms/invoice.`,
    );
  }
  console.log(
    `This script (polling /metrics once a second) used ${fixed(per(result.benchCpuMs))} ms/invoice, not in the total.`,
  );
  const measured =
    total +
    result.benchCpuMs +
    (usesEngines ? 0 : sum(Object.keys(engineNames).map((name) => result.cpuMs[name])));
  const other = result.machineCpuMs.busy - measured;
  console.log(
    `The machine was busy ${fixed(per(result.machineCpuMs.busy))} ms/invoice in all: ${fixed(per(other))} of it outside ` +
      `the processes measured (other work on the machine, the kernel; ${fixed(result.idleMachineCpuMsPerSecond, 0)} ms/s ` +
      `of the whole machine while the platform idled before the run); stolen by the hypervisor: ${fixed(per(result.machineCpuMs.steal))}.`,
  );
  if (other > 0.1 * total) {
    console.log(
      `NOISY: other work took ${((100 * other) / total).toFixed(0)} % as much CPU as the platform meanwhile; ` +
        'its figures are not a baseline, run it again on a quieter machine.',
    );
  }

  const databases = {};
  for (const [key, count] of Object.entries(result.statements)) {
    const [database, process] = key.split('\t');
    databases[database] ??= {};
    if (count > 0) databases[database][process] = count;
  }
  console.log('\n| database | statements/invoice | by process | transactions/invoice | idle statements/s |');
  console.log('|---|---:|---|---:|---:|');
  for (const [database, byProcess] of Object.entries(databases)) {
    const idle = result.idleStatementsPerSecond[database];
    console.log(
      `| ${database} | ${fixed(per(sum(Object.values(byProcess))))} | ${Object.entries(byProcess)
        .map(([name, count]) => `${name} ${fixed(per(count))}`)
        .join(
          ' · ',
        )} | ${usesEngines ? fixed(per(result.transactions[database] ?? 0)) : '—'} | ${fixed(idle, 1)} |`,
    );
  }
  const statementTotal = sum(Object.values(result.statements));
  const transactionTotal = sum(Object.values(result.transactions));
  console.log(
    `| **all** | **${fixed(per(statementTotal))}** | | ${usesEngines ? `**${fixed(per(transactionTotal))}**` : '—'} | |`,
  );
  if (!usesEngines)
    console.log('(transactions are not observable from outside PGlite: statements include begin and commit)');

  console.log('\n| events | per invoice |');
  console.log('|---|---:|');
  for (const [type, count] of Object.entries(result.published))
    if (count > 0) console.log(`| published ${type} | ${fixed(per(count))} |`);
  for (const [key, count] of Object.entries(result.delivered))
    if (count > 0) console.log(`| delivered ${key.replace(' ', ': ')} | ${fixed(per(count))} |`);
  console.log(
    `| **published, all** | **${fixed(per(sum(Object.values(result.published))))}** |\n` +
      `| **delivered, all** | **${fixed(per(sum(Object.values(result.delivered))))}** |`,
  );
  const warned = Object.entries(result.warnings).filter(([, count]) => count > 0);
  if (warned.length > 0) {
    console.log(
      `\nwarnings and errors logged: ${warned.map(([name, count]) => `${name} ${count}`).join(', ')}`,
    );
    for (const [name, lines] of Object.entries(result.tails))
      for (const line of lines) console.log(`  ${name}: ${line.slice(0, 300)}`);
  }
  return { total, counted, other };
}

/** The figures to compare before and after a change, per invoice. */
function summary(result, { total, counted, other }) {
  const per = (value) => Number((value / result.invoices).toFixed(3));
  const perKey = (record) =>
    Object.fromEntries(Object.entries(record).map(([key, value]) => [key, per(value)]));
  return {
    invoicesPerSecond: Number(result.invoicesPerSecond.toFixed(1)),
    elapsedSeconds: Number(result.elapsedSeconds.toFixed(2)),
    quarterRates: result.quarterRates,
    statuses: result.statuses,
    latencyMs: result.latencyMs,
    cpuMsPerInvoice: {
      ...Object.fromEntries(counted.map((name) => [name, per(result.cpuMs[name])])),
      total: per(total),
      outsideMeasuredProcesses: per(other),
    },
    statementsPerInvoice: perKey(byDatabase(result.statements)),
    transactionsPerInvoice: perKey(result.transactions),
    publishedPerInvoice: per(sum(Object.values(result.published))),
    deliveredPerInvoice: per(sum(Object.values(result.delivered))),
    peakRssMiB: Object.fromEntries(
      Object.entries(result.peakRss).map(([name, bytes]) => [name, Math.round((bytes ?? 0) / 1_048_576)]),
    ),
  };
}

// ── main ────────────────────────────────────────────────────────────────────────────────────────

const engines = await openEngines();
let current;
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, async () => {
    if (interrupted) return;
    interrupted = true;
    console.error(`\n${signal}: stopping the platform and removing what this run created`);
    await current?.dispose();
    process.exit(130);
  });
}
const inherited = Object.keys(process.env).filter(
  (name) => name.startsWith('FISCAL_') && !name.startsWith('FISCAL_BENCH_'),
);
console.log(
  `pipeline cost: ${invoices} invoices per mode; ${cpus().length} × ${cpus()[0]?.model}; Node.js ${process.version}; ` +
    `PostgreSQL ${engines.versions.postgres}, RabbitMQ ${engines.versions.rabbitmq}, Redis ${engines.versions.redis}` +
    `; load average ${loadavg()
      .map((value) => value.toFixed(2))
      .join(' ')} before the run` +
    (inherited.length > 0 ? `; configuration from the environment: ${inherited.join(', ')}` : ''),
);
const report = {
  bench: 'pipeline-cost',
  date: new Date().toISOString(),
  invoices,
  node: process.version,
  engines: engines.versions,
  modes: {},
};
try {
  for (const mode of modes) {
    current = mode === 'embedded' ? await startEmbedded() : await startDistributed();
    try {
      const result = await measure(current, engines);
      const stopped = await current.stop();
      const unclean = stopped.filter(([, code]) => code !== 0);
      const totals = print(result);
      for (const [name, code, tail] of unclean) {
        console.log(`\n${name} exited ${code} on SIGTERM; its last lines:`);
        for (const line of tail) console.log(`  ${line.slice(0, 400)}`);
      }
      report.modes[mode] = summary(result, totals);
    } finally {
      await current.dispose();
      current = undefined;
    }
  }
} finally {
  await engines.stats.end();
}
console.log(`\n${JSON.stringify(report)}`);
