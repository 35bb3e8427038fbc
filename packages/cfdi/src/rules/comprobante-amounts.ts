import { localTaxesIn } from '../comprobante-structure.js';
import type { CfdiProblem } from '../problems.js';
import { attributePath } from '../xml-document.js';
import {
  allOrNothing,
  decimalsWithin,
  monedaOf,
  readDecimal,
  readImporte,
  readImporteOrZero,
  roundTo,
  show,
  sumOf,
} from './amounts.js';
import { DecimalNumber } from './decimal-number.js';
import { RuleCodes } from './rule-codes.js';
import {
  cfdiChild,
  cfdiChildren,
  conceptosOf,
  problem,
  type Rule,
  type RuleContext,
} from './rule-context.js';

// Ingreso, Egreso and Nómina carry amounts; Traslado and Pago carry none (SubTotal and Total are 0).
const typesWithAmounts = new Set(['I', 'E', 'N']);
const typesWithoutAmounts = new Set(['T', 'P']);

function carriesAmounts(context: RuleContext): boolean {
  return typesWithAmounts.has(context.tipoDeComprobante ?? '');
}

/** CFDI40107: SubTotal has at most the currency's decimals. */
export const subTotalDecimals: Rule = ({ comprobante, currencyDecimals }) =>
  decimalsWithin(
    comprobante,
    'SubTotal',
    currencyDecimals,
    RuleCodes.subTotalDecimals,
    monedaOf(comprobante),
  );

/** CFDI40112: Descuento has at most the currency's decimals. */
export const discountDecimals: Rule = ({ comprobante, currencyDecimals }) =>
  decimalsWithin(
    comprobante,
    'Descuento',
    currencyDecimals,
    RuleCodes.discountDecimals,
    monedaOf(comprobante),
  );

/**
 * CFDI40108: for I, E and N, SubTotal is the sum of the Concepto Importe values rounded half-up to
 * the currency's decimals (so Importe values with 6 decimals still add up).
 */
export const subTotalIsSumOfImportes: Rule = (context) => {
  const { comprobante, currencyDecimals } = context;
  const subTotal = readImporte(comprobante, 'SubTotal');
  const importes = allOrNothing(conceptosOf(comprobante).map((concepto) => readImporte(concepto, 'Importe')));
  if (!carriesAmounts(context) || currencyDecimals === undefined || !subTotal || !importes?.length) return [];
  const expected = roundTo(sumOf(importes.map((importe) => importe.value)), currencyDecimals);
  if (subTotal.value.equals(expected)) return [];
  return [
    problem(
      RuleCodes.subTotalMismatch,
      attributePath(comprobante, 'SubTotal'),
      `SubTotal ${subTotal.text} is not the sum of the Concepto Importe values rounded to ${currencyDecimals} decimals: ${show(expected, currencyDecimals)}`,
    ),
  ];
};

/** CFDI40109: a Traslado or Pago has SubTotal and Total 0. */
export const noAmountsForTrasladoOrPago: Rule = ({ comprobante, tipoDeComprobante }) => {
  if (!typesWithoutAmounts.has(tipoDeComprobante ?? '')) return [];
  return ['SubTotal', 'Total'].flatMap((name): CfdiProblem[] => {
    const amount = readImporte(comprobante, name);
    if (!amount || amount.value.isZero()) return [];
    return [
      problem(
        RuleCodes.amountNotZero,
        attributePath(comprobante, name),
        `${name} must be 0 when TipoDeComprobante is ${tipoDeComprobante}; it is ${amount.text}`,
      ),
    ];
  });
};

/** CFDI40110: Descuento is at most SubTotal. */
export const discountWithinSubTotal: Rule = ({ comprobante }) => {
  const subTotal = readImporte(comprobante, 'SubTotal');
  const discount = readImporte(comprobante, 'Descuento');
  if (!subTotal || !discount || discount.value.lessThanOrEqualTo(subTotal.value)) return [];
  return [
    problem(
      RuleCodes.discountExceedsSubTotal,
      attributePath(comprobante, 'Descuento'),
      `Descuento ${discount.text} is greater than SubTotal ${subTotal.text}`,
    ),
  ];
};

