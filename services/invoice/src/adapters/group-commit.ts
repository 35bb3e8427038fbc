import { AsyncLocalStorage } from 'node:async_hooks';

export interface GroupCommitOptions<Call, Result> {
  /** Writes the calls of one group together; one result per call, in order. */
  write(calls: readonly Call[]): Promise<Result[]>;
  /** How much of a group's limit a call takes (its rows); 1 by default. */
  sizeOf?(call: Call): number;
  /** The most a group holds, unless a single call is bigger. */
  limit: number;
}

interface Waiting<Call, Result> {
  call: Call;
  /** Runs work in the caller's async context (its trace, its log context). */
  inCallerContext: <T>(work: () => T) => T;
  resolve(result: Result): void;
  reject(error: unknown): void;
}

/**
 * Group commit: while a group is being written, the calls that arrive wait, and they are written
 * together in the next group, so the writes of many concurrent callers cost the statements of one.
 * There is no timer: a lone call is written at once (after the calls of the same turn of the event
 * loop, which join it), and the wait of a call is at most the writing of the group before it. A
 * group that fails is written again one call at a time, so a call fails only for a fault of its own.
 */
export function createGroupCommit<Call, Result>(
  options: GroupCommitOptions<Call, Result>,
): (call: Call) => Promise<Result> {
  const sizeOf = options.sizeOf ?? (() => 1);
  const waiting: Waiting<Call, Result>[] = [];
  let writing = false;

  function takeGroup(): Waiting<Call, Result>[] {
    const group = [waiting.shift()!];
    let size = sizeOf(group[0]!.call);
    while (waiting.length > 0 && size + sizeOf(waiting[0]!.call) <= options.limit) {
      const next = waiting.shift()!;
      size += sizeOf(next.call);
      group.push(next);
    }
    return group;
  }

  async function writeGroup(group: readonly Waiting<Call, Result>[]): Promise<void> {
    try {
      // The group is written in its first caller's context: that request's trace shows the statements.
      const results = await group[0]!.inCallerContext(() => options.write(group.map((entry) => entry.call)));
      for (const [index, entry] of group.entries()) entry.resolve(results[index]!);
    } catch (error) {
      if (group.length === 1) {
        group[0]!.reject(error);
        return;
      }
      for (const entry of group) await writeGroup([entry]);
    }
  }

  async function writeWaiting(): Promise<void> {
    while (waiting.length > 0) await writeGroup(takeGroup());
    writing = false;
  }

  return (call) =>
    new Promise<Result>((resolve, reject) => {
      waiting.push({ call, resolve, reject, inCallerContext: AsyncLocalStorage.snapshot() });
      if (writing) return;
      writing = true;
      setImmediate(() => void writeWaiting());
    });
}
