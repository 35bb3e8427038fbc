import { describe, expect, it } from 'vitest';
import { RuleCodes } from './rule-codes.js';
import { changed, codesOf, validDocuments } from './testing/rule-documents.js';

const { ingreso, ingresoUsd } = validDocuments;
// ingreso: Fecha 2025-02-19T08:32:29, FechaTimbrado 2025-02-19T08:37:30.

describe('the dates of a Comprobante', () => {
  it.each([
    [
      'a Fecha later than now even at UTC−5',
      { ...ingreso, now: new Date('2025-02-19T13:32:28Z') },
      [RuleCodes.fechaInFuture],
    ],
    ['a Fecha that is now at UTC−5', { ...ingreso, now: new Date('2025-02-19T13:32:29Z') }, []],
    [
      'a Fecha before CFDI 4.0 took effect',
      changed(ingresoUsd, ['Fecha="2023-06-18T19:20:21"', 'Fecha="2021-12-31T23:59:59"']),
      [RuleCodes.fechaBeforeCfdi40],
    ],
    [
      'a stamp more than 74 wall-clock hours after the Fecha',
      changed(ingreso, ['FechaTimbrado="2025-02-19T08:37:30"', 'FechaTimbrado="2025-02-22T10:32:30"']),
      [RuleCodes.fechaTimbradoOutOfRange],
    ],
    [
      'a stamp 74 wall-clock hours after the Fecha (72 hours, issued at UTC−8)',
      changed(ingreso, ['FechaTimbrado="2025-02-19T08:37:30"', 'FechaTimbrado="2025-02-22T10:32:29"']),
      [],
    ],
    [
      'a stamp more than an hour before the Fecha',
      changed(ingreso, ['FechaTimbrado="2025-02-19T08:37:30"', 'FechaTimbrado="2025-02-19T07:32:28"']),
      [RuleCodes.fechaTimbradoOutOfRange],
    ],
    [
      'a stamp an hour before the Fecha (issued at UTC−5)',
      changed(ingreso, ['FechaTimbrado="2025-02-19T08:37:30"', 'FechaTimbrado="2025-02-19T07:32:29"']),
      [],
    ],
  ])('%s', (_case, document, codes) => {
    expect(codesOf(document)).toEqual(codes);
  });

  it('skips a Fecha the structure check reports as malformed', () => {
    expect(codesOf(changed(ingreso, ['Fecha="2025-02-19T08:32:29"', 'Fecha="19-02-2025T08:32:29"']))).toEqual(
      [],
    );
  });
});
