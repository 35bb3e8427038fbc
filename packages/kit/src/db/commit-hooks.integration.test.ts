import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testing/databases.js';
import { afterCommit } from './commit-hooks.js';

describe('afterCommit', () => {
  let test: TestDatabase<Record<string, never>>;

  beforeAll(async () => {
    test = await createTestDatabase('pglite', 'commit_hooks_test');
  });
  afterAll(async () => {
    await test?.dispose();
  });

  it('runs a hook once the transaction committed, with its database connection', async () => {
    const calls: object[] = [];
    await test.database.transaction(async (trx) => {
      expect(afterCommit(trx, (connection) => calls.push(connection))).toBe(true);
      await sql`select 1`.execute(trx);
      expect(calls).toEqual([]);
    });
    expect(calls).toEqual([test.database.db]);
  });

  it('runs nothing for a transaction that rolled back', async () => {
    let calls = 0;
    await expect(
      test.database.transaction(async (trx) => {
        afterCommit(trx, () => {
          calls += 1;
        });
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(calls).toBe(0);
  });

  it('registers nothing outside a transaction, and says so', () => {
    expect(afterCommit(test.database.db, () => undefined)).toBe(false);
  });

  it('commits whatever a hook throws', async () => {
    const result = await test.database.transaction(async (trx) => {
      afterCommit(trx, () => {
        throw new Error('a hook failed');
      });
      return 'committed';
    });
    expect(result).toBe('committed');
  });
});
