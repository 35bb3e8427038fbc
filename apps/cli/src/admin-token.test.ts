import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { adminTokenFile, ensureAdminToken, readAdminToken } from './admin-token.js';

describe('embedded mode operator token', () => {
  const dirs: string[] = [];
  const dataDir = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fiscal-admin-token-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(async () => {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('is generated at the first start, readable by its owner only, and kept across starts', async () => {
    const dir = await dataDir();
    expect(await readAdminToken(dir)).toBeUndefined();

    const first = await ensureAdminToken(join(dir, 'not-yet-created'));
    const again = await ensureAdminToken(join(dir, 'not-yet-created'));

    expect(first.token.length).toBeGreaterThanOrEqual(32);
    expect(again.token).toBe(first.token);
    expect(first.file).toBe(join(dir, 'not-yet-created', adminTokenFile));
    expect((await stat(first.file)).mode & 0o777).toBe(0o600);
    expect(await readAdminToken(join(dir, 'not-yet-created'))).toBe(first.token);
  });

  it('replaces an empty leftover file and makes it private', async () => {
    const dir = await dataDir();
    await writeFile(join(dir, adminTokenFile), '', { mode: 0o644 });

    const { token, file } = await ensureAdminToken(dir);

    expect(token.length).toBeGreaterThanOrEqual(32);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });
});
