import type { CfdiProblem } from '../../problems.js';
import { quoted } from '../../problems.js';
import { attributePath, type XmlElement } from '../../xml-document.js';
import { decimalsWithin, readDecimal, readImporte, roundTo, sumOf } from '../amounts.js';
import { type RuleCode, RuleCodes } from '../rule-codes.js';
import {
  attributeValue,
  checkCatalogValue,
  genericRfcs,
  problem,
  type Rule,
  type RuleContext,
} from '../rule-context.js';
import { wholeValuePattern } from '../sat-pattern.js';
import { decimalsOf, doctosOf, equivalenceOf, everyPago } from './pagos.js';

// Whether RfcEmisorCtaOrd is in SAT's RFC register (CRP20222), and whether a TipoCambioP or a Monto
// needs a Confirmacion (CRP20216, CRP20220: the day's published rate and SAT's limits), cannot be told
// from the document.

function pagoRule(check: (pago: XmlElement, context: RuleContext) => CfdiProblem[]): Rule {
  return (context) => everyPago(context.comprobante).flatMap((pago) => check(pago, context));
}

/** FormaDePagoP is a c_FormaPago key, valid on the Fecha (catalog_value_unknown: SAT's code is the schema's). */
export const formaDePagoPInCatalog = pagoRule(
  (pago, context) => checkCatalogValue(context, pago, 'FormaDePagoP', context.catalogs.formaPago).problems,
);

/** CRP20212: a payment says how it was paid: not 99 ("por definir"). */
export const formaDePagoPDefined = pagoRule((pago) =>
  attributeValue(pago, 'FormaDePagoP') === '99'
    ? [
        problem(
          RuleCodes.formaDePagoP99,
          attributePath(pago, 'FormaDePagoP'),
          'FormaDePagoP must not be "99"',
        ),
      ]
    : [],
);

/** MonedaP is a c_Moneda key, valid on the Fecha; CRP20213: and not XXX. */
export const monedaPValid = pagoRule((pago, context) => {
  const problems = checkCatalogValue(context, pago, 'MonedaP', context.catalogs.moneda).problems;
  if (attributeValue(pago, 'MonedaP') === 'XXX')
    problems.push(problem(RuleCodes.monedaPXxx, attributePath(pago, 'MonedaP'), 'MonedaP must not be "XXX"'));
  return problems;
});

/** CRP20214 and CRP20215: TipoCambioP is given for a currency other than MXN, and is 1 for MXN. */
export const tipoCambioPFitsMonedaP = pagoRule((pago) => {
  const moneda = attributeValue(pago, 'MonedaP');
  const rate = readDecimal(pago, 'TipoCambioP');
  if (moneda === undefined) return [];
  if (moneda === 'MXN')
    return rate && !rate.value.equals(1)
      ? [
          problem(
            RuleCodes.tipoCambioPNotOne,
            attributePath(pago, 'TipoCambioP'),
            `TipoCambioP ${quoted(rate.text)} must be 1 when MonedaP is MXN`,
          ),
        ]
      : [];
  return pago.attributes.has('TipoCambioP')
    ? []
    : [
        problem(
          RuleCodes.tipoCambioPRequired,
          attributePath(pago, 'TipoCambioP'),
          `TipoCambioP is required when MonedaP is ${quoted(moneda)}`,
        ),
      ];
});

/** CRP20218 and CRP20219: Monto is above 0, with at most MonedaP's decimals. */
export const montoValid = pagoRule((pago, context) => {
  const monto = readImporte(pago, 'Monto');
  const moneda = attributeValue(pago, 'MonedaP') ?? 'MonedaP';
  return [
    ...(monto?.value.isZero()
      ? [problem(RuleCodes.montoNotPositive, attributePath(pago, 'Monto'), 'Monto must be greater than 0')]
      : []),
    ...decimalsWithin(
      pago,
      'Monto',
      decimalsOf(context, attributeValue(pago, 'MonedaP')),
      RuleCodes.montoDecimals,
      moneda,
    ),
  ];
});

/**
 * CRP20217: what the related documents say was paid (each ImpPagado over its EquivalenciaDR, in
 * MonedaP) adds up to at most the Monto, rounded to the Monto's precision.
 */
export const impPagadoWithinMonto = pagoRule((pago, context) => {
  const monto = readImporte(pago, 'Monto');
  const decimals = decimalsOf(context, attributeValue(pago, 'MonedaP'));
  const terms = doctosOf(pago).map((docto) => {
    const paid = readImporte(docto, 'ImpPagado');
    const equivalence = equivalenceOf(docto, pago);
    return paid && equivalence ? paid.value.div(equivalence) : undefined;
  });
  // A Monto of 0 is CRP20218's: any payment at all would exceed it.
  if (!monto || monto.value.isZero() || decimals === undefined || terms.some((term) => term === undefined))
    return [];
  const paid = roundTo(
    sumOf(terms as NonNullable<(typeof terms)[number]>[]),
    Math.max(monto.decimals, decimals),
  );
  if (paid.lessThanOrEqualTo(monto.value)) return [];
  return [
    problem(
      RuleCodes.impPagadoExceedsMonto,
      attributePath(pago, 'Monto'),
      `the DoctoRelacionado ImpPagado values add up to ${paid.toFixed()} in MonedaP, more than the Monto ${monto.text}`,
    ),
  ];
});

