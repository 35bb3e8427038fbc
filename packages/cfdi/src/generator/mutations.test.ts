import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateCfdi } from '../index.js';
import { bundledCatalogs } from '../testing/references.js';
import { generateCfdi } from './generate-cfdi.js';
import { type CfdiMutation, cfdiMutations, mutateCfdi } from './mutations.js';
import { seededRandom } from './seeded-random.js';
import { pacStoreOf, satTestCredentials } from './testing/sat-test-credentials.js';

const credentials = satTestCredentials();
const now = new Date('2026-11-01T18:00:00Z');
const certificates = pacStoreOf(credentials);
const runsPerMutation = 250;

interface Drawn {
  seed: number;
  withWithholdings: boolean;
  stamped: boolean;
}

const documents: fc.Arbitrary<Drawn> = fc.record({
  seed: fc.integer(),
  withWithholdings: fc.boolean(),
  stamped: fc.boolean(),
});

function codesAfter(mutation: CfdiMutation, { seed, withWithholdings, stamped }: Drawn) {
  const random = seededRandom(seed);
  const generated = generateCfdi({
    random,
    credentials,
    now,
    withTaxes: true,
    withWithholdings,
    stamp: stamped ? credentials : undefined,
  });
  const mutated = mutateCfdi(generated, mutation, random);
  if (mutated === undefined) return undefined;
  return validateCfdi(mutated, {
    requireStamp: false,
    certificates,
    catalogs: bundledCatalogs,
    now,
  }).problems.map((problem) => problem.code);
}

describe('mutations of generated documents', () => {
  it('have distinct names', () => {
    const names = cfdiMutations.map((mutation) => mutation.name);
    expect(new Set(names).size).toBe(names.length);
  });

  describe.each(cfdiMutations.map((mutation) => [mutation.name, mutation] as const))(
    '%s',
    (_name, mutation) => {
      it(`is reported as ${mutation.expectedCode} and nothing else`, () => {
        let applied = 0;
        fc.assert(
          fc.property(documents, (drawn) => {
            const codes = codesAfter(mutation, drawn);
            fc.pre(codes !== undefined);
            applied++;
            expect(codes, `seed ${drawn.seed}`).toEqual([mutation.expectedCode]);
          }),
          { seed: 20_261_102, numRuns: runsPerMutation },
        );
        expect(applied).toBe(runsPerMutation);
      });
    },
  );
});
