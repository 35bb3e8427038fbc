import { describe, expect, it } from 'vitest';
import { RuleCodes } from './rule-codes.js';
import { changed, codesOf, validDocuments } from './testing/rule-documents.js';

const { ingreso, ingresoUsd, pago } = validDocuments;

describe('Moneda and TipoCambio', () => {
  it.each([
    [
      'CFDI40113: a Moneda not in c_Moneda',
      changed(ingreso, ['Moneda="MXN"', 'Moneda="MXP" TipoCambio="1"']),
      [RuleCodes.monedaUnknown],
    ],
    [
      'CFDI40114: MXN with a TipoCambio other than 1',
      changed(ingreso, ['Moneda="MXN"', 'Moneda="MXN" TipoCambio="2"']),
      [RuleCodes.tipoCambioNotOne],
    ],
    [
      'MXN with TipoCambio 1 at another scale',
      changed(ingreso, ['Moneda="MXN"', 'Moneda="MXN" TipoCambio="1.000000"']),
      [],
    ],
    [
      'CFDI40115: USD without TipoCambio',
      changed(ingresoUsd, [' TipoCambio="18.9008"', '']),
      [RuleCodes.tipoCambioRequired],
    ],
    [
      'CFDI40116: XXX with a TipoCambio',
      changed(pago, ['Moneda="XXX"', 'Moneda="XXX" TipoCambio="1"']),
      [RuleCodes.tipoCambioNotAllowed],
    ],
  ])('%s', (_case, document, codes) => {
    expect(codesOf(document)).toEqual(codes);
  });
});
