import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AttributeFormats, parseFechaH } from './attribute-formats.js';

// tdCFDI.xsd's base64 type as one expression, spaces removed first: the reference.
const base64Pattern = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Texts of base64 characters, padding, spaces and a few outsiders, of every length around quads. */
const base64Like = fc.string({
  unit: fc.constantFrom('A', 'z', '0', '+', '/', '=', ' ', '-', '_', 'ñ', '\n'),
  maxLength: 14,
});

describe('AttributeFormats.base64', () => {
  it('accepts exactly what the schema pattern accepts, spaces ignored', () => {
    fc.assert(
      fc.property(base64Like, (text) => {
        expect(AttributeFormats.base64.matches(text)).toBe(base64Pattern.test(text.replace(/ /g, '')));
      }),
      { numRuns: 20_000 },
    );
  });

  it.each([
    ['', true],
    ['QUJD', true],
    ['QUI=', true],
    ['QQ==', true],
    ['QU JD', true],
    ['Q===', false],
    ['====', false],
    ['QUJ', false],
    ['QU=D', false],
  ])('reads %j as %s', (text, expected) => {
    expect(AttributeFormats.base64.matches(text)).toBe(expected);
  });
});

// tdCFDI.xsd's t_FechaH, and a calendar: the reference.
const fechaHPattern =
  /^(20[1-9][0-9])-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):([0-5][0-9]):([0-5][0-9])$/;

function referenceFechaH(value: string) {
  const match = fechaHPattern.exec(value);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as number[];
  const calendarDay = new Date(Date.UTC(year!, month! - 1, day));
  if (calendarDay.getUTCMonth() !== month! - 1) return undefined;
  return { year, month, day, hour, minute, second };
}

const digit = fc.integer({ min: 0, max: 9 }).map(String);
/** Dates and times written the t_FechaH way, with every field anywhere from 00 to 99, and damaged ones. */
const fechaLike = fc.oneof(
  fc
    .tuple(
      fc.integer({ min: 1990, max: 2120 }),
      ...Array.from({ length: 5 }, () => fc.integer({ min: 0, max: 99 })),
    )
    .map(([year, ...fields]) => {
      const [month, day, hour, minute, second] = fields.map((field) => String(field).padStart(2, '0'));
      return `${year}-${month}-${day}T${hour}:${minute}:${second}`;
    }),
  fc
    .date({
      min: new Date('2005-01-01T00:00:00Z'),
      max: new Date('2105-01-01T00:00:00Z'),
      noInvalidDate: true,
    })
    .map((date) => date.toISOString().slice(0, 19)),
  fc.string({
    unit: fc.oneof(digit, fc.constantFrom('-', 'T', ':', ' ', 'x')),
    minLength: 17,
    maxLength: 21,
  }),
);

describe('parseFechaH', () => {
  it('reads exactly the real calendar days and times t_FechaH allows', () => {
    fc.assert(
      fc.property(fechaLike, (text) => {
        expect(parseFechaH(text)).toEqual(referenceFechaH(text));
      }),
      { numRuns: 20_000 },
    );
  });

  it.each([
    ['2024-02-29T23:59:59', true],
    ['2023-02-29T00:00:00', false],
    ['2000-02-29T00:00:00', false],
    ['2010-01-01T00:00:00', true],
    ['2099-12-31T23:59:59', true],
    ['2026-04-31T12:00:00', false],
    ['2026-04-30T24:00:00', false],
    ['2026-04-30T12:00:00Z', false],
  ])('reads %s as a date: %s', (text, expected) => {
    expect(parseFechaH(text) !== undefined).toBe(expected);
  });
});
