// Authenticated reads through the whole embedded platform (`fiscal start --memory`): the gateway
// verifies the caller, charges its quota and calls the query or analytics service in process.
// - verify: one EdDSA signature check (jose) per call, against the gateway's cached-caller lookup,
//   which is what the hot path pays for a token it has seen.
// - routes: requests per second of GET invoice by id (access token, then API key), a list page, a
//   free-text search and the daily report; compare each to the by-id figure of the same run.
// Run after `npm run build`: node bench/gateway-reads.mjs [seconds-per-route=10] [invoices=500]
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:net';
import autocannon from 'autocannon';
import { exportJWK, jwtVerify, SignJWT } from 'jose';
import { LRUCache } from 'lru-cache';

const seconds = Number(process.argv[2] ?? 10);
const invoices = Number(process.argv[3] ?? 500);
const fiscalBin = new URL('../apps/cli/bin/fiscal.js', import.meta.url).pathname;
const admin = { email: 'bench@fiscal.test', password: 'a benchmark passphrase' };

async function freePort() {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  server.close();
  return port;
}

async function verifyCost() {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const token = await new SignJWT({ org: 'org_bench', scopes: ['invoices:read'] })
    .setProtectedHeader({ alg: 'EdDSA', kid: 'k1' })
    .setSubject('usr_bench')
    .setJti('jti')
    .setExpirationTime('15m')
    .sign(privateKey);
  const key = { ...(await exportJWK(publicKey)), kid: 'k1' };
  const rounds = 5_000;
  let started = performance.now();
  for (let n = 0; n < rounds; n++) await jwtVerify(token, publicKey, { algorithms: ['EdDSA'] });
  const verifyPerSecond = rounds / ((performance.now() - started) / 1000);
  const cache = new LRUCache({ max: 10_000 });
  cache.set(token, { key, caller: 'usr_bench' });
  started = performance.now();
  for (let n = 0; n < rounds * 100; n++) cache.get(token);
  const cachedPerSecond = (rounds * 100) / ((performance.now() - started) / 1000);
  return { verifyPerSecond, cachedPerSecond };
}

async function startPlatform() {
  const [httpPort, adminPort] = [await freePort(), await freePort()];
  const child = spawn(process.execPath, [fiscalBin, 'start', '--memory'], {
    env: {
      ...process.env,
      FISCAL_HTTP_PORT: String(httpPort),
      FISCAL_ADMIN_PORT: String(adminPort),
      FISCAL_LOG_LEVEL: 'warn',
      FISCAL_ALLOW_UNSTAMPED: 'true',
      FISCAL_BOOTSTRAP_ADMIN_EMAIL: admin.email,
      FISCAL_BOOTSTRAP_ADMIN_PASSWORD: admin.password,
      // Quotas would turn the measurement into a 429 count.
      FISCAL_RATE_LIMIT_ENTERPRISE: '10000000',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const deadline = Date.now() + 90_000;
  for (;;) {
    const ready = await fetch(`http://127.0.0.1:${adminPort}/readyz`).catch(() => undefined);
    if (ready?.status === 200) break;
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error('fiscal start did not become ready');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { child, baseUrl: `http://127.0.0.1:${httpPort}` };
}

async function json(response) {
  if (!response.ok) throw new Error(`${response.url}: ${response.status} ${await response.text()}`);
  return response.json();
}

async function load(baseUrl) {
  const child = spawn(
    process.execPath,
    [
      fiscalBin,
      'load',
      '--count',
      String(invoices),
      '--batch',
      '100',
      '--url',
      baseUrl,
      '--unstamped',
      '--wait',
    ],
    { env: { ...process.env, FISCAL_BOOTSTRAP_ADMIN_EMAIL: admin.email, FISCAL_PASSWORD: admin.password } },
  );
  const [code] = await once(child, 'exit');
  if (code !== 0) throw new Error(`fiscal load exited ${code}`);
}

async function measure(name, url, authorization) {
  const result = await autocannon({ url, duration: seconds, connections: 16, headers: { authorization } });
  const failed = result.non2xx + result.errors;
  return { name, perSecond: result.requests.average, p99Ms: result.latency.p99, failed };
}

const cost = await verifyCost();
console.log(
  `EdDSA verify: ${cost.verifyPerSecond.toFixed(0)}/s; cached caller lookup: ${cost.cachedPerSecond.toFixed(0)}/s ` +
    `(×${(cost.cachedPerSecond / cost.verifyPerSecond).toFixed(0)})`,
);

const { child, baseUrl } = await startPlatform();
try {
  await load(baseUrl);
  const login = await json(
    await fetch(`${baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(admin),
    }),
  );
  const token = `Bearer ${login.accessToken}`;
  const headers = { authorization: token, 'content-type': 'application/json' };
  const apiKey = await json(
    await fetch(`${baseUrl}/api/v1/api-keys`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ name: 'bench', scopes: ['invoices:read', 'reports:read'] }),
    }),
  );
  const page = await json(await fetch(`${baseUrl}/api/v1/invoices?limit=50`, { headers }));
  const id = page.items[0].id;
  const today = new Date().toISOString().slice(0, 10);
  const rows = [
    await measure('invoice by id, access token', `${baseUrl}/api/v1/invoices/${id}`, token),
    await measure('invoice by id, API key', `${baseUrl}/api/v1/invoices/${id}`, `Bearer ${apiKey.secret}`),
    await measure('list page of 50', `${baseUrl}/api/v1/invoices?limit=50`, token),
    await measure('free-text search', `${baseUrl}/api/v1/invoices?q=EKU900&limit=50`, token),
    await measure('daily report', `${baseUrl}/api/v1/reports/daily?date=${today}`, token),
  ];
  const baseline = rows[0].perSecond;
  console.log(`\n${invoices} invoices, ${seconds} s per route, 16 connections`);
  console.log('| route | requests/s | p99 ms | ratio to by id | non-2xx |');
  console.log('|---|---|---|---|---|');
  for (const row of rows) {
    console.log(
      `| ${row.name} | ${row.perSecond.toFixed(0)} | ${row.p99Ms} | ${(row.perSecond / baseline).toFixed(2)} | ${row.failed} |`,
    );
  }
} finally {
  child.kill('SIGTERM');
  await once(child, 'exit');
}
