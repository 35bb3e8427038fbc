import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fiscalApi } from '../api-client.js';
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
  const { data, error, response } = await fiscalApi(baseUrl)
    .POST('/api/v1/auth/login', { body: { email: credentials.email, password } })
    .catch((error: unknown) => {
      const cause = (error as { cause?: { message?: string } }).cause?.message ?? String(error);
      throw new CommandLineError(`fiscal: cannot reach ${baseUrl} (${cause})`, 1);
    });
  if (!data) {
    const detail = typeof error === 'object' && error && 'detail' in error ? error.detail : '';
    throw new CommandLineError(
      `fiscal: login as ${credentials.email} failed (${response.status}): ${detail}`,
      1,
    );
  }
  return `Bearer ${data.accessToken}`;
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
