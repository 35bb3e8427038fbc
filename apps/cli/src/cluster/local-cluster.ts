import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { processorGroup, processorRetryPolicy } from '@fiscal/invoice';
import { groupNames } from '@fiscal/kit/events';
import amqp from 'amqplib';
import { Redis } from 'ioredis';
import pg from 'pg';

/**
 * The distributed system on this machine: every service its own `fiscal serve` process on
 * loopback, against the local PostgreSQL, RabbitMQ and Redis, with two gateways behind HAProxy,
 * two invoice workers and two invoice shards (two databases). What it started is written to
 * `<dir>/cluster.json`, which `down` and `status` read; the processes outlive the command.
 */
export interface ClusterOptions {
  /** Where state, logs and archived documents go. */
  dir: string;
  /** Prefix of the databases, broker names and Redis keys: several clusters can share the engines. */
  name: string;
  /** The load balancer's port on 127.0.0.1. */
  port: number;
  postgresUrl: string;
  rabbitmqUrl: string;
  redisUrl: string;
  /** Added to the environment every process inherits (FISCAL_*, OTEL_*). */
  env?: Record<string, string>;
}

export interface ClusterProcess {
  name: string;
  service: string;
  pid: number;
  adminPort: number;
  grpcPort?: number;
  httpPort?: number;
  log: string;
}

export interface ClusterState {
  name: string;
  dir: string;
  url: string;
  balancer: { pid: number; port: number; config: string; log: string };
  processes: ClusterProcess[];
  databases: string[];
  engines: { postgres: string; rabbitmq: string; redis: string };
  adminTokenFile: string;
  adminPasswordFile?: string;
  bootstrapAdminEmail: string;
}

const fiscalBin = fileURLToPath(new URL('../../bin/fiscal.js', import.meta.url));
const stateFile = (dir: string) => join(dir, 'cluster.json');

export async function readClusterState(dir: string): Promise<ClusterState | undefined> {
  if (!existsSync(stateFile(dir))) return undefined;
  return JSON.parse(await readFile(stateFile(dir), 'utf8')) as ClusterState;
}

