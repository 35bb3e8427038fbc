import type { CfdiProblem } from '../../problems.js';
import { quoted } from '../../problems.js';
import { attributePath, type XmlElement } from '../../xml-document.js';
import { decimalsWithin, readDecimal, readImporte } from '../amounts.js';
import { RuleCodes } from '../rule-codes.js';
import { attributeValue, checkCatalogValue, problem, type Rule, type RuleContext } from '../rule-context.js';
import { checkTaxLine, type TaxLineCodes, type TaxLineNames } from '../tax-lines.js';
import { decimalsOf, doctosOf, everyPago, pagoChild, pagoGrandchildren } from './pagos.js';

// ObjetoImpDR: 02 means the document's taxes are itemised in ImpuestosDR; 01, 03, 04 and 05 mean not.
const objetoImpWithImpuestos = '02';
const objetoImpWithoutImpuestos = new Set(['01', '03', '04', '05']);

function doctoRule(
  check: (docto: XmlElement, pago: XmlElement, context: RuleContext) => CfdiProblem[],
): Rule {
  return (context) =>
    everyPago(context.comprobante).flatMap((pago) =>
      doctosOf(pago).flatMap((docto) => check(docto, pago, context)),
    );
}

/** MonedaDR is a c_Moneda key, valid on the Fecha; CRP20236: and not XXX. */
export const monedaDrValid = doctoRule((docto, _pago, context) => {
  const problems = checkCatalogValue(context, docto, 'MonedaDR', context.catalogs.moneda).problems;
  if (attributeValue(docto, 'MonedaDR') === 'XXX')
    problems.push(
      problem(RuleCodes.monedaDrXxx, attributePath(docto, 'MonedaDR'), 'MonedaDR must not be "XXX"'),
    );
  return problems;
});

/**
 * CRP20237 and CRP20238: EquivalenciaDR converts the document's currency to the payment's: required
 * when they differ, 1 when they are the same.
 */
export const equivalenciaDrFitsCurrencies = doctoRule((docto, pago) => {
  const monedaDr = attributeValue(docto, 'MonedaDR');
  const monedaP = attributeValue(pago, 'MonedaP');
  if (monedaDr === undefined || monedaP === undefined) return [];
  const path = attributePath(docto, 'EquivalenciaDR');
  if (monedaDr !== monedaP)
    return docto.attributes.has('EquivalenciaDR')
      ? []
      : [
          problem(
            RuleCodes.equivalenciaDrRequired,
            path,
            `EquivalenciaDR is required when MonedaDR ${quoted(monedaDr)} differs from MonedaP ${quoted(monedaP)}`,
          ),
        ];
  const equivalence = readDecimal(docto, 'EquivalenciaDR');
  return equivalence && !equivalence.value.equals(1)
    ? [
        problem(
          RuleCodes.equivalenciaDrNotOne,
          path,
          `EquivalenciaDR ${equivalence.text} must be 1 when MonedaDR is MonedaP`,
        ),
      ]
    : [];
});

/**
 * CRP20239-CRP20243: ImpSaldoAnt and ImpPagado are above 0; the three balances have at most MonedaDR's
 * decimals.
 */
export const balancesValid = doctoRule((docto, _pago, context) => {
  const moneda = attributeValue(docto, 'MonedaDR');
  const decimals = decimalsOf(context, moneda);
  const currency = moneda ?? 'MonedaDR';
  const positive = [
    ['ImpSaldoAnt', RuleCodes.impSaldoAntNotPositive],
    ['ImpPagado', RuleCodes.impPagadoNotPositive],
  ] as const;
  return [
    ...positive
      .filter(([name]) => readImporte(docto, name)?.value.isZero())
      .map(([name, code]) => problem(code, attributePath(docto, name), `${name} must be greater than 0`)),
    ...decimalsWithin(docto, 'ImpSaldoAnt', decimals, RuleCodes.impSaldoAntDecimals, currency),
    ...decimalsWithin(docto, 'ImpPagado', decimals, RuleCodes.impPagadoDecimals, currency),
    ...decimalsWithin(docto, 'ImpSaldoInsoluto', decimals, RuleCodes.impSaldoInsolutoDecimals, currency),
  ];
});

/** CRP20244: ImpSaldoInsoluto is what was owed less what was paid: ImpSaldoAnt − ImpPagado, not below 0. */
export const saldoInsolutoIsBalanceLessPaid = doctoRule((docto) => {
  const before = readImporte(docto, 'ImpSaldoAnt');
  const paid = readImporte(docto, 'ImpPagado');
  const after = readImporte(docto, 'ImpSaldoInsoluto');
  // A balance of 0 before the payment is CRP20239's: nothing can be paid on it.
  if (!before || !paid || !after || before.value.isZero()) return [];
  const expected = before.value.minus(paid.value);
  if (after.value.equals(expected)) return [];
  return [
    problem(
      RuleCodes.impSaldoInsolutoMismatch,
      attributePath(docto, 'ImpSaldoInsoluto'),
      expected.isNegative()
        ? `ImpPagado ${paid.text} is more than ImpSaldoAnt ${before.text}: the balance would fall below 0`
        : `ImpSaldoInsoluto ${after.text} is not ImpSaldoAnt ${before.text} − ImpPagado ${paid.text}: ${expected.toFixed()}`,
    ),
  ];
});

