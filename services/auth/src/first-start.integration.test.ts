import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, parseConfig } from '@fiscal/kit/config';
import { afterAll, describe, expect, it } from 'vitest';
import { initialPasswordFile } from './adapters/fs-initial-password.js';
import { createAuthService } from './main.js';
import { authConfig } from './settings.js';
import { startAuthHarness } from './testing/index.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('bootstrap administrator', () => {
  it('with no password set, one is generated, shown once and written to the data dir (0600); it logs in', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'fiscal-auth-'));
    dirs.push(dataDir);
    const auth = await startAuthHarness('pglite', {
      dataDir,
      settings: { FISCAL_BOOTSTRAP_ADMIN_EMAIL: '', FISCAL_BOOTSTRAP_ADMIN_PASSWORD: '' },
    });
    try {
      const file = join(dataDir, initialPasswordFile);
      const password = (await readFile(file, 'utf8')).trim();
      expect(password.length).toBeGreaterThanOrEqual(20);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect(auth.announced).toHaveLength(1);
      expect(auth.announced[0]).toContain('admin@localhost');
      expect(auth.announced[0]).toContain(password);
      const { tokens } = await auth.client.login({ email: 'admin@localhost', password, clientIp: '' });
      expect(tokens?.accessToken).toBeTruthy();

      // A second replica on the same database finds the administrator and creates nothing.
      const announced: string[] = [];
      const { pino } = await import('pino');
      const { Registry } = await import('prom-client');
      const { createMemoryCache } = await import('@fiscal/kit/cache');
      const { parseConfig } = await import('@fiscal/kit/config');
      const { authConfig } = await import('./settings.js');
      const registry = new Registry();
      const replica = await createAuthService({
        database: auth.test.database,
        revocations: createMemoryCache({ name: 'revocations', registry, maxEntries: 10 }),
        publisher: { publish: async () => {} },
        settings: parseConfig(authConfig, {}),
        logger: pino({ level: 'silent' }),
        registry,
        dataDir,
        announce: (text) => announced.push(text),
      });
      await replica.start();
      await replica.stop();
      await replica.flush?.();
      expect(announced).toEqual([]);
      const created = (await auth.outboxEvents()).filter((event) => event.type === 'auth.user.created');
      expect(created).toHaveLength(1);
      expect(created[0]?.data).toMatchObject({ role: 'admin' });
    } finally {
      await auth.close();
    }
  });

  it('in memory (no data dir) the password is only shown; with a configured password nothing is shown', async () => {
    const generated = await startAuthHarness('pglite', {
      settings: { FISCAL_BOOTSTRAP_ADMIN_EMAIL: '', FISCAL_BOOTSTRAP_ADMIN_PASSWORD: '' },
    });
    const configured = await startAuthHarness('pglite');
    try {
      expect(generated.announced).toHaveLength(1);
      expect(generated.announced[0]).not.toContain('also in');
      expect(configured.announced).toEqual([]);
    } finally {
      await generated.close();
      await configured.close();
    }
  });

  it.each([
    ['password', /too common/],
    ['Password1', /too common/],
    ['qwertyuiop', /too common/],
    ['11111111', /at least 5 different characters/],
    ['          ', /visible characters/],
    ['short', /8 to 1024 characters/],
  ])(
    'a weak FISCAL_BOOTSTRAP_ADMIN_PASSWORD (%j) stops start-up with one line saying why',
    (password, why) => {
      const refusal = (() => {
        try {
          parseConfig(authConfig, { FISCAL_BOOTSTRAP_ADMIN_PASSWORD: password });
        } catch (error) {
          return error;
        }
      })();

      expect(refusal).toBeInstanceOf(ConfigError);
      const { problems } = refusal as ConfigError;
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^FISCAL_BOOTSTRAP_ADMIN_PASSWORD: expected a stronger password/);
      expect(problems[0]).toMatch(why);
      // A secret is never echoed back, not even a weak one.
      expect(problems[0]).not.toContain(`"${password}"`);
    },
  );
});