/** Starts the cluster and waits until the load balancer answers through both gateways. */
export async function clusterUp(
  options: ClusterOptions,
  report: (line: string) => void = () => {},
): Promise<ClusterState> {
  const dir = resolve(options.dir);
  if (await readClusterState(dir))
    throw new Error(`a cluster is already recorded in ${dir}: fiscal cluster down first`);
  if (!/^[a-z][a-z0-9_]{0,40}$/.test(options.name)) throw new Error(`invalid cluster name "${options.name}"`);
  const haproxy = spawnSync('haproxy', ['-v'], { stdio: 'ignore' });
  if (haproxy.error || haproxy.status !== 0)
    throw new Error('haproxy is not installed (apt-get install haproxy)');
  await mkdir(join(dir, 'logs'), { recursive: true });
  await mkdir(join(dir, 'objects'), { recursive: true });

  const adminToken =
    options.env?.FISCAL_ADMIN_TOKEN ??
    process.env.FISCAL_ADMIN_TOKEN ??
    randomBytes(32).toString('base64url');
  const adminTokenFile = join(dir, 'admin-token');
  await writeFile(adminTokenFile, `${adminToken}\n`, { mode: 0o600 });
  const bootstrapAdminEmail =
    options.env?.FISCAL_BOOTSTRAP_ADMIN_EMAIL ??
    process.env.FISCAL_BOOTSTRAP_ADMIN_EMAIL ??
    'admin@localhost';
  let adminPassword =
    options.env?.FISCAL_BOOTSTRAP_ADMIN_PASSWORD ?? process.env.FISCAL_BOOTSTRAP_ADMIN_PASSWORD;
  let adminPasswordFile: string | undefined;
  if (!adminPassword) {
    adminPassword = randomBytes(18).toString('base64url');
    adminPasswordFile = join(dir, 'initial-admin-password');
    await writeFile(adminPasswordFile, `${adminPassword}\n`, { mode: 0o600 });
  }

  const databaseUrl = (suffix: string) => {
    const url = new URL(options.postgresUrl);
    url.pathname = `/${options.name}_${suffix}`;
    return url.toString();
  };
  const shardUrls = [databaseUrl('invoice_0'), databaseUrl('invoice_1')];
  const queryUrl = databaseUrl('query');
  const servicesUrl = databaseUrl('services');
  const databases = [...shardUrls, queryUrl, servicesUrl];
  for (const url of databases) await createDatabaseIfMissing(options.postgresUrl, url);

  const prefix = `${options.name}.`;
  const shared: Record<string, string> = {
    ...(process.env as Record<string, string>),
    ...options.env,
    FISCAL_ADMIN_HOST: '127.0.0.1',
    FISCAL_ADMIN_TOKEN: adminToken,
    FISCAL_RABBITMQ_URL: options.rabbitmqUrl,
    FISCAL_RABBITMQ_NAME_PREFIX: prefix,
    FISCAL_REDIS_URL: options.redisUrl,
    FISCAL_REDIS_KEY_PREFIX: prefix,
    FISCAL_OBJECT_STORE_DIR: join(dir, 'objects'),
    FISCAL_INVOICE_SHARD_URLS: shardUrls.join(','),
    FISCAL_BOOTSTRAP_ADMIN_EMAIL: bootstrapAdminEmail,
    FISCAL_BOOTSTRAP_ADMIN_PASSWORD: adminPassword,
  };
  const migrations: [string, Record<string, string>][] = [
    ['auth', { FISCAL_DATABASE_URL: servicesUrl }],
    ['invoice', {}],
    ['query', { FISCAL_DATABASE_URL: queryUrl }],
    ['analytics', { FISCAL_DATABASE_URL: servicesUrl }],
    ['notification', { FISCAL_DATABASE_URL: servicesUrl }],
  ];
  for (const [service, env] of migrations) {
    const migrated = spawnSync(process.execPath, [fiscalBin, 'migrate', service], {
      env: { ...shared, ...env },
      encoding: 'utf8',
      timeout: 120_000,
    });
    if (migrated.status !== 0)
      throw new Error(`fiscal migrate ${service} failed:\n${migrated.stdout}${migrated.stderr}`);
  }
  report(`databases migrated: ${databases.map((url) => new URL(url).pathname.slice(1)).join(', ')}`);

  const grpc = {
    auth: await freePort(),
    invoice: await freePort(),
    query: await freePort(),
    analytics: await freePort(),
    notification: await freePort(),
  };
  const backends: { name: string; service: string; env: Record<string, string>; grpcPort?: number }[] = [
    { name: 'auth', service: 'auth', env: { FISCAL_DATABASE_URL: servicesUrl }, grpcPort: grpc.auth },
    { name: 'invoice', service: 'invoice', env: {}, grpcPort: grpc.invoice },
    { name: 'invoice-worker-1', service: 'invoice-worker', env: {} },
    { name: 'invoice-worker-2', service: 'invoice-worker', env: {} },
    { name: 'query', service: 'query', env: { FISCAL_DATABASE_URL: queryUrl }, grpcPort: grpc.query },
    {
      name: 'analytics',
      service: 'analytics',
      env: { FISCAL_DATABASE_URL: servicesUrl },
      grpcPort: grpc.analytics,
    },
    {
      name: 'notification',
      service: 'notification',
      env: { FISCAL_DATABASE_URL: servicesUrl },
      grpcPort: grpc.notification,
    },
  ];
  const state: ClusterState = {
    name: options.name,
    dir,
    url: `http://127.0.0.1:${options.port}`,
    balancer: {
      pid: 0,
      port: options.port,
      config: join(dir, 'haproxy.cfg'),
      log: join(dir, 'logs', 'haproxy.log'),
    },
    processes: [],
    databases,
    engines: { postgres: options.postgresUrl, rabbitmq: options.rabbitmqUrl, redis: options.redisUrl },
    adminTokenFile,
    adminPasswordFile,
    bootstrapAdminEmail,
  };
  const save = () => writeFile(stateFile(dir), `${JSON.stringify(state, null, 2)}\n`);
  const authUrl = `http://127.0.0.1:${grpc.auth}`;
  try {
    const started: Promise<void>[] = [];
    for (const backend of backends) {
      const adminPort = await freePort();
      const env = {
        ...shared,
        ...backend.env,
        FISCAL_ADMIN_PORT: String(adminPort),
        FISCAL_AUTH_GRPC_URL: authUrl,
        FISCAL_GRPC_HOST: '127.0.0.1',
        FISCAL_GRPC_PORT: String(backend.grpcPort ?? (await freePort())),
      };
      const launched = launch(backend.name, backend.service, env, dir);
      state.processes.push({ ...launched.record, adminPort, grpcPort: backend.grpcPort });
      started.push(waitReady(launched, adminPort));
    }
    await save();
    await Promise.all(started);
    report('services ready: auth, invoice, 2 invoice workers, query, analytics, notification');

    const gateways: Promise<void>[] = [];
    for (const name of ['gateway-1', 'gateway-2']) {
      const adminPort = await freePort();
      const httpPort = await freePort();
      const launched = launch(
        name,
        'gateway',
        {
          ...shared,
          FISCAL_ADMIN_PORT: String(adminPort),
          FISCAL_HTTP_HOST: '127.0.0.1',
          FISCAL_HTTP_PORT: String(httpPort),
          FISCAL_TRUST_PROXY: 'true',
          FISCAL_AUTH_GRPC_URL: authUrl,
          FISCAL_INVOICE_GRPC_URL: `http://127.0.0.1:${grpc.invoice}`,
          FISCAL_QUERY_GRPC_URL: `http://127.0.0.1:${grpc.query}`,
          FISCAL_ANALYTICS_GRPC_URL: `http://127.0.0.1:${grpc.analytics}`,
          FISCAL_NOTIFICATION_GRPC_URL: `http://127.0.0.1:${grpc.notification}`,
        },
        dir,
      );
      state.processes.push({ ...launched.record, adminPort, httpPort });
      gateways.push(waitReady(launched, adminPort));
    }
    await save();
    await Promise.all(gateways);

    await writeFile(state.balancer.config, haproxyConfig(state));
    const check = spawnSync('haproxy', ['-c', '-q', '-f', state.balancer.config], { encoding: 'utf8' });
    if (check.status !== 0)
      throw new Error(`haproxy refuses its configuration:\n${check.stdout}${check.stderr}`);
    const log = openSync(state.balancer.log, 'w');
    const balancer = spawn('haproxy', ['-db', '-f', state.balancer.config], {
      detached: true,
      stdio: ['ignore', log, log],
    });
    closeSync(log);
    balancer.unref();
    state.balancer.pid = balancer.pid ?? 0;
    await save();
    await waitUntil(
      async () => {
        if (balancer.exitCode !== null)
          throw new Error(`haproxy exited (${balancer.exitCode}): see ${state.balancer.log}`);
        const response = await fetch(`${state.url}/.well-known/jwks.json`).catch(() => undefined);
        return response?.status === 200;
      },
      30_000,
      'the load balancer to answer',
    );
    report(`load balancer ready on ${state.url} (gateway-1, gateway-2)`);
    return state;
  } catch (error) {
    // What started is stopped; the record stays, so `down --purge` can remove what was created.
    await save();
    await clusterDown(dir).catch(() => undefined);
    await save();
    throw error;
  }
}