/** CRP20245: ObjetoImpDR is a c_ObjetoImp key, valid on the Fecha. */
export const objetoImpDrInCatalog = doctoRule(
  (docto, _pago, context) =>
    checkCatalogValue(context, docto, 'ObjetoImpDR', context.catalogs.objetoImp, RuleCodes.objetoImpDrUnknown)
      .problems,
);

/**
 * CRP20246 and CRP20247: ImpuestosDR is given when ObjetoImpDR is 02, and not when 01, 03, 04, 05;
 * CRP20248: when given, it holds at least one TrasladoDR or RetencionDR.
 */
export const objetoImpDrMatchesImpuestos = doctoRule((docto) => {
  const objetoImp = attributeValue(docto, 'ObjetoImpDR');
  const impuestos = pagoChild(docto, 'ImpuestosDR');
  if (objetoImp === objetoImpWithImpuestos && !impuestos)
    return [
      problem(
        RuleCodes.objetoImpDrRequiresImpuestos,
        attributePath(docto, 'ObjetoImpDR'),
        'ObjetoImpDR "02" needs the DoctoRelacionado\'s ImpuestosDR',
      ),
    ];
  if (!impuestos) return [];
  if (objetoImp !== undefined && objetoImpWithoutImpuestos.has(objetoImp))
    return [
      problem(
        RuleCodes.objetoImpDrForbidsImpuestos,
        impuestos.path,
        `a DoctoRelacionado with ObjetoImpDR ${quoted(objetoImp)} has no ImpuestosDR`,
      ),
    ];
  const lines = [
    ...pagoGrandchildren(impuestos, 'TrasladosDR', 'TrasladoDR'),
    ...pagoGrandchildren(impuestos, 'RetencionesDR', 'RetencionDR'),
  ];
  return lines.length > 0
    ? []
    : [
        problem(
          RuleCodes.impuestosDrEmpty,
          impuestos.path,
          'ImpuestosDR must hold a TrasladoDR or a RetencionDR',
        ),
      ];
});

export const doctoTaxNames: TaxLineNames = {
  base: 'BaseDR',
  impuesto: 'ImpuestoDR',
  tipoFactor: 'TipoFactorDR',
  tasaOCuota: 'TasaOCuotaDR',
  importe: 'ImporteDR',
};

const retencionDrCodes: TaxLineCodes = {
  baseNotPositive: RuleCodes.retencionDrBaseNotPositive,
  impuestoUnknown: RuleCodes.retencionDrImpuestoUnknown,
  tipoFactorUnknown: RuleCodes.retencionDrTipoFactorUnknown,
  exento: RuleCodes.retencionDrExento,
  tasaOCuotaUnknown: RuleCodes.retencionDrTasaOCuotaUnknown,
  importeOutOfLimits: RuleCodes.retencionDrImporteOutOfLimits,
};

const trasladoDrCodes: TaxLineCodes = {
  baseNotPositive: RuleCodes.trasladoDrBaseNotPositive,
  impuestoUnknown: RuleCodes.trasladoDrImpuestoUnknown,
  tipoFactorUnknown: RuleCodes.trasladoDrTipoFactorUnknown,
  exento: RuleCodes.trasladoDrExentoWithAmounts,
  amountsRequired: RuleCodes.trasladoDrAmountsRequired,
  tasaOCuotaUnknown: RuleCodes.trasladoDrTasaOCuotaUnknown,
  importeOutOfLimits: RuleCodes.trasladoDrImporteOutOfLimits,
};

/** CRP20249-CRP20261: every RetencionDR and TrasladoDR, in MonedaDR (see checkTaxLine). */
export const doctoTaxLinesValid = doctoRule((docto, _pago, context) => {
  const impuestos = pagoChild(docto, 'ImpuestosDR');
  const moneda = attributeValue(docto, 'MonedaDR');
  const currency = { decimals: decimalsOf(context, moneda), name: moneda ?? 'MonedaDR' };
  return [
    ...pagoGrandchildren(impuestos, 'RetencionesDR', 'RetencionDR').flatMap((line) =>
      checkTaxLine(context, line, 'withholding', doctoTaxNames, retencionDrCodes, currency),
    ),
    ...pagoGrandchildren(impuestos, 'TrasladosDR', 'TrasladoDR').flatMap((line) =>
      checkTaxLine(context, line, 'transfer', doctoTaxNames, trasladoDrCodes, currency),
    ),
  ];
});

export const doctoRelacionadoRules: Rule[] = [
  monedaDrValid,
  equivalenciaDrFitsCurrencies,
  balancesValid,
  saldoInsolutoIsBalanceLessPaid,
  objetoImpDrInCatalog,
  objetoImpDrMatchesImpuestos,
  doctoTaxLinesValid,
];
