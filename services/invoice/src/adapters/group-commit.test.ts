import { AsyncLocalStorage } from 'node:async_hooks';
import { describe, expect, it } from 'vitest';
import { createGroupCommit } from './group-commit.js';

/** A write that records each group it was given, and fails any group holding `poison`. */
function recordingWrite(options: { delayMs?: number } = {}) {
  const groups: string[][] = [];
  const write = async (calls: readonly string[]) => {
    groups.push([...calls]);
    await new Promise((resolve) => setTimeout(resolve, options.delayMs ?? 0));
    if (calls.includes('poison')) throw new Error('the group holds a poison call');
    return calls.map((call) => `written ${call}`);
  };
  return { groups, write };
}

describe('group commit', () => {
  it('writes a lone call at once, in a group of its own', async () => {
    const { groups, write } = recordingWrite();
    const submit = createGroupCommit({ write, limit: 10 });
    expect(await submit('a')).toBe('written a');
    expect(groups).toEqual([['a']]);
  });

  it('writes the calls that arrive while a group is being written together, in the next group', async () => {
    const { groups, write } = recordingWrite({ delayMs: 20 });
    const submit = createGroupCommit({ write, limit: 10 });
    const first = submit('a');
    await new Promise((resolve) => setTimeout(resolve, 5));
    const later = ['b', 'c', 'd'].map((call) => submit(call));
    expect(await Promise.all([first, ...later])).toEqual([
      'written a',
      'written b',
      'written c',
      'written d',
    ]);
    expect(groups).toEqual([['a'], ['b', 'c', 'd']]);
  });

  it('keeps a group within its limit, counting each call by its size', async () => {
    const { groups, write } = recordingWrite();
    const submit = createGroupCommit({ write, limit: 5, sizeOf: (call: string) => call.length });
    await Promise.all(['aaa', 'bb', 'c', 'dddddd', 'e'].map((call) => submit(call)));
    expect(groups).toEqual([['aaa', 'bb'], ['c'], ['dddddd'], ['e']]);
  });

  it('fails only the call at fault: a failed group is written again one call at a time', async () => {
    const { groups, write } = recordingWrite();
    const submit = createGroupCommit({ write, limit: 10 });
    const outcomes = await Promise.allSettled(['a', 'poison', 'b'].map((call) => submit(call)));
    expect(outcomes).toEqual([
      { status: 'fulfilled', value: 'written a' },
      { status: 'rejected', reason: expect.objectContaining({ message: 'the group holds a poison call' }) },
      { status: 'fulfilled', value: 'written b' },
    ]);
    expect(groups).toEqual([['a', 'poison', 'b'], ['a'], ['poison'], ['b']]);
  });

  it("writes a group in its first caller's async context", async () => {
    const requests = new AsyncLocalStorage<string>();
    const seen: (string | undefined)[] = [];
    const submit = createGroupCommit({
      write: async (calls: readonly string[]) => {
        seen.push(requests.getStore());
        return [...calls];
      },
      limit: 10,
    });
    await Promise.all([
      requests.run('request 1', () => submit('a')),
      requests.run('request 2', () => submit('b')),
    ]);
    expect(seen).toEqual(['request 1']);
  });
});
