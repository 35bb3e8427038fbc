import { quoted } from '../problems.js';
import { attributePath } from '../xml-document.js';
import { readDecimal } from './amounts.js';
import { RuleCodes } from './rule-codes.js';
import { attributeValue, checkCatalogValue, problem, type Rule } from './rule-context.js';

// TipoCambio's own format (xs:decimal, 6 decimals, above 0: CFDI40117) is the structure check's; these
// rules read only a well-formed one. Whether it is within c_Moneda's variation of the day's published
// rate (CFDI40118) needs that day's rate, which the document does not carry.

/** CFDI40113: Moneda is a c_Moneda key, valid on the Fecha. */
export const monedaInCatalog: Rule = (context) =>
  checkCatalogValue(context, context.comprobante, 'Moneda', context.catalogs.moneda, RuleCodes.monedaUnknown)
    .problems;

/** CFDI40114: with MXN, TipoCambio may be left out, but when given it is 1. */
export const tipoCambioIsOneForMxn: Rule = ({ comprobante }) => {
  const tipoCambio = readDecimal(comprobante, 'TipoCambio');
  if (attributeValue(comprobante, 'Moneda') !== 'MXN' || !tipoCambio || tipoCambio.value.equals(1)) return [];
  return [
    problem(
      RuleCodes.tipoCambioNotOne,
      attributePath(comprobante, 'TipoCambio'),
      `TipoCambio ${quoted(tipoCambio.text)} must be 1 when Moneda is MXN`,
    ),
  ];
};

/** CFDI40115: any currency but MXN and XXX needs its TipoCambio. */
export const tipoCambioRequired: Rule = ({ comprobante }) => {
  const moneda = attributeValue(comprobante, 'Moneda');
  if (moneda === undefined || moneda === 'MXN' || moneda === 'XXX') return [];
  if (comprobante.attributes.has('TipoCambio')) return [];
  return [
    problem(
      RuleCodes.tipoCambioRequired,
      attributePath(comprobante, 'TipoCambio'),
      `TipoCambio is required when Moneda is ${quoted(moneda)} (anything but MXN and XXX)`,
    ),
  ];
};

/** CFDI40116: XXX (no currency) takes no TipoCambio. */
export const tipoCambioAbsentForXxx: Rule = ({ comprobante }) =>
  attributeValue(comprobante, 'Moneda') === 'XXX' && comprobante.attributes.has('TipoCambio')
    ? [
        problem(
          RuleCodes.tipoCambioNotAllowed,
          attributePath(comprobante, 'TipoCambio'),
          'TipoCambio must not be given when Moneda is XXX',
        ),
      ]
    : [];

export const currencyAndExchangeRules: Rule[] = [
  monedaInCatalog,
  tipoCambioIsOneForMxn,
  tipoCambioRequired,
  tipoCambioAbsentForXxx,
];
