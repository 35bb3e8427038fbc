import { Counter, type Registry } from 'prom-client';

/** A database's running statement count in this process. */
export interface StatementTally {
  count: number;
}

interface Reported extends StatementTally {
  reported: number;
}

const talliesByRegistry = new WeakMap<Registry, Map<string, Reported>>();

/**
 * The tally a database's statements are counted on, exposed as `db_statements_total{database}`.
 * A statement costs one increment of a plain number; the counter catches up when it is scraped,
 * so the hot path never hashes labels (DESIGN §14: SQL statements per invoice per process).
 */
export function statementTally(registry: Registry, database: string): StatementTally {
  let tallies = talliesByRegistry.get(registry);
  if (!tallies) {
    const created = new Map<string, Reported>();
    tallies = created;
    talliesByRegistry.set(registry, created);
    new Counter({
      name: 'db_statements_total',
      help: 'SQL statements sent, transaction control (begin, commit, rollback) included, by database (embedded mode: by schema)',
      labelNames: ['database'],
      registers: [registry],
      collect() {
        for (const [name, tally] of created) {
          this.inc({ database: name }, tally.count - tally.reported);
          tally.reported = tally.count;
        }
      },
    });
  }
  let tally = tallies.get(database);
  if (!tally) {
    tally = { count: 0, reported: 0 };
    tallies.set(database, tally);
  }
  return tally;
}
