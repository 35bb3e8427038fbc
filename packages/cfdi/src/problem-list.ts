import { type CfdiProblem, shortened } from './problems.js';

/** Problems a verdict lists; past them only their number is kept. */
export const maxProblemsKept = 100;
/** Element names and attribute values are the client's, and they end up in paths and messages. */
export const maxProblemPathLength = 300;
export const maxProblemMessageLength = 500;

/** The code of the last problem of a list cut short: how many more were found. */
export const tooManyProblemsCode = 'too_many_problems';

/** Where checks report what they find: a ProblemList, or a plain array in a test. */
export interface ProblemSink {
  push(problem: CfdiProblem): unknown;
}

/**
 * The problems of one document: the first `maxProblemsKept`, each with its path and message cut
 * short, and a count of the rest. A hostile document can have a problem per element (a million in
 * 5 MiB); a verdict that kept them all would weigh megabytes in memory, storage, events and every
 * response that shows it, so past the limit nothing is kept, only counted.
 */
export class ProblemList implements ProblemSink {
  readonly #kept: CfdiProblem[] = [];
  #omitted = 0;

  constructor(private readonly limit = maxProblemsKept) {}

  push(problem: CfdiProblem): void {
    if (this.#kept.length < this.limit) this.#kept.push(boundedProblem(problem));
    else this.#omitted++;
  }

  pushAll(problems: Iterable<CfdiProblem>): void {
    for (const problem of problems) this.push(problem);
  }

  /** Every problem found, kept or not. */
  get found(): number {
    return this.#kept.length + this.#omitted;
  }

  /** The problems kept; when some were not, a last one says how many (`too_many_problems`). */
  toArray(): CfdiProblem[] {
    if (this.#omitted === 0) return [...this.#kept];
    return [...this.#kept, tooManyProblems(this.#omitted, this.limit)];
  }

  /** The problems kept, without the count of the rest. */
  kept(): readonly CfdiProblem[] {
    return this.#kept;
  }
}

/** A list as the limits allow it: the first problems, cut short, and the count of the rest. */
export function keptProblems(problems: readonly CfdiProblem[], limit = maxProblemsKept): CfdiProblem[] {
  const list = new ProblemList(limit);
  // A list cut short before keeps its count: it stays the last problem and says how many more.
  const alreadyCut = problems.at(-1)?.code === tooManyProblemsCode;
  if (!alreadyCut || problems.length > limit + 1) {
    list.pushAll(problems);
    return list.toArray();
  }
  list.pushAll(problems.slice(0, -1));
  return [...list.toArray(), boundedProblem(problems.at(-1)!)];
}

function boundedProblem({ code, path, message }: CfdiProblem): CfdiProblem {
  return {
    code: shortened(code, 100),
    path: shortened(path, maxProblemPathLength),
    message: shortened(message, maxProblemMessageLength),
  };
}

function tooManyProblems(omitted: number, limit: number): CfdiProblem {
  return {
    code: tooManyProblemsCode,
    path: '',
    message: `and ${omitted} more problems: only the first ${limit} are listed`,
  };
}
