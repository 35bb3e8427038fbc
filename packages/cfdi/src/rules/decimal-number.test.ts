import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecimalNumber, type Rounding } from './decimal-number.js';

// decimal.js under its default settings is the reference: the rules were written against it.
const decimalRounding: Record<Rounding, Decimal.Rounding> = {
  down: Decimal.ROUND_DOWN,
  ceil: Decimal.ROUND_CEIL,
  'half-up': Decimal.ROUND_HALF_UP,
};

/** Plain decimals as documents and catalogs write them, up to 24 digits each side, either sign. */
const decimalText = fc
  .tuple(
    fc.boolean(),
    fc.stringMatching(/^[0-9]{1,24}$/),
    fc.option(fc.stringMatching(/^[0-9]{1,14}$/), { nil: undefined }),
  )
  .map(([negative, whole, fraction]) => `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`);
/** Amounts of every size, and also ones near rounding boundaries (…5, …49999, …50001). */
const amount = fc.oneof(
  decimalText,
  fc
    .tuple(fc.stringMatching(/^[0-9]{1,20}$/), fc.constantFrom('5', '49999999', '50000001', '5000000000000'))
    .map(([whole, tail]) => `${whole}.${tail}`),
);
const rounding = fc.constantFrom<Rounding>('down', 'ceil', 'half-up');
const decimals = fc.integer({ min: 0, max: 8 });
const runs = { numRuns: 3_000 };

const both = (text: string) => [DecimalNumber.parse(text), new Decimal(text)] as const;

describe('DecimalNumber gives what decimal.js gives', () => {
  it.each([
    ['plus', (a: DecimalNumber, b: DecimalNumber) => a.plus(b), (a: Decimal, b: Decimal) => a.plus(b)],
    ['minus', (a: DecimalNumber, b: DecimalNumber) => a.minus(b), (a: Decimal, b: Decimal) => a.minus(b)],
    ['times', (a: DecimalNumber, b: DecimalNumber) => a.times(b), (a: Decimal, b: Decimal) => a.times(b)],
  ])('%s, rounded to 20 significant digits', (_name, ours, theirs) => {
    fc.assert(
      fc.property(amount, amount, (x, y) => {
        const [a, decimalA] = both(x);
        const [b, decimalB] = both(y);
        expect(ours(a, b).toFixed()).toBe(theirs(decimalA, decimalB).toFixed());
      }),
      runs,
    );
  });

  it('div, rounded to 20 significant digits', () => {
    fc.assert(
      fc.property(amount, amount, (x, y) => {
        const [a, decimalA] = both(x);
        const [b, decimalB] = both(y);
        fc.pre(!decimalB.isZero());
        expect(a.div(b).toFixed()).toBe(decimalA.div(decimalB).toFixed());
      }),
      runs,
    );
  });

  it('compares, and tells zero and negatives', () => {
    fc.assert(
      fc.property(amount, amount, (x, y) => {
        const [a, decimalA] = both(x);
        const [b, decimalB] = both(y);
        expect(a.comparedTo(b)).toBe(decimalA.comparedTo(decimalB));
        expect(a.equals(y)).toBe(decimalA.equals(y));
        expect(a.lessThanOrEqualTo(b)).toBe(decimalA.lessThanOrEqualTo(decimalB));
        expect(a.greaterThanOrEqualTo(b)).toBe(decimalA.greaterThanOrEqualTo(decimalB));
        expect(a.isZero()).toBe(decimalA.isZero());
        if (!decimalA.isZero()) expect(a.isNegative()).toBe(decimalA.isNegative());
        expect(a.negated().toFixed()).toBe(decimalA.negated().toFixed());
      }),
      runs,
    );
  });

  it('rounds to decimal places exactly, and writes any number of decimals', () => {
    fc.assert(
      fc.property(amount, decimals, rounding, (x, places, mode) => {
        const [a, decimalA] = both(x);
        expect(a.toDecimalPlaces(places, mode).toFixed()).toBe(
          decimalA.toDecimalPlaces(places, decimalRounding[mode]).toFixed(),
        );
        expect(a.toFixed(places)).toBe(decimalA.toFixed(places, Decimal.ROUND_HALF_UP));
        expect(a.toFixed(places, mode)).toBe(decimalA.toFixed(places, decimalRounding[mode]));
        expect(a.toFixed()).toBe(decimalA.toFixed());
      }),
      runs,
    );
  });

  it('agrees on the limits of Anexo 20 for a product, chained as the rules chain them', () => {
    const epsilon = '0.000000000001';
    fc.assert(
      fc.property(amount, amount, decimals, decimals, decimals, (x, y, placesX, placesY, currency) => {
        const [a, decimalA] = both(x.replace('-', ''));
        const [b, decimalB] = both(y.replace('-', ''));
        const half = (places: number) => DecimalNumber.parse(`0.${'0'.repeat(places)}5`);
        const decimalHalf = (places: number) => new Decimal(10).pow(-places).div(2);
        const upper = a
          .plus(half(placesX))
          .minus(DecimalNumber.parse(epsilon))
          .times(b.plus(half(placesY)).minus(DecimalNumber.parse(epsilon)))
          .toDecimalPlaces(currency, 'ceil');
        const decimalUpper = decimalA
          .plus(decimalHalf(placesX))
          .minus(epsilon)
          .times(decimalB.plus(decimalHalf(placesY)).minus(epsilon))
          .toDecimalPlaces(currency, Decimal.ROUND_CEIL);
        expect(upper.toFixed()).toBe(decimalUpper.toFixed());
      }),
      runs,
    );
  });

  it('refuses what is not a plain decimal', () => {
    for (const text of ['', '1e3', '.5', '5.', '+1', ' 1', '0x10', 'Infinity', '1,5'])
      expect(() => DecimalNumber.parse(text)).toThrow(SyntaxError);
  });
});
