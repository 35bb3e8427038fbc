import { describe, expect, it } from 'vitest';
import {
  keptProblems,
  maxProblemMessageLength,
  maxProblemPathLength,
  maxProblemsKept,
  ProblemList,
  tooManyProblemsCode,
} from './problem-list.js';
import type { CfdiProblem } from './problems.js';

const problemAt = (index: number): CfdiProblem => ({
  code: 'element_unexpected',
  path: `/cfdi:Comprobante/x[${index}]`,
  message: 'x has no place in Comprobante',
});
const problems = (count: number) => Array.from({ length: count }, (_, index) => problemAt(index + 1));

describe('a problem list', () => {
  it('keeps every problem up to the limit, in order', () => {
    const list = new ProblemList();
    list.pushAll(problems(maxProblemsKept));
    expect(list.toArray()).toEqual(problems(maxProblemsKept));
    expect(list.found).toBe(maxProblemsKept);
  });

  it('keeps the first hundred and ends with one problem counting the rest', () => {
    const list = new ProblemList();
    list.pushAll(problems(100_017));
    const kept = list.toArray();
    expect(kept).toHaveLength(maxProblemsKept + 1);
    expect(kept.slice(0, -1)).toEqual(problems(maxProblemsKept));
    expect(kept.at(-1)).toEqual({
      code: tooManyProblemsCode,
      path: '',
      message: 'and 99917 more problems: only the first 100 are listed',
    });
    expect(list.found).toBe(100_017);
  });

  it('cuts a path and a message a client made huge', () => {
    const list = new ProblemList();
    list.push({ code: 'element_unexpected', path: `/${'x'.repeat(200_000)}`, message: 'y'.repeat(200_000) });
    const [problem] = list.toArray();
    expect(problem!.path.length).toBe(maxProblemPathLength);
    expect(problem!.message.length).toBe(maxProblemMessageLength);
    expect(problem!.path.endsWith('...')).toBe(true);
  });

  it('keeps a verdict of the largest document small', () => {
    const list = new ProblemList();
    for (let index = 0; index < 1_000_000; index++)
      list.push({ code: 'element_unexpected', path: 'p'.repeat(1_000), message: 'm'.repeat(1_000) });
    expect(JSON.stringify(list.toArray()).length).toBeLessThan(101 * 900);
  });
});

describe('keptProblems', () => {
  it('holds any list to the limits', () => {
    const kept = keptProblems(problems(5_000));
    expect(kept).toHaveLength(maxProblemsKept + 1);
    expect(kept.at(-1)?.message).toBe('and 4900 more problems: only the first 100 are listed');
  });

  it('leaves a list already held to them as it is, count included', () => {
    const once = keptProblems(problems(5_000));
    expect(keptProblems(once)).toEqual(once);
    expect(keptProblems(problems(3))).toEqual(problems(3));
  });
});