/** Stops everything the cluster started: the balancer first, then the gateways, then the rest. */
export async function clusterDown(
  dir: string,
  { purge = false, timeoutMs = 45_000 }: { purge?: boolean; timeoutMs?: number } = {},
): Promise<{ stopped: string[]; killed: string[]; unclean: string[] }> {
  const state = await readClusterState(resolve(dir));
  if (!state) throw new Error(`no cluster recorded in ${resolve(dir)}`);
  const stopped: string[] = [];
  const killed: string[] = [];
  const waves = [
    [{ name: 'haproxy', pid: state.balancer.pid }],
    state.processes.filter((process) => process.service === 'gateway'),
    state.processes.filter((process) => process.service !== 'gateway'),
  ];
  for (const wave of waves) {
    const live = wave.filter((process) => process.pid > 0 && alive(process.pid));
    for (const process of live) signal(process.pid, 'SIGTERM');
    await waitUntil(
      async () => live.every((process) => !alive(process.pid)),
      timeoutMs,
      'processes to stop',
    ).catch(() => undefined);
    for (const process of live) {
      if (alive(process.pid)) {
        signal(process.pid, 'SIGKILL');
        killed.push(process.name);
      } else stopped.push(process.name);
    }
  }
  // A process that overran its shutdown budget or failed a step says so in its log (exit code 1).
  const unclean: string[] = [];
  for (const process of state.processes) {
    const log = await readFile(process.log, 'utf8').catch(() => '');
    if (/shutdown finished with failures|shutdown budget exhausted|shutdown step failed/.test(log))
      unclean.push(process.name);
  }
  if (purge) {
    for (const url of state.databases) await dropDatabase(state.engines.postgres, url);
    await deleteBrokerTopology(state.engines.rabbitmq, `${state.name}.`);
    await deleteRedisKeys(state.engines.redis, `${state.name}.`);
    await rm(state.dir, { recursive: true, force: true });
  } else {
    await rm(stateFile(state.dir), { force: true });
  }
  return { stopped, killed, unclean };
}

export interface ProcessStatus {
  name: string;
  pid: number;
  running: boolean;
  ready: boolean;
  endpoint: string;
}

