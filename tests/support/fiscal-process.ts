import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const fiscalBin = fileURLToPath(new URL('../../apps/cli/bin/fiscal.js', import.meta.url));

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** The first administrator every test process bootstraps (FISCAL_BOOTSTRAP_ADMIN_*). */
export const bootstrapAdmin = { email: 'admin@fiscal.test', password: 'correct horse battery staple' };

/** A real `fiscal` process, as a user would start it, with its output kept for diagnosis. */
export interface FiscalProcess {
  readonly child: ChildProcess;
  readonly baseUrl: string;
  readonly adminUrl: string;
  /** The FISCAL_ADMIN_TOKEN it was given (one per process unless the test set it; '' sets none). */
  readonly adminToken: string | undefined;
  /** `authorization` headers of an operator on the admin port. */
  adminHeaders(): { authorization: string };
  /** `authorization` headers of the bootstrap admin, logged in once (a gateway process only). */
  auth(): Promise<{ authorization: string }>;
  output(): string;
  /** Resolves with the exit code (or the signal name when killed by one). */
  exited(): Promise<number | string>;
}

export async function startFiscal(args: string[], env: Record<string, string> = {}): Promise<FiscalProcess> {
  const httpPort = await freePort();
  const adminPort = await freePort();
  const adminToken = env.FISCAL_ADMIN_TOKEN ?? randomBytes(32).toString('base64url');
  const { child, output } = spawnFiscal(args, {
    FISCAL_HTTP_PORT: String(httpPort),
    FISCAL_ADMIN_PORT: String(adminPort),
    FISCAL_ADMIN_TOKEN: adminToken,
    FISCAL_BOOTSTRAP_ADMIN_EMAIL: bootstrapAdmin.email,
    FISCAL_BOOTSTRAP_ADMIN_PASSWORD: bootstrapAdmin.password,
    ...env,
  });
  const exit = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
  const baseUrl = `http://127.0.0.1:${httpPort}`;
  let session: Promise<{ authorization: string }> | undefined;
  const fiscal: FiscalProcess = {
    child,
    baseUrl,
    adminUrl: `http://127.0.0.1:${adminPort}`,
    adminToken: adminToken || undefined,
    adminHeaders: () => ({ authorization: `Bearer ${adminToken}` }),
    auth: () => {
      session ??= signIn(baseUrl, bootstrapAdmin);
      return session;
    },
    output,
    exited: () => exit,
  };
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`fiscal exited early (${child.exitCode}):\n${output()}`);
      const response = await fetch(`${fiscal.adminUrl}/readyz`).catch(() => undefined);
      return response?.status === 200;
    },
    { timeoutMs: 90_000, what: 'fiscal to become ready' },
  );
  return fiscal;
}

/** Logs in through the gateway, as a client would. */
export async function signIn(
  baseUrl: string,
  credentials: { email: string; password: string },
): Promise<{ authorization: string }> {
  const response = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(credentials),
  });
  const body = (await response.json()) as { accessToken?: string };
  if (response.status !== 200 || !body.accessToken) {
    throw new Error(`login as ${credentials.email} answered ${response.status}: ${JSON.stringify(body)}`);
  }
  return { authorization: `Bearer ${body.accessToken}` };
}

/** Polls `condition` until it returns a truthy value or the deadline passes. */
export async function waitFor<T>(
  condition: () => Promise<T | undefined | false>,
  { timeoutMs = 20_000, intervalMs = 50, what = 'condition' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await condition();
      if (value) return value;
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('fiscal exited early')) throw error;
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`,
  );
}

/** A `fiscal` child process with its stdout and stderr kept together for assertions and diagnosis. */
function spawnFiscal(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [fiscalBin, ...args], {
    env: { ...process.env, FISCAL_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output += chunk;
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return { child, output: () => output };
}

/** Runs a short `fiscal` command to completion (migrate, config, ...). */
export function runFiscal(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const { child, output } = spawnFiscal(args, env);
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output: output() });
    });
  });
}
