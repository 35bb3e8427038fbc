/**
 * Work that waits for a transaction's commit, registered by code that only holds the transaction
 * (an outbox append wakes its relay this way). `Database.transaction` opens a list for each
 * transaction it runs and calls it once the commit has succeeded; a rolled-back transaction calls
 * nothing.
 */
const openTransactions = new WeakMap<object, { connection: object; hooks: (() => void)[] }>();

/**
 * Calls `hook` once `trx` has committed, with the Kysely instance of the database it committed on.
 * Outside a transaction `Database.transaction` opened (a bare connection, whose statements commit
 * as they run), nothing is registered and the caller is told so (`false`).
 */
export function afterCommit(trx: object, hook: (connection: object) => void): boolean {
  const transaction = openTransactions.get(trx);
  if (!transaction) return false;
  transaction.hooks.push(() => hook(transaction.connection));
  return true;
}

/** Runs `work` in a transaction whose commit hooks run once it resolved (committed). */
export async function withCommitHooks<T, Trx extends object>(
  connection: object,
  execute: (work: (trx: Trx) => Promise<T>) => Promise<T>,
  work: (trx: Trx) => Promise<T>,
): Promise<T> {
  const hooks: (() => void)[] = [];
  const result = await execute((trx) => {
    openTransactions.set(trx, { connection, hooks });
    return work(trx);
  });
  for (const hook of hooks) {
    try {
      hook();
    } catch {
      // A hook is a nudge (wake a relay): the commit it follows stands whatever it does.
    }
  }
  return result;
}
