// How much does an embedded PostgreSQL (PGlite) cost to start, and what does one more instance
// add? This decides whether embedded mode runs one PGlite per service or one shared instance
// with a schema per service. Run: node bench/pglite-startup.mjs [instances=3]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';

const instances = Number(process.argv[2] ?? 3);
const mb = (bytes) => Math.round(bytes / 1e6);

async function timeOpen(dataDir) {
  const start = performance.now();
  const db = await PGlite.create(dataDir);
  await db.query('select 1');
  return { db, ms: Math.round(performance.now() - start) };
}

const dir = await mkdtemp(join(tmpdir(), 'pglite-bench-'));
const baseline = process.memoryUsage().rss;
const rows = [];
const open = [];
for (let index = 0; index < instances; index++) {
  const { db, ms } = await timeOpen(join(dir, `db${index}`));
  open.push(db);
  rows.push({ instance: index + 1, firstStartMs: ms, rssMb: mb(process.memoryUsage().rss) });
}
await Promise.all(open.map((db) => db.close()));
const reopen = await timeOpen(join(dir, 'db0'));
await reopen.db.close();
await rm(dir, { recursive: true, force: true });

console.table(rows);
console.log(
  JSON.stringify({
    baselineRssMb: mb(baseline),
    addedRssPerInstanceMb: Math.round((rows.at(-1).rssMb - mb(baseline)) / instances),
    firstStartMs: rows.map((row) => row.firstStartMs),
    reopenExistingMs: reopen.ms,
  }),
);
