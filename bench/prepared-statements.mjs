// PostgreSQL's CPU per statement with and without the kit's prepared statements, on the short
// statements services run (a read by key, a version-guarded update), 8 connections in parallel.
// Run after `npm run build`: node bench/prepared-statements.mjs [statements]
import { readdirSync, readFileSync } from 'node:fs';
import pg from 'pg';
import { preparingStatements } from '../packages/kit/dist/db/prepared-statements.js';

const url = process.env.FISCAL_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const statements = Number(process.argv[2] ?? 40_000);
const clockTicksPerSecond = 100;

/** CPU ticks of every PostgreSQL process alive now (the pool's backends stay alive through a run). */
function postgresTicks() {
  let ticks = 0;
  for (const pid of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    try {
      if (!readFileSync(`/proc/${pid}/comm`, 'utf8').startsWith('postgres')) continue;
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // The process ended between listing and reading.
    }
  }
  return ticks;
}

async function run(label, pool) {
  await pool.query(
    'create table if not exists bench_accounts (id int primary key, owner text, balance numeric, version int)',
  );
  await pool.query('truncate bench_accounts');
  await pool.query("insert into bench_accounts select g, 'o' || g, 100, 1 from generate_series(1, 1000) g");
  await pool.query('select 1 from bench_accounts limit 1');
  const pairs = statements / 2;
  let next = 0;
  const ticksBefore = postgresTicks();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < pairs) {
        const id = 1 + (next++ % 1000);
        await pool.query(
          'select id, owner, balance::text as balance, version from bench_accounts where id = $1 and owner = $2',
          [id, `o${id}`],
        );
        await pool.query(
          'update bench_accounts set balance = balance + $1, version = version + 1 where id = $2 and version >= $3',
          [1, id, 0],
        );
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const postgresMicros = ((postgresTicks() - ticksBefore) / clockTicksPerSecond / statements) * 1e6;
  await pool.query('drop table bench_accounts');
  await pool.end();
  console.log(
    `${label}  ${(statements / seconds).toFixed(0).padStart(6)} statements/s  PostgreSQL ${postgresMicros.toFixed(0).padStart(4)} µs CPU/statement`,
  );
  return postgresMicros;
}

for (let round = 1; round <= 2; round++) {
  const plain = await run('plain   ', new pg.Pool({ connectionString: url, max: 8 }));
  const prepared = await run('prepared', preparingStatements(new pg.Pool({ connectionString: url, max: 8 })));
  console.log(
    `run ${round}: prepared / plain PostgreSQL CPU per statement = ${(prepared / plain).toFixed(2)}`,
  );
}
