import { describe, expect, it } from 'vitest';
import { RuleCodes } from '../rule-codes.js';
import { type Change, changed, codesOf, validDocuments } from '../testing/rule-documents.js';

const { pago, pagoWithRetenciones } = validDocuments;
// pago's first document: 12000.00 owed, all paid, IVA 16 % on 10344.83; its second: 10000.00 owed,
// 3000.00 paid, IVA on 2586.21. The Pago sums both: BaseP 12931.04, ImporteP 2068.96.
const first =
  'MonedaDR="MXN" EquivalenciaDR="1" NumParcialidad="2" ImpSaldoAnt="12000.00" ImpPagado="12000.00" ImpSaldoInsoluto="0" ObjetoImpDR="02"';
const second = 'ImpSaldoAnt="10000.00" ImpPagado="3000.00" ImpSaldoInsoluto="7000.00" ObjetoImpDR="02"';
const firstImpuestos =
  /<pago20:ImpuestosDR>\s*<pago20:TrasladosDR>\s*<pago20:TrasladoDR [^>]*BaseDR="10344.83"[^>]*\/>\s*<\/pago20:TrasladosDR>\s*<\/pago20:ImpuestosDR>/;
const secondTraslado =
  '<pago20:TrasladoDR ImpuestoDR="002" TipoFactorDR="Tasa" TasaOCuotaDR="0.160000" BaseDR="2586.21" ImporteDR="413.79"/>';
// Without the first document's taxes, the Pago sums the second's only.
const onlySecondTaxes: Change[] = [
  ['BaseP="12931.040000" ImporteP="2068.960000"', 'BaseP="2586.21" ImporteP="413.79"'],
  [
    'TotalTrasladosBaseIVA16="12931.04" TotalTrasladosImpuestoIVA16="2068.96"',
    'TotalTrasladosBaseIVA16="2586.21" TotalTrasladosImpuestoIVA16="413.79"',
  ],
];
const addSecondTraslado = (attributes: string): Change => [
  secondTraslado,
  `${secondTraslado}<pago20:TrasladoDR ${attributes}/>`,
];
const retencionDr =
  '<pago20:RetencionDR BaseDR="227.7586" ImpuestoDR="002" TipoFactorDR="Tasa" TasaOCuotaDR="0.012500" ImporteDR="2.8470"/>';
const addRetencionDr = (attributes: string): Change => [
  retencionDr,
  `${retencionDr}<pago20:RetencionDR ${attributes}/>`,
];

