import type { Redis } from 'ioredis';
import type { QuotaBucket, QuotaUsage } from '../app/quotas.js';

export interface QuotaBudgetOptions {
  client: Redis;
  /** Prepended to every counter key. */
  keyPrefix: string;
  windowMs: number;
  /**
   * The largest share of a quota a replica takes at a time, and the fewest requests it takes
   * (unless the quota is smaller); together they bound what a replica may hold unspent.
   */
  budgetShare?: number;
  maximumBudget?: number;
  /** Unspent requests are given back once their caller has sent this replica none for this long. */
  idleReturnMs?: number;
  /** A caller whose quota is spent is asked about again at most this often, not per refused request. */
  spentRecheckMs?: number;
  now?: () => number;
}

/** Requests taken from the shared counter and not yet spent, for one caller in one window. */
interface Budget {
  /** The counter they were taken from (the window is part of its name). */
  counterKey: string;
  limit: number;
  unspent: number;
  /** What the shared counter had left for everyone when this replica last took from it. */
  sharedRemaining: number;
  windowEndsAt: number;
  lastChargedAt: number;
  /** Nothing was left to take: refuse without asking again until then. */
  spentUntil: number;
  taking?: Promise<void>;
}

export const defaultBudgetShare = 0.02;
export const defaultMaximumBudget = 100;
export const defaultIdleReturnMs = 1_000;

/**
 * Takes up to ARGV[2] requests from the caller's counter in the current window (by Redis' clock, so
 * replicas agree on windows), never past the limit ARGV[1]. Returns what it took, the counter's
 * total after it, the ms left in the window and the window's number.
 */
const takeScript = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local windowMs = tonumber(ARGV[3])
local window = math.floor(now / windowMs)
local key = KEYS[1] .. ':' .. window
local used = tonumber(redis.call('GET', key) or '0')
local taken = math.min(tonumber(ARGV[2]), tonumber(ARGV[1]) - used)
if taken > 0 then
  used = redis.call('INCRBY', key, taken)
  redis.call('PEXPIRE', key, windowMs * 2)
else
  taken = 0
