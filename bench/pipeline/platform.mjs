// Starts the platform as an operator would, in either mode, and leaves nothing behind when disposed:
// distributed, every service its own `fiscal serve` process on PostgreSQL, RabbitMQ and Redis
// (scratch databases, a name prefix on the broker and in Redis); embedded, `fiscal start --memory`.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { copyFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import amqp from 'amqplib';
import { Redis } from 'ioredis';
import pg from 'pg';
import { parseConfig } from '../../packages/kit/dist/config/index.js';
import { groupNames } from '../../packages/kit/dist/events/index.js';
import { processingConfig, processorGroup, processorRetryPolicy } from '../../services/invoice/dist/main.js';

export const fiscalBin = new URL('../../apps/cli/bin/fiscal.js', import.meta.url).pathname;
export const admin = { email: 'bench@fiscal.test', password: 'a benchmark passphrase' };
export const engineUrls = {
  postgres: process.env.FISCAL_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  rabbitmq: process.env.FISCAL_BENCH_RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
  redis: process.env.FISCAL_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
};

async function freePort() {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  server.close();
  return port;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * FISCAL_BENCH_CPU_PROFILE_DIR=<dir> runs every `fiscal` process under `node --cpu-prof`, a profile
 * per process written there when it exits (open them in Chrome DevTools or speedscope).
 */
const profileArgs = process.env.FISCAL_BENCH_CPU_PROFILE_DIR
  ? ['--cpu-prof', `--cpu-prof-dir=${process.env.FISCAL_BENCH_CPU_PROFILE_DIR}`]
  : [];

/**
 * FISCAL_BENCH_KEEP_DATABASES=1 leaves the distributed run's databases in place (named
 * fiscal_bench_<run>_<service>), for reading what each statement cost in pg_stat_statements.
 */
const keepDatabases = Boolean(process.env.FISCAL_BENCH_KEEP_DATABASES);

/** A `fiscal` process with the tail of its log and a count of its warnings and errors. */
function spawnFiscal(name, args, env) {
  const child = spawn(process.execPath, [...profileArgs, fiscalBin, ...args], {
    env: { ...process.env, FISCAL_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const fiscal = {
    name,
    child,
    pid: child.pid,
    adminUrl: `http://127.0.0.1:${env.FISCAL_ADMIN_PORT}`,
    tail: [],
    warnings: 0,
    exited: new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal))),
  };
  for (const stream of [child.stdout, child.stderr]) {
    let carry = '';
    stream.on('data', (chunk) => {
      const lines = (carry + chunk).split('\n');
      carry = lines.pop();
      for (const line of lines) {
        if (/"level":"(warn|error|fatal)"/.test(line)) fiscal.warnings++;
        fiscal.tail.push(line);
        if (fiscal.tail.length > 100) fiscal.tail.shift();
      }
    });
  }
  return fiscal;
}

async function waitReady(fiscal) {
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (fiscal.child.exitCode !== null)
      throw new Error(`${fiscal.name} exited early (${fiscal.child.exitCode}):\n${fiscal.tail.join('\n')}`);
    const ready = await fetch(`${fiscal.adminUrl}/readyz`).catch(() => undefined);
    if (ready?.status === 200) return;
    if (Date.now() > deadline)
      throw new Error(`${fiscal.name} did not become ready:\n${fiscal.tail.join('\n')}`);
    await sleep(100);
  }
}

/** SIGTERM to each, then their exit codes (SIGKILL after 45 s: a shutdown that hangs is a finding). */
async function stopAll(processes) {
  for (const fiscal of processes) fiscal.child.kill('SIGTERM');
  return Promise.all(
    processes.map(async (fiscal) => {
      const timer = setTimeout(() => fiscal.child.kill('SIGKILL'), 45_000);
      const code = await fiscal.exited;
      clearTimeout(timer);
      return [fiscal.name, code, fiscal.tail.slice(-5)];
    }),
  );
}

/** Whatever a run created, undone in reverse order, each step attempted even if one fails. */
function cleanupStack() {
  const steps = [];
  return {
    push: (step) => steps.push(step),
    async run() {
      while (steps.length > 0) {
        try {
          await steps.pop()();
        } catch (error) {
          console.error(`cleanup: ${error.message}`);
        }
      }
    },
  };
}

