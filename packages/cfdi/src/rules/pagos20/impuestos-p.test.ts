import { describe, expect, it } from 'vitest';
import { RuleCodes } from '../rule-codes.js';
import { type Change, changed, codesOf, validDocuments } from '../testing/rule-documents.js';

const { pago, pagoWithRetenciones } = validDocuments;
const trasladoP =
  '<pago20:TrasladoP ImpuestoP="002" TipoFactorP="Tasa" TasaOCuotaP="0.160000" BaseP="12931.040000" ImporteP="2068.960000"/>';
const addTrasladoP = (attributes: string): Change => [
  trasladoP,
  `${trasladoP}<pago20:TrasladoP ${attributes}/>`,
];
const retencionP = '<pago20:RetencionP ImpuestoP="002" ImporteP="2.8470"/>';
const addRetencionP = (attributes: string): Change => [
  retencionP,
  `${retencionP}<pago20:RetencionP ${attributes}/>`,
];
const secondTraslado =
  '<pago20:TrasladoDR ImpuestoDR="002" TipoFactorDR="Tasa" TasaOCuotaDR="0.160000" BaseDR="2586.21" ImporteDR="413.79"/>';

describe('the ImpuestosP of a Pago', () => {
  it.each([
    [
      'CRP20262: a RetencionP Impuesto not in c_Impuesto',
      changed(pagoWithRetenciones, addRetencionP('ImpuestoP="004" ImporteP="0"')),
      [RuleCodes.retencionPImpuestoUnknown],
    ],
    [
      'CRP20263: two RetencionP for one tax',
      changed(pagoWithRetenciones, addRetencionP('ImpuestoP="002" ImporteP="0"')),
      [RuleCodes.retencionPRepeated],
    ],
    [
      "CRP20265: a RetencionP that is not the sum of the documents' withholdings",
      changed(pagoWithRetenciones, [retencionP, retencionP.replace('"2.8470"', '"2.8480"')]),
      [RuleCodes.retencionPImporteMismatch],
    ],
    [
      'CRP20266: an Exento TrasladoP with a rate',
      changed(pago, addTrasladoP('BaseP="0" ImpuestoP="003" TipoFactorP="Exento" TasaOCuotaP="0.000000"')),
      [RuleCodes.trasladoPExentoWithAmounts],
    ],
    [
      "CRP20268: a BaseP that is not the sum of the documents' bases",
      changed(
        pago,
        [trasladoP, trasladoP.replace('"12931.040000"', '"12931.050000"')],
        ['TotalTrasladosBaseIVA16="12931.04"', 'TotalTrasladosBaseIVA16="12931.05"'],
      ),
      [RuleCodes.trasladoPBaseMismatch],
    ],
    [
      "CRP20269: an Exento BaseP that is not the sum of the documents' bases",
      changed(pago, addTrasladoP('BaseP="5" ImpuestoP="003" TipoFactorP="Exento"')),
      [RuleCodes.trasladoPExentoBaseMismatch],
    ],
    [
      'CRP20270: a TrasladoP Impuesto not in c_Impuesto',
      changed(pago, addTrasladoP('BaseP="0" ImpuestoP="004" TipoFactorP="Exento"')),
      [RuleCodes.trasladoPImpuestoUnknown],
    ],
    [
      'CRP20271: two TrasladoP for one tax, factor and rate',
      changed(
        pago,
        addTrasladoP('BaseP="0" ImpuestoP="002" TipoFactorP="Tasa" TasaOCuotaP="0.16" ImporteP="0"'),
      ),
      [RuleCodes.trasladoPRepeated],
    ],
    [
      'CRP20272: a TrasladoP rate c_TasaOCuota does not have',
      changed(
        pago,
        addTrasladoP('BaseP="0" ImpuestoP="003" TipoFactorP="Tasa" TasaOCuotaP="0.100000" ImporteP="0"'),
      ),
      [RuleCodes.trasladoPTasaOCuotaUnknown],
    ],
    [
      "CRP20274: an ImporteP that is not the sum of the documents' taxes",
      changed(
        pago,
        [trasladoP, trasladoP.replace('"2068.960000"', '"2068.970000"')],
        ['TotalTrasladosImpuestoIVA16="2068.96"', 'TotalTrasladosImpuestoIVA16="2068.97"'],
      ),
      [RuleCodes.trasladoPImporteMismatch],
    ],
    [
      "an ImporteP written to the currency's decimals",
      changed(pago, [trasladoP, trasladoP.replace('"2068.960000"', '"2068.96"')]),
      [],
    ],
    [
      'pago_tax_not_summarized: a document tax ImpuestosP lacks',
      changed(pago, [
        secondTraslado,
        `${secondTraslado}<pago20:TrasladoDR BaseDR="100.00" ImpuestoDR="003" TipoFactorDR="Exento"/>`,
      ]),
      [RuleCodes.pagoTaxNotSummarized],
    ],
  ])('%s', (_case, document, codes) => {
    expect(codesOf(document)).toEqual(codes);
  });

  it("converts each document's taxes to MonedaP by its EquivalenciaDR", () => {
    // The second document in USD at 0.05 USD per MXN: 129.3105 USD of base is 2586.21 MXN.
    const inDollars = changed(
      pago,
      [
        'MonedaDR="MXN" EquivalenciaDR="1" NumParcialidad="1" ImpSaldoAnt="10000.00" ImpPagado="3000.00" ImpSaldoInsoluto="7000.00"',
        'MonedaDR="USD" EquivalenciaDR="0.05" NumParcialidad="1" ImpSaldoAnt="500.00" ImpPagado="150.00" ImpSaldoInsoluto="350.00"',
      ],
      [
        secondTraslado,
        '<pago20:TrasladoDR ImpuestoDR="002" TipoFactorDR="Tasa" TasaOCuotaDR="0.160000" BaseDR="129.31" ImporteDR="20.69"/>',
      ],
      [
        trasladoP,
        '<pago20:TrasladoP ImpuestoP="002" TipoFactorP="Tasa" TasaOCuotaP="0.160000" BaseP="12931.03" ImporteP="2068.97"/>',
      ],
      [
        'TotalTrasladosBaseIVA16="12931.04" TotalTrasladosImpuestoIVA16="2068.96"',
        'TotalTrasladosBaseIVA16="12931.03" TotalTrasladosImpuestoIVA16="2068.97"',
      ],
    );
    expect(codesOf(inDollars)).toEqual([]);
  });
});
