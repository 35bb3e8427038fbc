import { describe, expect, it } from 'vitest';
import { fixtureText } from '../testing/fixtures.js';
import { RuleCodes } from './rule-codes.js';
import { changed, codesOf, problemsOf, validDocuments } from './testing/rule-documents.js';

// ingreso: SubTotal 3824.15 = Σ Importe; Descuento 956.04; TotalImpuestosTrasladados 458.90; Total 3327.01.
const { ingreso, ingresoUsd, pago } = validDocuments;
// cfdi40-real: two Importe with 6 decimals summing to 862.068966; SubTotal 862.07.
const real = { text: fixtureText('cfdiutils-cfdi40-real.xml'), now: new Date('2025-01-25T12:00:00Z') };

describe('the amounts of a Comprobante', () => {
  it.each([
    [
      'CFDI40107: a SubTotal with more decimals than MXN has',
      changed(ingreso, ['SubTotal="3824.15"', 'SubTotal="3824.150"']),
      [RuleCodes.subTotalDecimals],
    ],
    [
      'CFDI40108: Importe values that do not add up to SubTotal',
      changed(ingreso, ['Importe="3824.15"', 'Importe="3824.16"']),
      [RuleCodes.subTotalMismatch],
    ],
    [
      'CFDI40109: a Pago with a SubTotal',
      changed(pago, ['SubTotal="0"', 'SubTotal="1"']),
      [RuleCodes.amountNotZero],
    ],
    [
      // Total moves with Descuento (3824.15 − 4000.00 + 458.90), so only the discount rule breaks.
      'CFDI40110: a Descuento above SubTotal',
      changed(ingreso, ['Total="3327.01" Descuento="956.04"', 'Total="283.05" Descuento="4000.00"']),
      [RuleCodes.discountExceedsSubTotal],
    ],
    [
      'CFDI40111: a Pago whose Concepto has a Descuento',
      changed(pago, ['Importe="0" ObjetoImp="01"', 'Importe="0" Descuento="0" ObjetoImp="01"']),
      [RuleCodes.conceptDiscountNotAllowed],
    ],
    [
      'CFDI40112: a Descuento with more decimals than MXN has',
      changed(ingreso, ['Total="3327.01" Descuento="956.04"', 'Total="3327.01" Descuento="956.040"']),
      [RuleCodes.discountDecimals],
    ],
    [
      'CFDI40119: a Total that is not SubTotal − Descuento + taxes',
      changed(ingreso, [' Total="3327.01"', ' Total="3327.02"']),
      [RuleCodes.totalMismatch],
    ],
    [
      'CFDI40120: a Total above the maximum without Confirmacion',
      changed(ingreso, [' Total="3327.01"', ' Total="1000000000000000000.00"']),
      [RuleCodes.totalNeedsConfirmacion],
    ],
    [
      'a Total above the maximum with Confirmacion',
      changed(ingreso, [' Total="3327.01"', ' Total="1000000000000000000.00" Confirmacion="ABC12"']),
      [],
    ],
    [
      'the same amounts written at another scale',
      changed(ingreso, [' Total="3327.01"', ' Total="3327.010"']),
      [],
    ],
  ])('%s', (_case, document, codes) => {
    expect(codesOf(document)).toEqual(codes);
  });

  it('compares SubTotal with the sum rounded half-up to the currency decimals', () => {
    expect(codesOf(real)).toEqual([]);
    expect(codesOf(changed(real, ['SubTotal="862.07"', 'SubTotal="862.06"']))).toEqual([
      RuleCodes.subTotalMismatch,
      RuleCodes.totalMismatch,
    ]);
  });

  it('rounds to the decimals c_Moneda gives the currency', () => {
    // ingresoUsd's amounts written without decimals, in yen (JPY has none).
    const yen = changed(
      ingresoUsd,
      ['Moneda="USD"', 'Moneda="JPY"'],
      ['SubTotal="3300.00"', 'SubTotal="3300"'],
      ['Total="3248.00"', 'Total="3248"'],
      ['Descuento="500.00"', 'Descuento="500"'],
      ['TotalImpuestosTrasladados="448.00"', 'TotalImpuestosTrasladados="448"'],
      ['Importe="448.00" Base="2800.00"', 'Importe="448" Base="2800"'],
    );
    expect(codesOf(yen)).toEqual([]);
    expect(codesOf(changed(yen, ['SubTotal="3300"', 'SubTotal="3300.00"']))).toEqual([
      RuleCodes.subTotalDecimals,
    ]);
    const concept = 'ValorUnitario="300" Importe="300"';
    expect(codesOf(changed(yen, [concept, 'ValorUnitario="300.4" Importe="300.4"']))).toEqual([]);
    const [problem] = problemsOf(changed(yen, [concept, 'ValorUnitario="300.6" Importe="300.6"']));
    expect(problem).toMatchObject({
      code: RuleCodes.subTotalMismatch,
      message: expect.stringContaining('rounded to 0 decimals: 3301'),
    });
  });

  it('counts withheld taxes and the local-taxes complement in the Total', () => {
    const localTaxes =
      '<implocal:ImpuestosLocales xmlns:implocal="http://www.sat.gob.mx/implocal" version="1.0" TotaldeRetenciones="5.00" TotaldeTraslados="15.00"/>';
    const withLocal = changed(ingreso, ['</cfdi:Complemento>', `${localTaxes}</cfdi:Complemento>`]);
    expect(codesOf(withLocal)).toEqual([RuleCodes.totalMismatch]);
    expect(codesOf(changed(withLocal, [' Total="3327.01"', ' Total="3337.01"']))).toEqual([]);
  });

  it('says what it expected', () => {
    const [problem] = problemsOf(changed(ingreso, [' Total="3327.01"', ' Total="3327.02"']));
    expect(problem).toEqual({
      code: RuleCodes.totalMismatch,
      path: '/cfdi:Comprobante/@Total',
      message: expect.stringContaining('rounded to 2 decimals: 3327.01'),
    });
  });
});
