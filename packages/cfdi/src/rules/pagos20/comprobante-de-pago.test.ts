import { describe, expect, it } from 'vitest';
import { RuleCodes } from '../rule-codes.js';
import { changed, codesOf, validDocuments } from '../testing/rule-documents.js';

const { pago } = validDocuments;
const concepto =
  '<cfdi:Concepto ClaveProdServ="84111506" Cantidad="1" ClaveUnidad="ACT" Descripcion="Pago" ValorUnitario="0" Importe="0" ObjetoImp="01"/>';
const conceptoWith = (attributes: string) => [concepto, `<cfdi:Concepto ${attributes}/>`] as const;

describe('the Comprobante that carries Pagos 2.0', () => {
  it('accepts the fixed values', () => {
    expect(codesOf(pago)).toEqual([]);
  });

  it.each([
    [
      'CRP20101: a TipoDeComprobante other than P',
      changed(pago, ['TipoDeComprobante="P"', 'TipoDeComprobante="T"']),
      [RuleCodes.pagoTipoDeComprobante],
    ],
    [
      'CRP20102: an Exportacion other than 01',
      changed(pago, ['Exportacion="01"', 'Exportacion="03"']),
      [RuleCodes.pagoExportacion],
    ],
    [
      'CRP20104: a Moneda other than XXX',
      changed(pago, ['Moneda="XXX"', 'Moneda="MXN"']),
      [RuleCodes.pagoMoneda],
    ],
    [
      'CRP20107: CondicionesDePago',
      changed(pago, ['Moneda="XXX"', 'Moneda="XXX" CondicionesDePago="CONTADO"']),
      [RuleCodes.pagoCondicionesDePago],
    ],
    [
      'CRP20108: a Descuento',
      changed(pago, ['SubTotal="0"', 'SubTotal="0" Descuento="0"']),
      [RuleCodes.pagoDescuento],
    ],
    [
      'CRP20111: a second Concepto',
      changed(pago, [concepto, `${concepto}${concepto}`]),
      [RuleCodes.pagoOneConcepto],
    ],
    [
      'CRP20113: a ClaveProdServ other than 84111506',
      changed(
        pago,
        conceptoWith(
          'ClaveProdServ="84111505" Cantidad="1" ClaveUnidad="ACT" Descripcion="Pago" ValorUnitario="0" Importe="0" ObjetoImp="01"',
        ),
      ),
      [RuleCodes.pagoClaveProdServ],
    ],
    [
      'CRP20114: a NoIdentificacion',
      changed(
        pago,
        conceptoWith(
          'ClaveProdServ="84111506" NoIdentificacion="P1" Cantidad="1" ClaveUnidad="ACT" Descripcion="Pago" ValorUnitario="0" Importe="0" ObjetoImp="01"',
        ),
      ),
      [RuleCodes.pagoNoIdentificacion],
    ],
    [
      'CRP20115: a Cantidad other than 1',
      changed(
        pago,
        conceptoWith(
          'ClaveProdServ="84111506" Cantidad="2" ClaveUnidad="ACT" Descripcion="Pago" ValorUnitario="0" Importe="0" ObjetoImp="01"',
        ),
      ),
      [RuleCodes.pagoCantidad],
    ],
    [
      'CRP20116: a ClaveUnidad other than ACT',
      changed(
        pago,
        conceptoWith(
          'ClaveProdServ="84111506" Cantidad="1" ClaveUnidad="H87" Descripcion="Pago" ValorUnitario="0" Importe="0" ObjetoImp="01"',
        ),
      ),
      [RuleCodes.pagoClaveUnidad],
    ],
    [
      'CRP20117: a Unidad',
      changed(
        pago,
        conceptoWith(
          'ClaveProdServ="84111506" Cantidad="1" ClaveUnidad="ACT" Unidad="Actividad" Descripcion="Pago" ValorUnitario="0" Importe="0" ObjetoImp="01"',
        ),
      ),
      [RuleCodes.pagoUnidad],
    ],
    [
      'CRP20118: a Descripcion other than Pago',
      changed(
        pago,
        conceptoWith(
          'ClaveProdServ="84111506" Cantidad="1" ClaveUnidad="ACT" Descripcion="Pagos" ValorUnitario="0" Importe="0" ObjetoImp="01"',
        ),
      ),
      [RuleCodes.pagoDescripcion],
    ],
    // 0.0001 × 1 is within the limits of an Importe of 0 in XXX (no decimals).
    [
      'CRP20119: a ValorUnitario other than 0',
      changed(
        pago,
        conceptoWith(
          'ClaveProdServ="84111506" Cantidad="1" ClaveUnidad="ACT" Descripcion="Pago" ValorUnitario="0.0001" Importe="0" ObjetoImp="01"',
        ),
      ),
      [RuleCodes.pagoValorUnitario],
    ],
    [
      'CRP20120: an Importe other than 0',
      changed(
        pago,
        conceptoWith(
          'ClaveProdServ="84111506" Cantidad="1" ClaveUnidad="ACT" Descripcion="Pago" ValorUnitario="0" Importe="0.5" ObjetoImp="01"',
        ),
      ),
      [RuleCodes.pagoImporte],
    ],
    [
      'CRP20122: an ObjetoImp other than 01',
      changed(
        pago,
        conceptoWith(
          'ClaveProdServ="84111506" Cantidad="1" ClaveUnidad="ACT" Descripcion="Pago" ValorUnitario="0" Importe="0" ObjetoImp="03"',
        ),
      ),
      [RuleCodes.pagoObjetoImp],
    ],
  ])('%s', (_case, document, codes) => {
    expect(codesOf(document)).toEqual(codes);
  });
});