/** The bundled PAC certificates and SAT's test CSD, which stamps what `fiscal load` generates. */
async function certificateDirectory(cleanup) {
  const directory = await mkdtemp(join(tmpdir(), 'fiscal-bench-certificates-'));
  cleanup.push(() => rm(directory, { recursive: true, force: true }));
  const bundled = new URL('../../packages/cfdi/certificates/', import.meta.url);
  for (const file of await readdir(bundled)) {
    if (file.endsWith('.cer')) await copyFile(new URL(file, bundled), join(directory, file));
  }
  await copyFile(
    new URL('../../fixtures/cfdi/certs/EKU9003173C9.cer', import.meta.url),
    join(directory, 'test-pac.cer'),
  );
  return directory;
}

async function withClient(url, work) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function runToEnd(args, env) {
  const fiscal = spawnFiscal(args.join(' '), args, env);
  const code = await fiscal.exited;
  if (code !== 0) throw new Error(`fiscal ${args.join(' ')} exited ${code}:\n${fiscal.tail.join('\n')}`);
}

/** Removes the queues and exchanges the services declared under `prefix`, as the e2e suite does. */
async function deleteTopology(prefix) {
  const connection = await amqp.connect(engineUrls.rabbitmq);
  try {
    const channel = await connection.createChannel();
    const processorRetry = processorRetryPolicy(parseConfig(processingConfig));
    const groups = [
      groupNames(prefix, 'query-projector'),
      groupNames(prefix, 'analytics'),
      groupNames(prefix, 'notifications'),
      groupNames(prefix, processorGroup, processorRetry),
    ];
    for (const names of groups) {
      for (const queue of [
        names.queue,
        names.deadLetterQueue,
        ...names.retryQueues.map((retry) => retry.name),
      ])
        await channel.deleteQueue(queue);
      await channel.deleteExchange(names.deadLetterExchange);
    }
    for (const domain of ['fiscal.invoice', 'auth', 'notification'])
      await channel.deleteExchange(`${prefix}${domain}`);
  } finally {
    await connection.close();
  }
}

