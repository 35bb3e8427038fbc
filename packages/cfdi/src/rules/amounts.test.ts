import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AttributeFormats } from '../attribute-formats.js';
import { ParsedElement } from '../xml-document.js';
import { readDecimal, readImporte } from './amounts.js';

/** An element holding one attribute, as a parsed document would. */
function elementWith(value: string): ParsedElement {
  return new ParsedElement('http://www.sat.gob.mx/cfd/4', 'Concepto', new Map([['Importe', value]]));
}

/** Texts near and far from numbers: digits, points, signs, spaces, exponents, other letters. */
const numberLike = fc.oneof(
  fc.stringMatching(/^[0-9.]{0,26}$/),
  fc.string({ unit: fc.constantFrom('0', '1', '9', '.', '-', '+', ' ', 'e', '٣', 'x'), maxLength: 12 }),
  fc
    .tuple(fc.stringMatching(/^[0-9]{0,20}$/), fc.stringMatching(/^[0-9]{0,8}$/))
    .map(([whole, fraction]) => `${whole}.${fraction}`),
);
const plainDecimal = /^[0-9]+(\.[0-9]+)?$/;
const decimalsOf = (text: string) => (text.includes('.') ? text.length - text.indexOf('.') - 1 : 0);

describe('reading amounts', () => {
  it('reads a t_Importe exactly when cfdv40.xsd pattern matches it, with its value and decimals', () => {
    fc.assert(
      fc.property(numberLike, (text) => {
        const read = readImporte(elementWith(text), 'Importe');
        expect(read !== undefined).toBe(AttributeFormats.importe.matches(text));
        if (read) {
          expect(read.decimals).toBe(decimalsOf(text));
          expect(read.text).toBe(text);
        }
      }),
      { numRuns: 5_000 },
    );
  });

  it('reads any plain non-negative decimal, and nothing else', () => {
    fc.assert(
      fc.property(numberLike, (text) => {
        const read = readDecimal(elementWith(text), 'Importe');
        expect(read !== undefined).toBe(plainDecimal.test(text));
        // The value as exact units and scale, worked out apart from DecimalNumber.parse.
        if (read)
          expect([read.value.units, read.value.scale]).toEqual([
            BigInt(text.replace('.', '')),
            decimalsOf(text),
          ]);
      }),
      { numRuns: 5_000 },
    );
  });

  it('reads the same text the same way however often it is read', () => {
    for (const text of ['19047.74', '0.160000', '1e3', '', '.5', '5.', '1234567890123456789.5']) {
      const first = readDecimal(elementWith(text), 'Importe');
      expect(readDecimal(elementWith(text), 'Importe')).toEqual(first);
    }
  });
});