/**
 * CRP20221, CRP20224, CRP20227, CRP20228: the ordering and beneficiary bank RFCs and accounts are given
 * only for a FormaDePagoP that c_FormaPago allows them for; CRP20225 and CRP20226: the accounts have
 * the form it gives.
 */
export const bankDataFitsFormaDePagoP = pagoRule((pago, { catalogs }) => {
  const formaPago = catalogs.formaPago.get(pago.attributes.get('FormaDePagoP') ?? '');
  if (!formaPago) return [];
  const notAllowed = (name: string, allowed: boolean, code: RuleCode): CfdiProblem[] =>
    !allowed && pago.attributes.has(name)
      ? [
          problem(
            code,
            attributePath(pago, name),
            `${name} must not be given for FormaDePagoP ${quoted(formaPago.key)}`,
          ),
        ]
      : [];
  const pattern = (name: string, source: string | null, code: RuleCode): CfdiProblem[] => {
    const value = attributeValue(pago, name);
    const regex = wholeValuePattern(source);
    if (value === undefined || !regex || regex.test(value)) return [];
    return [
      problem(
        code,
        attributePath(pago, name),
        `${name} ${quoted(value)} does not have the form c_FormaPago gives for ${quoted(formaPago.key)}: ${source}`,
      ),
    ];
  };
  return [
    ...notAllowed('RfcEmisorCtaOrd', formaPago.allowsOrderingBankRfc, RuleCodes.rfcEmisorCtaOrdNotAllowed),
    ...notAllowed('CtaOrdenante', formaPago.allowsOrderingAccount, RuleCodes.ctaOrdenanteNotAllowed),
    ...(formaPago.allowsOrderingAccount
      ? pattern('CtaOrdenante', formaPago.orderingAccountPattern, RuleCodes.ctaOrdenantePattern)
      : []),
    ...notAllowed('RfcEmisorCtaBen', formaPago.allowsBeneficiaryBankRfc, RuleCodes.rfcEmisorCtaBenNotAllowed),
    ...notAllowed('CtaBeneficiario', formaPago.allowsBeneficiaryAccount, RuleCodes.ctaBeneficiarioNotAllowed),
    ...(formaPago.allowsBeneficiaryAccount
      ? pattern('CtaBeneficiario', formaPago.beneficiaryAccountPattern, RuleCodes.ctaBeneficiarioPattern)
      : []),
  ];
});

/** CRP20223: a foreign ordering bank (RfcEmisorCtaOrd XEXX010101000) is named in NomBancoOrdExt. */
export const foreignBankNamed = pagoRule((pago) =>
  pago.attributes.get('RfcEmisorCtaOrd') === genericRfcs.foreign && !pago.attributes.has('NomBancoOrdExt')
    ? [
        problem(
          RuleCodes.nomBancoOrdExtRequired,
          attributePath(pago, 'NomBancoOrdExt'),
          `NomBancoOrdExt is required when RfcEmisorCtaOrd is "${genericRfcs.foreign}"`,
        ),
      ]
    : [],
);

/**
 * CRP20229-CRP20235: a SPEI payment chain (TipoCadPago) is given only for a FormaDePagoP that allows it
 * (transfers), and CertPago, CadPago and SelloPago come with it and only with it.
 */
export const paymentChainComplete = pagoRule((pago, { catalogs }) => {
  const formaPago = catalogs.formaPago.get(pago.attributes.get('FormaDePagoP') ?? '');
  const chain = pago.attributes.has('TipoCadPago');
  const problems: CfdiProblem[] = [];
  if (chain && formaPago && !formaPago.allowsPaymentChain)
    problems.push(
      problem(
        RuleCodes.tipoCadPagoNotAllowed,
        attributePath(pago, 'TipoCadPago'),
        `TipoCadPago must not be given for FormaDePagoP ${quoted(formaPago.key)}`,
      ),
    );
  const parts = [
    ['CertPago', RuleCodes.certPagoRequired, RuleCodes.certPagoNotAllowed],
    ['CadPago', RuleCodes.cadPagoRequired, RuleCodes.cadPagoNotAllowed],
    ['SelloPago', RuleCodes.selloPagoRequired, RuleCodes.selloPagoNotAllowed],
  ] as const;
  for (const [name, required, notAllowed] of parts) {
    if (chain && !pago.attributes.has(name))
      problems.push(problem(required, attributePath(pago, name), `${name} is required with TipoCadPago`));
    if (!chain && pago.attributes.has(name))
      problems.push(problem(notAllowed, attributePath(pago, name), `${name} is given only with TipoCadPago`));
  }
  return problems;
});

export const pagoRules: Rule[] = [
  formaDePagoPInCatalog,
  formaDePagoPDefined,
  monedaPValid,
  tipoCambioPFitsMonedaP,
  montoValid,
  impPagadoWithinMonto,
  bankDataFitsFormaDePagoP,
  foreignBankNamed,
  paymentChainComplete,
];