describe('a DoctoRelacionado of Pagos 2.0', () => {
  it.each([
    [
      'a MonedaDR not in c_Moneda',
      changed(pago, [first, first.replace('MonedaDR="MXN"', 'MonedaDR="MXP"')]),
      [RuleCodes.catalogValueUnknown],
    ],
    [
      // XXX has no decimals: the balances are written whole.
      'CRP20236: MonedaDR XXX',
      changed(pago, [
        first,
        first.replace('MonedaDR="MXN"', 'MonedaDR="XXX"').replaceAll('12000.00', '12000'),
      ]),
      [RuleCodes.monedaDrXxx],
    ],
    [
      'CRP20237: another currency without EquivalenciaDR',
      changed(pago, [first, first.replace('MonedaDR="MXN" EquivalenciaDR="1"', 'MonedaDR="USD"')]),
      [RuleCodes.equivalenciaDrRequired],
    ],
    [
      'CRP20238: the same currency at an EquivalenciaDR other than 1',
      changed(pago, [first, first.replace('EquivalenciaDR="1"', 'EquivalenciaDR="2"')]),
      [RuleCodes.equivalenciaDrNotOne],
    ],
    [
      'CRP20239: nothing owed before the payment',
      changed(pago, [second, second.replace('ImpSaldoAnt="10000.00"', 'ImpSaldoAnt="0"')]),
      [RuleCodes.impSaldoAntNotPositive],
    ],
    [
      'CRP20240: an ImpSaldoAnt with 3 decimals in MXN',
      changed(pago, [second, second.replace('"10000.00"', '"10000.000"')]),
      [RuleCodes.impSaldoAntDecimals],
    ],
    [
      'CRP20241: nothing paid',
      changed(pago, [
        second,
        second.replace(
          'ImpPagado="3000.00" ImpSaldoInsoluto="7000.00"',
          'ImpPagado="0" ImpSaldoInsoluto="10000.00"',
        ),
      ]),
      [RuleCodes.impPagadoNotPositive],
    ],
    [
      'CRP20242: an ImpPagado with 3 decimals in MXN',
      changed(pago, [second, second.replace('"3000.00"', '"3000.000"')]),
      [RuleCodes.impPagadoDecimals],
    ],
    [
      'CRP20243: an ImpSaldoInsoluto with 3 decimals in MXN',
      changed(pago, [second, second.replace('"7000.00"', '"7000.000"')]),
      [RuleCodes.impSaldoInsolutoDecimals],
    ],
    [
      'CRP20244: a balance that is not owed less paid',
      changed(pago, [second, second.replace('"7000.00"', '"7000.01"')]),
      [RuleCodes.impSaldoInsolutoMismatch],
    ],
    [
      'CRP20244: more paid than owed',
      changed(pago, [second, second.replace('ImpSaldoAnt="10000.00"', 'ImpSaldoAnt="2000.00"')]),
      [RuleCodes.impSaldoInsolutoMismatch],
    ],
    [
      'CRP20245: an ObjetoImpDR not in c_ObjetoImp',
      changed(pago, [second, second.replace('ObjetoImpDR="02"', 'ObjetoImpDR="09"')]),
      [RuleCodes.objetoImpDrUnknown],
    ],
    [
      'CRP20246: ObjetoImpDR 02 without ImpuestosDR',
      changed(pago, [pago.text.match(firstImpuestos)![0], ''], ...onlySecondTaxes),
      [RuleCodes.objetoImpDrRequiresImpuestos],
    ],
    [
      'CRP20247: ObjetoImpDR 01 with ImpuestosDR',
      changed(pago, [second, second.replace('ObjetoImpDR="02"', 'ObjetoImpDR="01"')]),
      [RuleCodes.objetoImpDrForbidsImpuestos],
    ],
    [
      'CRP20248: an empty ImpuestosDR',
      changed(pago, [pago.text.match(firstImpuestos)![0], '<pago20:ImpuestosDR/>'], ...onlySecondTaxes),
      [RuleCodes.impuestosDrEmpty],
    ],
    [
      'CRP20255: a TrasladoDR with BaseDR 0',
      changed(pago, addSecondTraslado('BaseDR="0" ImpuestoDR="003" TipoFactorDR="Exento"'), [
        'ImporteP="2068.960000"/>',
        'ImporteP="2068.960000"/><pago20:TrasladoP BaseP="0" ImpuestoP="003" TipoFactorP="Exento"/>',
      ]),
      [RuleCodes.trasladoDrBaseNotPositive],
    ],
    [
      'CRP20256: a TrasladoDR Impuesto not in c_Impuesto',
      changed(pago, addSecondTraslado('BaseDR="100.00" ImpuestoDR="004" TipoFactorDR="Exento"')),
      [RuleCodes.trasladoDrImpuestoUnknown],
    ],
    [
      'CRP20257: a TrasladoDR TipoFactor not in c_TipoFactor',
      changed(pago, addSecondTraslado('BaseDR="100.00" ImpuestoDR="003" TipoFactorDR="Libre"')),
      [RuleCodes.trasladoDrTipoFactorUnknown],
    ],
    [
      'CRP20258: an Exento TrasladoDR with a rate',
      changed(
        pago,
        addSecondTraslado('BaseDR="100.00" ImpuestoDR="003" TipoFactorDR="Exento" TasaOCuotaDR="0.000000"'),
      ),
      [RuleCodes.trasladoDrExentoWithAmounts],
    ],
    [
      'CRP20259: a Tasa TrasladoDR without rate and ImporteDR',
      changed(pago, addSecondTraslado('BaseDR="100.00" ImpuestoDR="003" TipoFactorDR="Tasa"')),
      [RuleCodes.trasladoDrAmountsRequired],
    ],
    [
      'CRP20260: an IEPS rate c_TasaOCuota does not have',
      changed(
        pago,
        addSecondTraslado(
          'BaseDR="100.00" ImpuestoDR="003" TipoFactorDR="Tasa" TasaOCuotaDR="0.100000" ImporteDR="10.00"',
        ),
      ),
      [RuleCodes.trasladoDrTasaOCuotaUnknown],
    ],
    [
      // 2586.21 × 0.16 is 413.7936: the limits are 413.79 to 413.80.
      'CRP20261: an ImporteDR outside the limits',
      changed(
        pago,
        [secondTraslado, secondTraslado.replace('"413.79"', '"413.81"')],
        ['ImporteP="2068.960000"', 'ImporteP="2068.980000"'],
        ['TotalTrasladosImpuestoIVA16="2068.96"', 'TotalTrasladosImpuestoIVA16="2068.98"'],
      ),
      [RuleCodes.trasladoDrImporteOutOfLimits],
    ],
    [
      // A BaseDR of 0 written with no decimals may stand for up to 0.5: 0 is within its limits.
      'CRP20249: a RetencionDR with BaseDR 0',
      changed(
        pagoWithRetenciones,
        addRetencionDr(
          'BaseDR="0" ImpuestoDR="001" TipoFactorDR="Tasa" TasaOCuotaDR="0.100000" ImporteDR="0"',
        ),
        [
          '<pago20:RetencionP ImpuestoP="002" ImporteP="2.8470"/>',
          '<pago20:RetencionP ImpuestoP="002" ImporteP="2.8470"/><pago20:RetencionP ImpuestoP="001" ImporteP="0"/>',
        ],
      ),
      [RuleCodes.retencionDrBaseNotPositive],
    ],
    [
      'CRP20250: a RetencionDR Impuesto not in c_Impuesto',
      changed(
        pagoWithRetenciones,
        addRetencionDr(
          'BaseDR="100.00" ImpuestoDR="004" TipoFactorDR="Tasa" TasaOCuotaDR="0.100000" ImporteDR="10.00"',
        ),
      ),
      [RuleCodes.retencionDrImpuestoUnknown],
    ],
    [
      'CRP20251: a RetencionDR TipoFactor not in c_TipoFactor',
      changed(
        pagoWithRetenciones,
        addRetencionDr(
          'BaseDR="100.00" ImpuestoDR="001" TipoFactorDR="Libre" TasaOCuotaDR="0.100000" ImporteDR="10.00"',
        ),
      ),
      [RuleCodes.retencionDrTipoFactorUnknown],
    ],
    [
      'CRP20252: an Exento RetencionDR',
      changed(
        pagoWithRetenciones,
        addRetencionDr(
          'BaseDR="100.00" ImpuestoDR="001" TipoFactorDR="Exento" TasaOCuotaDR="0.100000" ImporteDR="10.00"',
        ),
      ),
      [RuleCodes.retencionDrExento],
    ],
    [
      "CRP20253: an ISR withholding above c_TasaOCuota's range",
      changed(
        pagoWithRetenciones,
        addRetencionDr(
          'BaseDR="100.00" ImpuestoDR="001" TipoFactorDR="Tasa" TasaOCuotaDR="0.500000" ImporteDR="50.00"',
        ),
      ),
      [RuleCodes.retencionDrTasaOCuotaUnknown],
    ],
    [
      // 227.7586 × 0.0125 is 2.8470: the limits in MXN are 2.84 to 2.85.
      'CRP20254: a RetencionDR ImporteDR outside the limits',
      changed(
        pagoWithRetenciones,
        [retencionDr, retencionDr.replace('"2.8470"', '"2.8600"')],
        ['ImpuestoP="002" ImporteP="2.8470"', 'ImpuestoP="002" ImporteP="2.8600"'],
        ['TotalRetencionesIVA="2.85"', 'TotalRetencionesIVA="2.86"'],
      ),
      [RuleCodes.retencionDrImporteOutOfLimits],
    ],
  ])('%s', (_case, document, codes) => {
    expect(codesOf(document)).toEqual(codes);
  });
});
