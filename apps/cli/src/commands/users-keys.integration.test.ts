import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { authMigrations, createArgon2PasswordHasher } from '@fiscal/auth';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openAuthDatabase, runKeys } from './keys.js';
import { runUsers } from './users.js';

describe('fiscal users and fiscal keys on the embedded auth database', () => {
  let dataDir: string;
  const saved = { ...process.env };

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'fiscal-cli-auth-'));
    process.env.FISCAL_DATA_DIR = dataDir;
    delete process.env.FISCAL_DATABASE_URL;
    // The embedded database is created here, where a slow machine has the hook's minute for it,
    // and each command below opens what exists.
    const auth = await openAuthDatabase();
    try {
      await auth.database.migrate(authMigrations);
    } finally {
      await auth.close();
    }
  });
  afterAll(async () => {
    process.env = saved;
    await rm(dataDir, { recursive: true, force: true });
  });

  const printed = async (run: () => Promise<number>) => {
    const lines: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
    const error = vi.spyOn(console, 'error').mockImplementation((line: string) => void lines.push(line));
    try {
      return { code: await run(), lines };
    } finally {
      log.mockRestore();
      error.mockRestore();
    }
  };

  it('rotates keys, naming the one that still verifies', async () => {
    const first = await printed(() => runKeys(['rotate']));
    expect(first.code).toBe(0);
    const second = await printed(() => runKeys(['rotate']));
    expect(second.lines[0]).toMatch(/sig_\w+ signs from now on; sig_\w+ still verifies/);
  });

  it('creates a user whose generated password, printed once, is the one stored (hashed)', async () => {
    const auth = await openAuthDatabase();
    try {
      await auth.database.migrate(authMigrations);
      await sql`insert into organizations (id, name, tier) values ('org_cli', 'CLI Co', 'pro')`.execute(
        auth.database.db,
      );
    } finally {
      await auth.close();
    }

    const result = await printed(() =>
      runUsers(['create', '--org', 'org_cli', '--email', 'Ops@CLI.test', '--role', 'analyst']),
    );

    expect(result.code).toBe(0);
    const user = JSON.parse(result.lines[0]!) as Record<string, unknown>;
    expect(user).toMatchObject({ orgId: 'org_cli', role: 'analyst', status: 'active' });
    expect(JSON.stringify(user)).not.toMatch(/password|hash/i);
    const password = /^password: (\S+)$/.exec(result.lines[1] ?? '')?.[1];
    expect(password).toBeDefined();
    const stored = await openAuthDatabase();
    try {
      const { rows } = await sql<{ password_hash: string }>`
        select password_hash from users where org_id = 'org_cli'`.execute(stored.database.db);
      expect(await createArgon2PasswordHasher().verify(rows[0]!.password_hash, password!)).toBe(true);
    } finally {
      await stored.close();
    }
  });

  it.each([
    ['Password1', /\/password: is too common/],
    ['qwertyuiop', /\/password: is too common/],
    ['        ', /\/password: must have visible characters/],
  ])('refuses %j read from stdin, naming the field and why', async (password, why) => {
    const auth = await openAuthDatabase();
    try {
      await auth.database.migrate(authMigrations);
      await sql`insert into organizations (id, name, tier) values ('org_weak', 'Weak Co', 'pro')
                on conflict do nothing`.execute(auth.database.db);
    } finally {
      await auth.close();
    }
    const stdin = Object.getOwnPropertyDescriptor(process, 'stdin')!;
    Object.defineProperty(process, 'stdin', {
      value: Readable.from([Buffer.from(`${password}\n`)]),
      configurable: true,
    });
    try {
      const args = ['create', '--org', 'org_weak', '--email', 'weak@cli.test', '--role', 'viewer'];
      const result = await printed(() => runUsers([...args, '--password-stdin']));
      expect(result.code).toBe(1);
      expect(result.lines.join('\n')).toMatch(why);
    } finally {
      Object.defineProperty(process, 'stdin', stdin);
    }
  });

  it('refuses a user in an organisation that does not exist, naming the problem', async () => {
    const result = await printed(() =>
      runUsers(['create', '--org', 'org_missing', '--email', 'a@b.test', '--role', 'admin']),
    );
    expect(result.code).toBe(1);
    expect(result.lines.join('\n')).toContain('org_missing');
  });

  it('answers a usage line and exit code 2 for an incomplete command', async () => {
    expect((await printed(() => runUsers(['create', '--email', 'a@b.test']))).code).toBe(2);
    expect((await printed(() => runKeys(['spin']))).code).toBe(2);
  });
});
