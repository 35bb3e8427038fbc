/**
 * The Standard Webhooks schedule: after the first attempt fails, retries after 5 s, 5 min, 30 min,
 * 2 h, 5 h, 10 h and 10 h; eight attempts over about a day and a day's outage.
 */
export const standardRetrySchedule: readonly number[] = [
  5_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3_600_000,
  5 * 3_600_000,
  10 * 3_600_000,
  10 * 3_600_000,
];

export type AttemptVerdict =
  | { status: 'delivered' }
  | { status: 'pending'; nextAttemptAt: Date }
  | { status: 'dead_lettered' };

/** What follows attempt number `attempt` (1 for the first) of a delivery. */
export function verdictAfter(
  attempt: number,
  succeeded: boolean,
  schedule: readonly number[],
  now: Date,
): AttemptVerdict {
  if (succeeded) return { status: 'delivered' };
  const delay = schedule[attempt - 1];
  if (delay === undefined) return { status: 'dead_lettered' };
  return { status: 'pending', nextAttemptAt: new Date(now.getTime() + delay) };
}
