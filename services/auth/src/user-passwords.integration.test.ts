import { AppError } from '@fiscal/kit/errors';
import { createTestDatabase, type TestDatabase } from '@fiscal/kit/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthSchema } from './adapters/auth-rows.js';
import { type AuthAdministration, openAuthAdministration } from './administration.js';

// The same use case creates users for the API (`POST /api/v1/users`) and for `fiscal users create`.
describe('creating a user with a password the policy refuses', () => {
  let test: TestDatabase<AuthSchema>;
  let administration: AuthAdministration;
  let users = 0;

  beforeAll(async () => {
    test = await createTestDatabase<AuthSchema>('pglite', 'auth');
    administration = await openAuthAdministration(test.database, {});
    await sql`insert into organizations (id, name, tier) values ('org_pw', 'Passwords', 'pro')`.execute(
      test.database.db,
    );
  });
  afterAll(async () => test?.dispose());

  const create = (password: string) => {
    users += 1;
    return administration.createUser({
      orgId: 'org_pw',
      email: `user${users}@passwords.test`,
      password,
      role: 'viewer',
    });
  };

  it.each([
    'password',
    '12345678',
    'qwertyuiop',
    '11111111',
    'Password1',
    'Password1!',
    '        ',
    '\u200b\u200b\u200b\u200b\u200b\u200b\u200b\u200b',
  ])(
    '%j is refused as validation_failed naming /password with weak_password, and no user is created',
    async (password) => {
      const refusal = await create(password).catch((error: unknown) => error);

      expect(refusal).toBeInstanceOf(AppError);
      expect(refusal).toMatchObject({
        kind: 'invalid',
        code: 'validation_failed',
        errors: [{ field: '/password', code: 'weak_password', message: expect.stringMatching(/\w+ \w+/) }],
      });
      const { rows } = await sql<{ count: string }>`select count(*) as count from users`.execute(
        test.database.db,
      );
      expect(Number(rows[0]?.count)).toBe(0);
    },
  );

  it('a short password is still refused for its length', async () => {
    expect(await create('Tr0ub4d').catch((error: unknown) => error)).toMatchObject({
      errors: [{ field: '/password', code: 'invalid_password' }],
    });
  });

  it('a passphrase is accepted', async () => {
    expect(await create('a long passphrase')).toMatchObject({ orgId: 'org_pw', role: 'viewer' });
  });
});