export async function clusterStatus(
  dir: string,
): Promise<{ state: ClusterState; processes: ProcessStatus[] }> {
  const state = await readClusterState(resolve(dir));
  if (!state) throw new Error(`no cluster recorded in ${resolve(dir)}`);
  const processes: ProcessStatus[] = [];
  const balancerReady = await fetch(`${state.url}/.well-known/jwks.json`)
    .then((response) => response.status === 200)
    .catch(() => false);
  processes.push({
    name: 'haproxy',
    pid: state.balancer.pid,
    running: alive(state.balancer.pid),
    ready: balancerReady,
    endpoint: state.url,
  });
  for (const process of state.processes) {
    const ready = await fetch(`http://127.0.0.1:${process.adminPort}/readyz`)
      .then((response) => response.status === 200)
      .catch(() => false);
    const endpoint = process.httpPort
      ? `http://127.0.0.1:${process.httpPort}`
      : process.grpcPort
        ? `grpc 127.0.0.1:${process.grpcPort}`
        : '(no API)';
    processes.push({ name: process.name, pid: process.pid, running: alive(process.pid), ready, endpoint });
  }
  return { state, processes };
}

function haproxyConfig(state: ClusterState): string {
  const servers = state.processes
    .filter((process) => process.service === 'gateway')
    .map(
      (process) =>
        `  server ${process.name} 127.0.0.1:${process.httpPort} check port ${process.adminPort} inter 1s fall 2 rise 1`,
    );
  return `# Written by fiscal cluster up: two gateways behind one address, each taken out while its
# admin port's /readyz says it is not ready (during a graceful shutdown, for one).
defaults
  mode http
  timeout connect 5s
  timeout client 60s
  timeout server 60s
  option forwardfor
  retries 2
  option redispatch

frontend fiscal
  bind 127.0.0.1:${state.balancer.port}
  default_backend gateways

backend gateways
  balance roundrobin
  option httpchk GET /readyz
  http-check expect status 200
${servers.join('\n')}
`;
}

function launch(name: string, service: string, env: Record<string, string>, dir: string) {
  const log = join(dir, 'logs', `${name}.log`);
  const fd = openSync(log, 'w');
  const child = spawn(process.execPath, [fiscalBin, 'serve', service], {
    detached: true,
    stdio: ['ignore', fd, fd],
    env,
  });
  closeSync(fd);
  child.unref();
  return { child, record: { name, service, pid: child.pid ?? 0, log } };
}

async function waitReady(
  launched: { child: ChildProcess; record: { name: string; log: string } },
  adminPort: number,
) {
  await waitUntil(
    async () => {
      if (launched.child.exitCode !== null) {
        const tail = (await readFile(launched.record.log, 'utf8')).split('\n').slice(-15).join('\n');
        throw new Error(`${launched.record.name} exited (${launched.child.exitCode}):\n${tail}`);
      }
      const response = await fetch(`http://127.0.0.1:${adminPort}/readyz`).catch(() => undefined);
      return response?.status === 200;
    },
    90_000,
    `${launched.record.name} to become ready`,
  );
}

async function waitUntil(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

function alive(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function signal(pid: number, name: NodeJS.Signals) {
  try {
    process.kill(pid, name);
  } catch {
    // Gone meanwhile.
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

async function adminQuery(adminUrl: string, statement: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await client.query(statement);
  } finally {
    await client.end();
  }
}

const databaseName = (url: string) => decodeURIComponent(new URL(url).pathname.slice(1));

async function createDatabaseIfMissing(adminUrl: string, url: string) {
  const name = databaseName(url);
  const { rowCount } = await adminQuery(adminUrl, `select 1 from pg_database where datname = '${name}'`);
  if (!rowCount) await adminQuery(adminUrl, `create database "${name}"`);
}

async function dropDatabase(adminUrl: string, url: string) {
  await adminQuery(adminUrl, `drop database if exists "${databaseName(url)}" with (force)`);
}

/** The exchanges and queues the services declared under the cluster's prefix. */
async function deleteBrokerTopology(url: string, prefix: string) {
  const connection = await amqp.connect(url);
  const channel = await connection.createChannel();
  const groups = [
    groupNames(prefix, 'query-projector'),
    groupNames(prefix, 'analytics'),
    groupNames(prefix, 'notifications'),
    groupNames(
      prefix,
      processorGroup,
      processorRetryPolicy({ processingMaxAttempts: 5, processingRetryDelay: 2_000 }),
    ),
  ];
  for (const names of groups) {
    for (const queue of [names.queue, names.deadLetterQueue, ...names.retryQueues.map((retry) => retry.name)])
      await channel.deleteQueue(queue);
    await channel.deleteExchange(names.deadLetterExchange);
  }
  for (const domain of ['fiscal.invoice', 'auth', 'notification'])
    await channel.deleteExchange(`${prefix}${domain}`);
  await connection.close();
}

async function deleteRedisKeys(url: string, prefix: string) {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