end
return { taken, used, (window + 1) * windowMs - now, window }`;

/** Gives back up to ARGV[1] unspent requests to a window's counter, if the window still exists. */
const giveBackScript = `
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
local back = math.min(used, tonumber(ARGV[1]))
if back > 0 then redis.call('DECRBY', KEYS[1], back) end
return back`;

type QuotaCommands = {
  takeQuota(
    key: string,
    limit: number,
    wanted: number,
    windowMs: number,
  ): Promise<[number, number, number, number]>;
  giveBackQuota(key: string, requests: number): Promise<number>;
};

export interface QuotaBudgets {
  /** Charges one request from what this replica holds, when it can decide without Redis. */
  chargeLocally(bucket: QuotaBucket, key: string): QuotaUsage | undefined;
  /** Charges one request; rejects when the shared counter could not be reached. */
  charge(bucket: QuotaBucket, key: string, limit: number): Promise<QuotaUsage>;
  /** Gives every unspent request back (graceful shutdown). */
  close(): Promise<void>;
}

/**
 * Per-caller quotas counted in Redis without a round trip per request: a replica takes a slice of
 * the caller's quota from the shared counter (atomically, never past the limit) and spends it in
 * memory, taking another when it runs out, and gives back what its caller left unspent once the
 * caller has been idle on it for `idleReturnMs`. Across replicas the quota is never exceeded; a
 * caller whose requests move between replicas may be refused early by at most what the other
 * replicas hold unspent (a slice each: `budgetShare` of the quota, at most `maximumBudget`), and
 * only until they give it back.
 */
export function createQuotaBudgets(options: QuotaBudgetOptions): QuotaBudgets {
  const { client, keyPrefix, windowMs } = options;
  const now = options.now ?? Date.now;
  const budgetShare = options.budgetShare ?? defaultBudgetShare;
  const maximumBudget = options.maximumBudget ?? defaultMaximumBudget;
  const idleReturnMs = options.idleReturnMs ?? defaultIdleReturnMs;
  const spentRecheckMs = options.spentRecheckMs ?? idleReturnMs;
  const commands = defineCommands(client);
  const budgets = new Map<string, Budget>();

  const sweeper = setInterval(() => void giveBackIdle(now() - idleReturnMs), Math.max(10, idleReturnMs / 2));
  sweeper.unref();

  function sliceOf(limit: number): number {
    return Math.max(1, Math.min(maximumBudget, Math.floor(limit * budgetShare)));
  }

  async function take(budget: Budget, counter: string, limit: number): Promise<void> {
    // Refused at once while disconnected, instead of queueing behind ioredis' reconnection.
    if (client.status !== 'ready') throw new Error('the rate-limit store is not connected');
    const [taken, used, windowLeftMs, window] = await commands.takeQuota(
      counter,
      limit,
      sliceOf(limit),
      windowMs,
    );
    const counterKey = `${counter}:${window}`;
    const at = now();
    if (counterKey !== budget.counterKey) {
      // A new window: what was left of the old one expired with it.
      budget.counterKey = counterKey;
      budget.unspent = 0;
    }
    budget.unspent += taken;
    budget.sharedRemaining = Math.max(0, limit - used);
    budget.windowEndsAt = at + windowLeftMs;
    budget.spentUntil = taken === 0 ? at + Math.min(spentRecheckMs, windowLeftMs) : 0;
  }

  function giveBack(budget: Budget): Promise<unknown> {
    const requests = budget.unspent;
    budget.unspent = 0;
    if (requests === 0) return Promise.resolve();
    // A give-back that fails leaves the requests counted until the window ends: refusing a little
    // early is the safe side of a quota.
    return commands.giveBackQuota(budget.counterKey, requests).catch(() => undefined);
  }

  async function giveBackIdle(idleSince: number): Promise<void> {
    const returns: Promise<unknown>[] = [];
    for (const [name, budget] of budgets) {
      if (budget.taking || budget.lastChargedAt > idleSince) continue;
      budgets.delete(name);
      if (now() < budget.windowEndsAt) returns.push(giveBack(budget));
    }
    await Promise.all(returns);
  }

  return {
    chargeLocally(bucket, key) {
      const budget = budgets.get(`${keyPrefix}${bucket}:${key}`);
      const at = now();
      if (!budget || at >= budget.windowEndsAt) return undefined;
      budget.lastChargedAt = at;
      if (budget.unspent > 0) {
        budget.unspent -= 1;
        return usageOf(budget, at, false);
      }
      return at < budget.spentUntil ? usageOf(budget, at, true) : undefined;
    },
    async charge(bucket, key, limit) {
      const counter = `${keyPrefix}${bucket}:${key}`;
      for (;;) {
        const at = now();
        let budget = budgets.get(counter);
        if (!budget || at >= budget.windowEndsAt) {
          budget = newBudget(limit);
          budgets.set(counter, budget);
        }
        budget.lastChargedAt = at;
        if (budget.unspent > 0) {
          budget.unspent -= 1;
          return usageOf(budget, at, false);
        }
        if (at < budget.spentUntil) return usageOf(budget, at, true);
        // Charges arriving while a slice is being taken wait for it rather than take their own.
        const slice = budget;
        slice.taking ??= take(slice, counter, limit).finally(() => {
          slice.taking = undefined;
        });
        await slice.taking;
      }
    },
    async close() {
      clearInterval(sweeper);
      await giveBackIdle(Number.POSITIVE_INFINITY);
    },
  };
}

function newBudget(limit: number): Budget {
  return {
    counterKey: '',
    limit,
    unspent: 0,
    sharedRemaining: limit,
    windowEndsAt: Number.POSITIVE_INFINITY,
    lastChargedAt: 0,
    spentUntil: 0,
  };
}

function usageOf(budget: Budget, at: number, exceeded: boolean): QuotaUsage {
  return {
    limit: budget.limit,
    remaining: exceeded ? 0 : budget.sharedRemaining + budget.unspent,
    resetSeconds: Math.max(1, Math.ceil((budget.windowEndsAt - at) / 1_000)),
    exceeded,
  };
}

function defineCommands(client: Redis): QuotaCommands {
  const commands = client as Redis & Partial<QuotaCommands>;
  if (!commands.takeQuota) client.defineCommand('takeQuota', { numberOfKeys: 1, lua: takeScript });
  if (!commands.giveBackQuota)
    client.defineCommand('giveBackQuota', { numberOfKeys: 1, lua: giveBackScript });
  return commands as unknown as QuotaCommands;
}
