import { describe, expect, it } from 'vitest';
import { CfdiProblemCodes, validateCfdi } from './index.js';
import { fixtureText, replaceOnce } from './testing/fixtures.js';

// SubTotal 3824.15 = Σ Importe; Descuento 956.04; TotalImpuestosTrasladados 458.90; Total 3327.01.
const valid = fixtureText('cfdiutils-cfdi40-valid.xml');
// Two Importe with 6 decimals summing to 862.068966; SubTotal 862.07; Total 1000.00.
const sixDecimals = fixtureText('cfdiutils-cfdi40-real.xml');
// Changing an amount breaks the Sello too (CFDI40102); that is the seal check's, not the arithmetic's.
const withoutSeal = { verifySeal: false };

function codesAfter(document: string, ...changes: [string, string][]) {
  const changed = changes.reduce(
    (text, [search, replacement]) => replaceOnce(text, search, replacement),
    document,
  );
  return validateCfdi(changed, withoutSeal).problems.map((problem) => `${problem.code} ${problem.path}`);
}

describe('the Comprobante arithmetic', () => {
  it('raises CFDI40108 alone when the Concepto Importe values do not add up to SubTotal', () => {
    expect(codesAfter(valid, ['Importe="3824.15"', 'Importe="3824.16"'])).toEqual([
      'CFDI40108 /cfdi:Comprobante/@SubTotal',
    ]);
  });

  it('raises CFDI40110 alone when Descuento exceeds SubTotal', () => {
    // Total is moved with Descuento (3824.15 − 4000.00 + 458.90), so only the discount rule breaks.
    expect(
      codesAfter(valid, ['Total="3327.01" Descuento="956.04"', 'Total="283.05" Descuento="4000.00"']),
    ).toEqual(['CFDI40110 /cfdi:Comprobante/@Descuento']);
  });

  it('raises CFDI40119 alone when Total is not SubTotal − Descuento + taxes', () => {
    expect(codesAfter(valid, [' Total="3327.01"', ' Total="3327.02"'])).toEqual([
      'CFDI40119 /cfdi:Comprobante/@Total',
    ]);
  });

  it('raises CFDI40109 alone when a Traslado carries amounts', () => {
    expect(codesAfter(valid, ['TipoDeComprobante="I"', 'TipoDeComprobante="T"'])).toEqual([
      'CFDI40109 /cfdi:Comprobante/@SubTotal',
      'CFDI40109 /cfdi:Comprobante/@Total',
    ]);
  });

  it('compares SubTotal with the sum rounded half-up to the currency decimals', () => {
    expect(codesAfter(sixDecimals)).toEqual([]);
    expect(codesAfter(sixDecimals, ['SubTotal="862.07"', 'SubTotal="862.06"'])).toContain(
      'CFDI40108 /cfdi:Comprobante/@SubTotal',
    );
  });

  it('rounds to no decimals for a currency without them', () => {
    const problems = validateCfdi(
      replaceOnce(sixDecimals, 'Moneda="MXN"', 'Moneda="JPY"'),
      withoutSeal,
    ).problems;
    expect(problems).toEqual([expect.objectContaining({ code: CfdiProblemCodes.subTotalMismatch })]);
    expect(problems[0]!.message).toContain('rounded to 0 decimals for JPY: 862');
  });

  it('accepts the same amounts written at any scale', () => {
    expect(codesAfter(valid, [' Total="3327.01"', ' Total="3327.010000"'])).toEqual([]);
  });

  it('counts withheld taxes and the local-taxes complement in the Total', () => {
    const localTaxes =
      '<implocal:ImpuestosLocales xmlns:implocal="http://www.sat.gob.mx/implocal" version="1.0" TotaldeRetenciones="5.00" TotaldeTraslados="15.00"/>';
    const withLocal = replaceOnce(valid, '</cfdi:Complemento>', `${localTaxes}</cfdi:Complemento>`);
    expect(codesAfter(withLocal, [' Total="3327.01"', ' Total="3337.01"'])).toEqual([]);
    expect(codesAfter(withLocal)).toEqual(['CFDI40119 /cfdi:Comprobante/@Total']);
    const withheld = replaceOnce(
      valid,
      'TotalImpuestosTrasladados="458.90"',
      'TotalImpuestosTrasladados="458.90" TotalImpuestosRetenidos="10.00"',
    );
    expect(codesAfter(withheld, [' Total="3327.01"', ' Total="3317.01"'])).toEqual([]);
  });

  it('says what it expected', () => {
    const [problem] = validateCfdi(
      replaceOnce(valid, ' Total="3327.01"', ' Total="3327.02"'),
      withoutSeal,
    ).problems;
    expect(problem!.message).toContain('3327.02');
    expect(problem!.message).toContain('rounded to 2 decimals for MXN: 3327.01');
  });
});