/** CFDI40111: only I, E and N documents discount their Conceptos. */
export const conceptDiscountOnlyWithAmounts: Rule = (context) => {
  if (!typesWithoutAmounts.has(context.tipoDeComprobante ?? '')) return [];
  return conceptosOf(context.comprobante)
    .filter((concepto) => concepto.attributes.has('Descuento'))
    .map((concepto) =>
      problem(
        RuleCodes.conceptDiscountNotAllowed,
        attributePath(concepto, 'Descuento'),
        `a Concepto has no Descuento when TipoDeComprobante is ${context.tipoDeComprobante} (only I, E and N)`,
      ),
    );
};

/**
 * CFDI40119: for I, E and N, Total = SubTotal − Descuento + TotalImpuestosTrasladados −
 * TotalImpuestosRetenidos, local taxes (implocal) included, rounded to the currency's decimals.
 */
export const totalIsSubTotalLessDiscountPlusTaxes: Rule = (context) => {
  const { comprobante, currencyDecimals } = context;
  if (!carriesAmounts(context) || currencyDecimals === undefined) return [];
  const impuestos = cfdiChild(comprobante, 'Impuestos');
  const localTaxes = cfdiChildren(comprobante, 'Complemento').flatMap(localTaxesIn);
  const total = readImporte(comprobante, 'Total');
  const terms = allOrNothing([
    readImporte(comprobante, 'SubTotal')?.value,
    readImporteOrZero(comprobante, 'Descuento')?.negated(),
    readImporteOrZero(impuestos, 'TotalImpuestosTrasladados'),
    readImporteOrZero(impuestos, 'TotalImpuestosRetenidos')?.negated(),
    ...localTaxes.flatMap((local) => [
      readImporte(local, 'TotaldeTraslados')?.value,
      readImporte(local, 'TotaldeRetenciones')?.value.negated(),
    ]),
  ]);
  if (!total || !terms) return [];
  const expected = roundTo(sumOf(terms), currencyDecimals);
  if (total.value.equals(expected)) return [];
  const local = localTaxes.length > 0 ? ' + implocal TotaldeTraslados − TotaldeRetenciones' : '';
  return [
    problem(
      RuleCodes.totalMismatch,
      attributePath(comprobante, 'Total'),
      `Total ${total.text} is not SubTotal − Descuento + TotalImpuestosTrasladados − TotalImpuestosRetenidos${local} rounded to ${currencyDecimals} decimals: ${show(expected, currencyDecimals)}`,
    ),
  ];
};

/**
 * CFDI40120: a Total above c_TipoDeComprobante's valor_maximo needs a Confirmacion from the PAC. The
 * Total is read as any decimal here, so one too long for t_Importe is still compared with the limit.
 */
export const totalWithinLimitOrConfirmed: Rule = (context) => {
  const { comprobante, catalogs, tipoDeComprobante } = context;
  if (!carriesAmounts(context) || comprobante.attributes.has('Confirmacion')) return [];
  const maximum = catalogs.tipoDeComprobante.get(tipoDeComprobante ?? '')?.maximumTotal;
  const total = readDecimal(comprobante, 'Total');
  if (!maximum || !total || total.value.lessThanOrEqualTo(maximum)) return [];
  return [
    problem(
      RuleCodes.totalNeedsConfirmacion,
      attributePath(comprobante, 'Total'),
      `Total ${total.text} is above ${DecimalNumber.parse(maximum).toFixed()}, the most c_TipoDeComprobante allows for ${tipoDeComprobante} without a Confirmacion`,
    ),
  ];
};

export const comprobanteAmountRules: Rule[] = [
  subTotalDecimals,
  subTotalIsSumOfImportes,
  noAmountsForTrasladoOrPago,
  discountWithinSubTotal,
  conceptDiscountOnlyWithAmounts,
  discountDecimals,
  totalIsSubTotalLessDiscountPlusTaxes,
  totalWithinLimitOrConfirmed,
];
