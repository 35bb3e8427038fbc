import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

/** Where embedded mode keeps the operator token it generated, beside its data. */
export const adminTokenFile = 'admin-token';

/**
 * The operator token of a local `fiscal start`: the one generated at its first start, or a new one
 * (256 random bits) written now, readable by this user only, so `fiscal dlq` on the same machine
 * works without configuring anything.
 */
export async function ensureAdminToken(dataDir: string): Promise<{ token: string; file: string }> {
  const file = join(resolve(dataDir), adminTokenFile);
  const existing = await readAdminToken(dataDir);
  if (existing) return { token: existing, file };
  await mkdir(resolve(dataDir), { recursive: true });
  const token = randomBytes(32).toString('base64url');
  await writeFile(file, `${token}\n`, { mode: 0o600 });
  // `mode` applies only when the file is created; a leftover empty file must not stay readable.
  await chmod(file, 0o600);
  return { token, file };
}

/** The token a local `fiscal start` wrote under `dataDir`, if there is one. */
export async function readAdminToken(dataDir: string): Promise<string | undefined> {
  try {
    return (await readFile(join(resolve(dataDir), adminTokenFile), 'utf8')).trim() || undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
