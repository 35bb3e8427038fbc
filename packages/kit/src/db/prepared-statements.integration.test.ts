import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeService, serviceUrls } from '../testing/services.js';
import { preparingStatements } from './prepared-statements.js';

const available = await probeService('postgres');

describe.skipIf(!available)('prepared statements on PostgreSQL', () => {
  let pool: pg.Pool;
  beforeAll(() => {
    pool = preparingStatements(new pg.Pool({ connectionString: serviceUrls.postgres, max: 1 }));
  });
  afterAll(() => pool.end());

  const preparedOnTheConnection = async () =>
    (await pool.query<{ statement: string }>('select statement from pg_prepared_statements')).rows.map(
      (row) => row.statement,
    );

  it('prepares a data statement once per connection and reuses it, with whatever values', async () => {
    const statement = 'select $1::int + $2::int as sum';
    const sums = [];
    for (const [a, b] of [
      [1, 2],
      [40, 2],
      [-1, 1],
    ]) {
      sums.push((await pool.query<{ sum: number }>(statement, [a, b])).rows[0]!.sum);
    }
    expect(sums).toEqual([3, 42, 0]);
    expect((await preparedOnTheConnection()).filter((text) => text === statement)).toHaveLength(1);
  });

  it('leaves alone what is not worth preparing: control statements and statements of many values', async () => {
    const many = Array.from({ length: 100 }, (_, index) => index);
    const wide = `select count(*) from (values ${many.map((_, index) => `($${index + 1}::int)`).join(', ')}) v`;
    await pool.query(wide, many);
    await pool.query('begin', []);
    await pool.query('commit', []);
    const prepared = await preparedOnTheConnection();
    expect(prepared).not.toContain(wide);
    expect(prepared.some((text) => /^(begin|commit)$/i.test(text))).toBe(false);
  });

  it('stops using a statement by name once a migration changed what it returns', async () => {
    await pool.query('create table if not exists prepared_shape (id int primary key)');
    await pool.query('truncate prepared_shape');
    await pool.query('insert into prepared_shape values ($1)', [1]);
    const read = 'select * from prepared_shape where id = $1';
    expect((await pool.query(read, [1])).rows).toEqual([{ id: 1 }]);
    await pool.query('alter table prepared_shape add column note text');
    // The first execution after the change fails (its work is retried); later ones see the column.
    await pool.query(read, [1]).catch(() => undefined);
    expect((await pool.query(read, [1])).rows).toEqual([{ id: 1, note: null }]);
    await pool.query('drop table prepared_shape');
  });
});
