import { describe, expect, it } from 'vitest';
import { RuleCodes } from './rule-codes.js';
import { changed, codesOf, validDocuments } from './testing/rule-documents.js';

const { ingreso, pago } = validDocuments;

describe('TipoDeComprobante, FormaPago and MetodoPago', () => {
  it.each([
    [
      'CFDI40121: a TipoDeComprobante not in c_TipoDeComprobante',
      changed(ingreso, ['TipoDeComprobante="I"', 'TipoDeComprobante="X"']),
      [RuleCodes.tipoDeComprobanteUnknown],
    ],
    [
      'CFDI40103: a Nómina with FormaPago',
      changed(ingreso, ['TipoDeComprobante="I"', 'TipoDeComprobante="N"']),
      [RuleCodes.formaPagoNotAllowed],
    ],
    [
      'CFDI40104: a FormaPago not in c_FormaPago',
      changed(ingreso, ['FormaPago="01"', 'FormaPago="32"']),
      [RuleCodes.formaPagoUnknown],
    ],
    [
      'CFDI40105: PPD with a FormaPago other than 99',
      changed(ingreso, ['MetodoPago="PUE"', 'MetodoPago="PPD"']),
      [RuleCodes.formaPagoNot99],
    ],
    [
      'PPD with FormaPago 99',
      changed(ingreso, ['MetodoPago="PUE"', 'MetodoPago="PPD"'], ['FormaPago="01"', 'FormaPago="99"']),
      [],
    ],
    [
      'CFDI40124: a MetodoPago not in c_MetodoPago',
      changed(ingreso, ['MetodoPago="PUE"', 'MetodoPago="PIP"']),
      [RuleCodes.metodoPagoUnknown],
    ],
    [
      'CFDI40125: a Pago with MetodoPago',
      changed(pago, ['TipoDeComprobante="P"', 'TipoDeComprobante="P" MetodoPago="PUE"']),
      [RuleCodes.metodoPagoNotAllowed],
    ],
  ])('%s', (_case, document, codes) => {
    expect(codesOf(document)).toEqual(codes);
  });
});
