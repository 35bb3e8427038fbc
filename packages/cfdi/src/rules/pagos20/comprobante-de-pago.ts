import type { CfdiProblem } from '../../problems.js';
import { quoted } from '../../problems.js';
import { attributePath, type XmlElement } from '../../xml-document.js';
import { readDecimal } from '../amounts.js';
import { type RuleCode, RuleCodes } from '../rule-codes.js';
import { conceptosOf, problem, type Rule, type RuleContext } from '../rule-context.js';
import { pagosOf } from './pagos.js';

// A Comprobante that carries Pagos 2.0 is an envelope of fixed values (Guía de llenado del complemento
// de pagos). Where the CFDI 4.0 matrix already has a code for the same value (FormaPago CFDI40103,
// MetodoPago CFDI40125, SubTotal and Total CFDI40109, TipoCambio CFDI40116, a Concepto's Descuento
// CFDI40111, its Impuestos CFDI40172), that code is the one reported, once.

function envelopeRule(check: (context: RuleContext) => CfdiProblem[]): Rule {
  return (context) => (pagosOf(context.comprobante).length > 0 ? check(context) : []);
}

function mustBe(element: XmlElement, name: string, expected: string, code: RuleCode): CfdiProblem[] {
  const value = element.attributes.get(name);
  if (value === undefined || value === expected) return [];
  return [
    problem(code, attributePath(element, name), `${name} ${quoted(value)} must be "${expected}" in a Pago`),
  ];
}

function mustBeAbsent(element: XmlElement, name: string, code: RuleCode): CfdiProblem[] {
  return element.attributes.has(name)
    ? [problem(code, attributePath(element, name), `${name} must not be given in a Pago`)]
    : [];
}

/** CRP20101, CRP20102, CRP20104: a Pago is TipoDeComprobante P, Exportacion 01, Moneda XXX. */
export const pagoComprobanteValues = envelopeRule(({ comprobante }) => [
  ...mustBe(comprobante, 'TipoDeComprobante', 'P', RuleCodes.pagoTipoDeComprobante),
  ...mustBe(comprobante, 'Exportacion', '01', RuleCodes.pagoExportacion),
  ...mustBe(comprobante, 'Moneda', 'XXX', RuleCodes.pagoMoneda),
]);

/** CRP20107, CRP20108: a Pago has no CondicionesDePago and no Descuento. */
export const pagoComprobanteAbsentValues = envelopeRule(({ comprobante }) => [
  ...mustBeAbsent(comprobante, 'CondicionesDePago', RuleCodes.pagoCondicionesDePago),
  ...mustBeAbsent(comprobante, 'Descuento', RuleCodes.pagoDescuento),
]);

/** CRP20111: a Pago has exactly one Concepto. */
export const pagoOneConcepto = envelopeRule(({ comprobante }) => {
  const conceptos = conceptosOf(comprobante);
  return conceptos.length > 1
    ? conceptos
        .slice(1)
        .map((concepto) =>
          problem(RuleCodes.pagoOneConcepto, concepto.path, 'a Pago has exactly one Concepto'),
        )
    : [];
});

/**
 * CRP20113-CRP20122: the Concepto of a Pago is ClaveProdServ 84111506, Cantidad 1, ClaveUnidad ACT,
 * Descripcion "Pago", ValorUnitario and Importe 0, ObjetoImp 01, with no NoIdentificacion nor Unidad.
 */
export const pagoConceptoValues = envelopeRule(({ comprobante }) => {
  const [concepto] = conceptosOf(comprobante);
  if (!concepto) return [];
  return [
    ...mustBe(concepto, 'ClaveProdServ', '84111506', RuleCodes.pagoClaveProdServ),
    ...mustBeAbsent(concepto, 'NoIdentificacion', RuleCodes.pagoNoIdentificacion),
    ...numberMustBe(concepto, 'Cantidad', 1, RuleCodes.pagoCantidad),
    ...mustBe(concepto, 'ClaveUnidad', 'ACT', RuleCodes.pagoClaveUnidad),
    ...mustBeAbsent(concepto, 'Unidad', RuleCodes.pagoUnidad),
    ...mustBe(concepto, 'Descripcion', 'Pago', RuleCodes.pagoDescripcion),
    ...numberMustBe(concepto, 'ValorUnitario', 0, RuleCodes.pagoValorUnitario),
    ...numberMustBe(concepto, 'Importe', 0, RuleCodes.pagoImporte),
    ...mustBe(concepto, 'ObjetoImp', '01', RuleCodes.pagoObjetoImp),
  ];
});

function numberMustBe(element: XmlElement, name: string, expected: number, code: RuleCode): CfdiProblem[] {
  const value = readDecimal(element, name);
  if (!value || value.value.equals(expected)) return [];
  return [problem(code, attributePath(element, name), `${name} ${value.text} must be ${expected} in a Pago`)];
}

export const comprobanteDePagoRules: Rule[] = [
  pagoComprobanteValues,
  pagoComprobanteAbsentValues,
  pagoOneConcepto,
  pagoConceptoValues,
];
