import { type Kysely, sql } from 'kysely';

const refreshEveryMs = 60_000;
/** Clock difference allowed between this process and the database, which stamps `created_at`. */
const clockMarginMs = 5 * 60_000;

interface Partition {
  name: string;
  isDefault: boolean;
  /** The range of `created_at` it holds, when its bound reads as one (epoch ms). */
  range?: { from: number; to: number };
}

/**
 * The tables the relay claims from, oldest first: the outbox itself, or, when it is partitioned (by
 * the time each event was recorded), the partitions new events land in (the one holding now) and
 * those that held unpublished events when last looked at (once a minute): a backlog, a parked row,
 * an event that fell into the default partition. Years of monthly partitions then cost a claim
 * one statement, not one each.
 *
 * Claiming a table (partition) at a time also keeps the plan simple: over the partitioned parent,
 * `order by id limit n` among the unpublished is planned from statistics, and without them (a new
 * month, or PGlite, which never gathers any) PostgreSQL sorted every unpublished row of every
 * partition to take the first hundred: 42 ms at a backlog of 20,000, growing with it.
 */
// biome-ignore lint/suspicious/noExplicitAny: the relay reads only the outbox table of any service
export function outboxTables(db: Kysely<any>): () => Promise<readonly string[]> {
  let partitions: readonly Partition[] = [];
  let withBacklog = new Set<string>();
  let readAt = Number.NEGATIVE_INFINITY;

  async function read(): Promise<void> {
    const { rows } = await sql<{ name: string; bound: string }>`
      select c.relname as name, pg_get_expr(c.relpartbound, c.oid) as bound
        from pg_inherits i join pg_class c on c.oid = i.inhrelid
       where i.inhparent = 'outbox'::regclass`.execute(db);
    partitions = rows.map(partitionOf).sort(byRange);
    withBacklog = new Set();
    if (partitions.length > 0) {
      const backlog = await sql<{ name: string }>`
        select tableoid::regclass::text as name from outbox where published_at is null group by 1`.execute(
        db,
      );
      // regclass text is schema-qualified or quoted when it must be; compare the bare names.
      for (const { name } of backlog.rows) withBacklog.add(name.replace(/^.*\./, '').replace(/"/g, ''));
    }
    readAt = Date.now();
  }

  return async () => {
    if (Date.now() - readAt >= refreshEveryMs) await read();
    if (partitions.length === 0) return ['outbox'];
    const now = Date.now();
    return partitions
      .filter(
        (partition) =>
          withBacklog.has(partition.name) ||
          (partition.range
            ? partition.range.from <= now + clockMarginMs && now - clockMarginMs < partition.range.to
            : !partition.isDefault),
      )
      .map((partition) => partition.name);
  };
}

const rangeBound = /^FOR VALUES FROM \('([^']+)'\) TO \('([^']+)'\)$/;

function partitionOf({ name, bound }: { name: string; bound: string }): Partition {
  if (bound === 'DEFAULT') return { name, isDefault: true };
  const match = rangeBound.exec(bound);
  const [from, to] = [match?.[1], match?.[2]].map((text) => (text ? instantOf(text) : Number.NaN));
  if (from === undefined || to === undefined || Number.isNaN(from) || Number.isNaN(to)) {
    return { name, isDefault: false };
  }
  return { name, isDefault: false, range: { from, to } };
}

/** `2026-12-01 00:00:00+00`, as PostgreSQL prints a timestamptz bound, to epoch ms. */
function instantOf(text: string): number {
  return Date.parse(text.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00'));
}

/** Ranges in time order, then the partitions without one, the default last. */
function byRange(left: Partition, right: Partition): number {
  const rank = (partition: Partition) => (partition.isDefault ? 2 : partition.range ? 0 : 1);
  return rank(left) - rank(right) || (left.range?.from ?? 0) - (right.range?.from ?? 0);
}