async function deleteRedisKeys(prefix) {
  const redis = new Redis(engineUrls.redis, { lazyConnect: true });
  await redis.connect();
  try {
    for await (const keys of redis.scanStream({ match: `${prefix}*`, count: 500 }))
      if (keys.length > 0) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}

/**
 * Distributed mode: gateway, auth, invoice, two invoice workers, query, analytics and notification,
 * each `fiscal serve <service>`; two invoice shards and each other service in a database of its own.
 */
export async function startDistributed() {
  const cleanup = cleanupStack();
  const run = randomBytes(3).toString('hex');
  const prefix = `bench-${run}.`;
  const processes = [];
  try {
    const names = ['invoice_0', 'invoice_1', 'query', 'auth', 'analytics', 'notification'];
    const databases = names.map((name) => ({ label: name, name: `fiscal_bench_${run}_${name}` }));
    await withClient(engineUrls.postgres, async (client) => {
      for (const database of databases) {
        await client.query(`create database ${database.name}`);
        if (keepDatabases) continue;
        cleanup.push(() =>
          withClient(engineUrls.postgres, (dropper) =>
            dropper.query(`drop database if exists ${database.name} with (force)`),
          ),
        );
      }
    });
    cleanup.push(() => deleteTopology(prefix));
    cleanup.push(() => deleteRedisKeys(prefix));
    const urlOf = (label) => {
      const url = new URL(engineUrls.postgres);
      url.pathname = `/${databases.find((database) => database.label === label).name}`;
      return url.toString();
    };
    const objectDir = await mkdtemp(join(tmpdir(), 'fiscal-bench-objects-'));
    cleanup.push(() => rm(objectDir, { recursive: true, force: true }));
    const certificateDir = await certificateDirectory(cleanup);
    const shardUrls = [urlOf('invoice_0'), urlOf('invoice_1')].join(',');
    await runToEnd(['migrate', 'invoice'], { FISCAL_INVOICE_SHARD_URLS: shardUrls });

    const grpc = {};
    for (const service of ['invoice', 'query', 'auth', 'analytics', 'notification'])
      grpc[service] = await freePort();
    const shared = {
      FISCAL_RABBITMQ_URL: engineUrls.rabbitmq,
      FISCAL_RABBITMQ_NAME_PREFIX: prefix,
      FISCAL_REDIS_URL: engineUrls.redis,
      FISCAL_REDIS_KEY_PREFIX: prefix,
      FISCAL_AUTH_GRPC_URL: `http://127.0.0.1:${grpc.auth}`,
    };
    const invoiceStore = { FISCAL_INVOICE_SHARD_URLS: shardUrls, FISCAL_OBJECT_STORE_DIR: objectDir };
    const specs = [
      ['auth', 'auth', { FISCAL_DATABASE_URL: urlOf('auth'), FISCAL_GRPC_PORT: grpc.auth }],
      ['invoice', 'invoice', { ...invoiceStore, FISCAL_GRPC_PORT: grpc.invoice }],
      ['invoice-worker-1', 'invoice-worker', { ...invoiceStore, FISCAL_CERTIFICATE_DIR: certificateDir }],
      ['invoice-worker-2', 'invoice-worker', { ...invoiceStore, FISCAL_CERTIFICATE_DIR: certificateDir }],
      ['query', 'query', { FISCAL_DATABASE_URL: urlOf('query'), FISCAL_GRPC_PORT: grpc.query }],
      [
        'analytics',
        'analytics',
        { FISCAL_DATABASE_URL: urlOf('analytics'), FISCAL_GRPC_PORT: grpc.analytics },
      ],
      [
        'notification',
        'notification',
        { FISCAL_DATABASE_URL: urlOf('notification'), FISCAL_GRPC_PORT: grpc.notification },
      ],
    ];
    cleanup.push(() => stopAll(processes));
    for (const [name, service, env] of specs) {
      // Workers serve no gRPC API, but each still names a port of its own.
      const ports = { FISCAL_ADMIN_PORT: await freePort(), FISCAL_GRPC_PORT: await freePort() };
      processes.push(spawnFiscal(name, ['serve', service], stringValues({ ...shared, ...ports, ...env })));
    }
    await Promise.all(processes.map(waitReady));
    const httpPort = await freePort();
    const gateway = spawnFiscal(
      'gateway',
      ['serve', 'gateway'],
      stringValues({
        ...shared,
        FISCAL_HTTP_PORT: httpPort,
        FISCAL_ADMIN_PORT: await freePort(),
        FISCAL_INVOICE_GRPC_URL: `http://127.0.0.1:${grpc.invoice}`,
        FISCAL_QUERY_GRPC_URL: `http://127.0.0.1:${grpc.query}`,
        FISCAL_ANALYTICS_GRPC_URL: `http://127.0.0.1:${grpc.analytics}`,
        FISCAL_NOTIFICATION_GRPC_URL: `http://127.0.0.1:${grpc.notification}`,
      }),
    );
    processes.unshift(gateway);
    await waitReady(gateway);
    return {
      mode: 'distributed',
      baseUrl: `http://127.0.0.1:${httpPort}`,
      processes,
      databases,
      // The front door first, as a rolling shutdown would: an upstream's GOAWAY reaching the
      // gateway while it closes its own connections can crash it (see bench/README.md).
      async stop() {
        const [front, ...rest] = processes.splice(0);
        return [...(await stopAll([front])), ...(await stopAll(rest))];
      },
      dispose: () => cleanup.run(),
    };
  } catch (error) {
    await cleanup.run();
    throw error;
  }
}

/** Embedded mode: every service in one `fiscal start --memory` process, on one in-memory PGlite. */
export async function startEmbedded() {
  const cleanup = cleanupStack();
  const processes = [];
  try {
    const certificateDir = await certificateDirectory(cleanup);
    const httpPort = await freePort();
    cleanup.push(() => stopAll(processes));
    processes.push(
      spawnFiscal(
        'fiscal start --memory',
        ['start', '--memory'],
        stringValues({
          FISCAL_HTTP_PORT: httpPort,
          FISCAL_ADMIN_PORT: await freePort(),
          FISCAL_CERTIFICATE_DIR: certificateDir,
        }),
      ),
    );
    await waitReady(processes[0]);
    return {
      mode: 'embedded',
      baseUrl: `http://127.0.0.1:${httpPort}`,
      processes,
      databases: [],
      stop: () => stopAll(processes.splice(0)),
      dispose: () => cleanup.run(),
    };
  } catch (error) {
    await cleanup.run();
    throw error;
  }
}

function stringValues(env) {
  return Object.fromEntries(
    Object.entries({
      FISCAL_BOOTSTRAP_ADMIN_EMAIL: admin.email,
      FISCAL_BOOTSTRAP_ADMIN_PASSWORD: admin.password,
      ...env,
    }).map(([key, value]) => [key, String(value)]),
  );
}
