import { quoted } from '../problems.js';
import { attributePath } from '../xml-document.js';
import { RuleCodes } from './rule-codes.js';
import { attributeValue, checkCatalogValue, problem, type Rule } from './rule-context.js';

// Traslado, Nómina and Pago documents say nothing about how they are paid: a Pago's payments are in
// its complement, a Nómina's in its own.
const typesWithoutFormaPago = new Set(['T', 'N', 'P']);
const typesWithoutMetodoPago = new Set(['T', 'P']);

/** CFDI40121: TipoDeComprobante is a c_TipoDeComprobante key, valid on the Fecha. */
export const tipoDeComprobanteInCatalog: Rule = (context) =>
  checkCatalogValue(
    context,
    context.comprobante,
    'TipoDeComprobante',
    context.catalogs.tipoDeComprobante,
    RuleCodes.tipoDeComprobanteUnknown,
  ).problems;

/** CFDI40103: FormaPago is absent from T, N and P documents. */
export const formaPagoAbsentForTrasladoNominaPago: Rule = ({ comprobante, tipoDeComprobante }) =>
  typesWithoutFormaPago.has(tipoDeComprobante ?? '') && comprobante.attributes.has('FormaPago')
    ? [
        problem(
          RuleCodes.formaPagoNotAllowed,
          attributePath(comprobante, 'FormaPago'),
          `FormaPago must not be given when TipoDeComprobante is ${tipoDeComprobante}`,
        ),
      ]
    : [];

/** CFDI40104: FormaPago is a c_FormaPago key, valid on the Fecha. */
export const formaPagoInCatalog: Rule = (context) =>
  checkCatalogValue(
    context,
    context.comprobante,
    'FormaPago',
    context.catalogs.formaPago,
    RuleCodes.formaPagoUnknown,
  ).problems;

/** CFDI40105: paid in instalments or later (PPD), the FormaPago is still to be defined: 99. */
export const formaPagoIs99ForPpd: Rule = ({ comprobante }) => {
  const formaPago = attributeValue(comprobante, 'FormaPago');
  if (attributeValue(comprobante, 'MetodoPago') !== 'PPD' || formaPago === undefined || formaPago === '99')
    return [];
  return [
    problem(
      RuleCodes.formaPagoNot99,
      attributePath(comprobante, 'FormaPago'),
      `FormaPago ${quoted(formaPago)} must be "99" when MetodoPago is PPD`,
    ),
  ];
};

/** CFDI40124: MetodoPago is a c_MetodoPago key, valid on the Fecha. */
export const metodoPagoInCatalog: Rule = (context) =>
  checkCatalogValue(
    context,
    context.comprobante,
    'MetodoPago',
    context.catalogs.metodoPago,
    RuleCodes.metodoPagoUnknown,
  ).problems;

/** CFDI40125: MetodoPago is absent from T and P documents. */
export const metodoPagoAbsentForTrasladoPago: Rule = ({ comprobante, tipoDeComprobante }) =>
  typesWithoutMetodoPago.has(tipoDeComprobante ?? '') && comprobante.attributes.has('MetodoPago')
    ? [
        problem(
          RuleCodes.metodoPagoNotAllowed,
          attributePath(comprobante, 'MetodoPago'),
          `MetodoPago must not be given when TipoDeComprobante is ${tipoDeComprobante}`,
        ),
      ]
    : [];

export const tipoDeComprobanteRules: Rule[] = [
  tipoDeComprobanteInCatalog,
  formaPagoAbsentForTrasladoNominaPago,
  formaPagoInCatalog,
  formaPagoIs99ForPpd,
  metodoPagoInCatalog,
  metodoPagoAbsentForTrasladoPago,
];
