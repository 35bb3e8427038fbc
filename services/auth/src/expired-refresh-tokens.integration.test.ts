import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expiredRefreshTokensClearedPerIssue } from './app/issue-token-pair.js';
import {
  type AuthHarness,
  bootstrapEmail,
  bootstrapPassword,
  engineAvailable,
  engines,
  startAuthHarness,
} from './testing/index.js';

describe.each(engines)('refresh tokens on %s', (engine) => {
  let auth: AuthHarness;

  beforeAll(async () => {
    if (engineAvailable(engine)) auth = await startAuthHarness(engine);
  });
  afterAll(async () => auth?.close());

  it.skipIf(!engineAvailable(engine))('are cleared once expired, a few with every one issued', async () => {
    const db = auth.test.database.db;
    const login = () => auth.client.login({ email: bootstrapEmail, password: bootstrapPassword });
    await login();
    const expired = 5 * expiredRefreshTokensClearedPerIssue;
    await sql`insert into refresh_tokens (id, token_hash, family_id, user_id, expires_at)
      select 'rtk_old_' || n, 'hash_' || n, 'family_' || n, user_id, now() - interval '1 day'
        from generate_series(1, ${expired}) as n,
             (select user_id from refresh_tokens limit 1) as owner`.execute(db);
    const count = async (which: 'expired' | 'live') => {
      const { rows } = await sql<{ count: string }>`select count(*) as count from refresh_tokens
        where (expires_at < now()) = ${which === 'expired'}`.execute(db);
      return Number(rows[0]!.count);
    };
    expect(await count('expired')).toBe(expired);

    for (let n = 0; n < 5; n++) await login();

    expect(await count('expired')).toBe(0);
    expect(await count('live')).toBe(6);
  });
});
