import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CommandLineError } from '../command-line.js';

export interface ClientCredentials {
  /** An access token or an API key, sent as is. */
  token?: string | undefined;
  email: string;
  /** Without one, the bootstrap admin's password file of the local data directory is read. */
  password?: string | undefined;
  dataDir: string;
}

/**
 * The `Authorization` header a command-line client sends: the token it was given, or one from
 * logging in (by default as the bootstrap admin of a local `fiscal start`, whose password the
 * platform wrote under the data directory).
 */
export async function authorizationFor(baseUrl: string, credentials: ClientCredentials): Promise<string> {
  if (credentials.token) return `Bearer ${credentials.token}`;
  const password = credentials.password ?? (await readBootstrapPassword(credentials.dataDir));
  const response = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: credentials.email, password }),
  }).catch((error: unknown) => {
    const cause = (error as { cause?: { message?: string } }).cause?.message ?? String(error);
    throw new CommandLineError(`fiscal: cannot reach ${baseUrl} (${cause})`, 1);
  });
  const body = (await response.json().catch(() => ({}))) as { accessToken?: string; detail?: string };
  if (!response.ok || !body.accessToken) {
    throw new CommandLineError(
      `fiscal: login as ${credentials.email} failed (${response.status}): ${body.detail ?? ''}`,
      1,
    );
  }
  return `Bearer ${body.accessToken}`;
}

async function readBootstrapPassword(dataDir: string): Promise<string> {
  const file = join(resolve(dataDir), 'initial-admin-password');
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    throw new CommandLineError(
      `fiscal: no token (FISCAL_TOKEN) or password (FISCAL_PASSWORD) given, and ${file} is not readable`,
    );
  }
}
