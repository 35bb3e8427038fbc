import { describe, expect, it } from 'vitest';
import { RuleCodes } from '../rule-codes.js';
import { changed, codesOf, validDocuments } from '../testing/rule-documents.js';

// pago: Monto 15000.00 MXN; IVA 16 % on 12931.04 is 2068.96. pagoWithRetenciones: Monto 372.00;
// IVA withheld 2.8470; IVA 16 % on 323.1508 is 51.7041; IEPS 53 %, which no total counts.
const { pago, pagoWithRetenciones } = validDocuments;
const totales =
  '<pago20:Totales MontoTotalPagos="15000.00" TotalTrasladosBaseIVA16="12931.04" TotalTrasladosImpuestoIVA16="2068.96"/>';
const totalesWith = (attributes: string) => [totales, `<pago20:Totales ${attributes}/>`] as const;
const withTotal = (attribute: string) =>
  totalesWith(
    `MontoTotalPagos="15000.00" TotalTrasladosBaseIVA16="12931.04" TotalTrasladosImpuestoIVA16="2068.96" ${attribute}="0.01"`,
  );

describe('the Totales of Pagos 2.0', () => {
  it('accepts totals that are the rounded sums of the Pagos', () => {
    expect(codesOf(pago)).toEqual([]);
    expect(codesOf(pagoWithRetenciones)).toEqual([]);
  });

  it.each([
    [
      'CRP20211: a MontoTotalPagos that is not the sum of the Montos',
      changed(
        pago,
        totalesWith(
          'MontoTotalPagos="15000.01" TotalTrasladosBaseIVA16="12931.04" TotalTrasladosImpuestoIVA16="2068.96"',
        ),
      ),
      [RuleCodes.montoTotalPagos],
    ],
    [
      'CRP20204: a TotalTrasladosBaseIVA16 that is not the sum of the BaseP',
      changed(
        pago,
        totalesWith(
          'MontoTotalPagos="15000.00" TotalTrasladosBaseIVA16="12931.05" TotalTrasladosImpuestoIVA16="2068.96"',
        ),
      ),
      [RuleCodes.totalTrasladosBaseIva16],
    ],
    [
      'CRP20205: a TotalTrasladosImpuestoIVA16 that is not the sum of the ImporteP',
      changed(
        pago,
        totalesWith(
          'MontoTotalPagos="15000.00" TotalTrasladosBaseIVA16="12931.04" TotalTrasladosImpuestoIVA16="2068.97"',
        ),
      ),
      [RuleCodes.totalTrasladosImpuestoIva16],
    ],
    [
      'CRP20201: a TotalRetencionesIVA with no IVA withheld',
      changed(pago, withTotal('TotalRetencionesIVA')),
      [RuleCodes.totalRetencionesIva],
    ],
    [
      'CRP20202: a TotalRetencionesISR with no ISR withheld',
      changed(pago, withTotal('TotalRetencionesISR')),
      [RuleCodes.totalRetencionesIsr],
    ],
    [
      'CRP20203: a TotalRetencionesIEPS with no IEPS withheld',
      changed(pago, withTotal('TotalRetencionesIEPS')),
      [RuleCodes.totalRetencionesIeps],
    ],
    [
      'CRP20206: a TotalTrasladosBaseIVA8 with no IVA at 8 %',
      changed(pago, withTotal('TotalTrasladosBaseIVA8')),
      [RuleCodes.totalTrasladosBaseIva8],
    ],
    [
      'CRP20207: a TotalTrasladosImpuestoIVA8 with no IVA at 8 %',
      changed(pago, withTotal('TotalTrasladosImpuestoIVA8')),
      [RuleCodes.totalTrasladosImpuestoIva8],
    ],
    [
      'CRP20208: a TotalTrasladosBaseIVA0 with no IVA at 0 %',
      changed(pago, withTotal('TotalTrasladosBaseIVA0')),
      [RuleCodes.totalTrasladosBaseIva0],
    ],
    [
      'CRP20209: a TotalTrasladosImpuestoIVA0 with no IVA at 0 %',
      changed(pago, withTotal('TotalTrasladosImpuestoIVA0')),
      [RuleCodes.totalTrasladosImpuestoIva0],
    ],
    [
      'CRP20210: a TotalTrasladosBaseIVAExento with no exempt IVA',
      changed(pago, withTotal('TotalTrasladosBaseIVAExento')),
      [RuleCodes.totalTrasladosBaseIvaExento],
    ],
    [
      'CRP20201: a TotalRetencionesIVA that is not the rounded sum of the RetencionP',
      changed(pagoWithRetenciones, ['TotalRetencionesIVA="2.85"', 'TotalRetencionesIVA="2.84"']),
      [RuleCodes.totalRetencionesIva],
    ],
    [
      'CRP20264: IVA withheld and no TotalRetenciones at all',
      changed(pagoWithRetenciones, [' TotalRetencionesIVA="2.85"', '']),
      [RuleCodes.totalRetencionesRequired],
    ],
    [
      'CRP20267: IVA transferred and no TotalTrasladosBase at all',
      changed(pago, totalesWith('MontoTotalPagos="15000.00" TotalTrasladosImpuestoIVA16="2068.96"')),
      [RuleCodes.totalTrasladosBaseRequired],
    ],
    [
      'CRP20273: IVA transferred and no TotalTrasladosImpuesto at all',
      changed(pago, totalesWith('MontoTotalPagos="15000.00" TotalTrasladosBaseIVA16="12931.04"')),
      [RuleCodes.totalTrasladosImpuestoRequired],
    ],
    [
      'CRP20204: IVA 16 % transferred, its base total missing beside another',
      changed(
        pago,
        totalesWith(
          'MontoTotalPagos="15000.00" TotalTrasladosBaseIVA0="0.00" TotalTrasladosImpuestoIVA16="2068.96"',
        ),
      ),
      [RuleCodes.totalTrasladosBaseIva16],
    ],
  ])('%s', (_case, document, codes) => {
    expect(codesOf(document)).toEqual(codes);
  });

  it('multiplies by TipoCambioP', () => {
    // 15000.00 USD at 18.5 is 277500.00 MXN; every tax total scales the same way.
    const inDollars = changed(
      pago,
      ['MonedaP="MXN" TipoCambioP="1"', 'MonedaP="USD" TipoCambioP="18.5"'],
      [
        totales,
        '<pago20:Totales MontoTotalPagos="277500.00" TotalTrasladosBaseIVA16="239224.24" TotalTrasladosImpuestoIVA16="38275.76"/>',
      ],
      [
        'MonedaDR="MXN" EquivalenciaDR="1" NumParcialidad="2"',
        'MonedaDR="USD" EquivalenciaDR="1" NumParcialidad="2"',
      ],
      [
        'MonedaDR="MXN" EquivalenciaDR="1" NumParcialidad="1"',
        'MonedaDR="USD" EquivalenciaDR="1" NumParcialidad="1"',
      ],
    );
    expect(codesOf(inDollars)).toEqual([]);
  });
});
