import type { CfdiProblem } from '../../problems.js';
import { attributePath, type XmlElement } from '../../xml-document.js';
import { readDecimal, readImporte, roundTo, show, sumOf, zero } from '../amounts.js';
import type { DecimalNumber } from '../decimal-number.js';
import { type RuleCode, RuleCodes } from '../rule-codes.js';
import { attributeValue, problem, type Rule } from '../rule-context.js';
import { exchangeRateOf, pagoChild, pagoChildren, pagoGrandchildren, pagosOf } from './pagos.js';

// Totales are in Mexican pesos with 2 decimals: each is the rounded sum, over every Pago, of its
// ImpuestosP amounts (or its Monto) times its TipoCambioP.
const totalDecimals = 2;

interface TotalRule {
  attribute: string;
  code: RuleCode;
  /** Which ImpuestosP lines it sums, and which of their attributes. */
  lines: 'RetencionP' | 'TrasladoP';
  amount: 'ImporteP' | 'BaseP';
  impuesto: string;
  factor?: string;
  rate?: string;
}

const ivaTransfer = (
  percent: string,
  rate: string,
  baseCode: RuleCode,
  importeCode: RuleCode,
): TotalRule[] => [
  {
    attribute: `TotalTrasladosBaseIVA${percent}`,
    code: baseCode,
    lines: 'TrasladoP',
    amount: 'BaseP',
    impuesto: '002',
    factor: 'Tasa',
    rate,
  },
  {
    attribute: `TotalTrasladosImpuestoIVA${percent}`,
    code: importeCode,
    lines: 'TrasladoP',
    amount: 'ImporteP',
    impuesto: '002',
    factor: 'Tasa',
    rate,
  },
];

const totalRules: TotalRule[] = [
  {
    attribute: 'TotalRetencionesIVA',
    code: RuleCodes.totalRetencionesIva,
    lines: 'RetencionP',
    amount: 'ImporteP',
    impuesto: '002',
  },
  {
    attribute: 'TotalRetencionesISR',
    code: RuleCodes.totalRetencionesIsr,
    lines: 'RetencionP',
    amount: 'ImporteP',
    impuesto: '001',
  },
  {
    attribute: 'TotalRetencionesIEPS',
    code: RuleCodes.totalRetencionesIeps,
    lines: 'RetencionP',
    amount: 'ImporteP',
    impuesto: '003',
  },
  ...ivaTransfer('16', '0.16', RuleCodes.totalTrasladosBaseIva16, RuleCodes.totalTrasladosImpuestoIva16),
  ...ivaTransfer('8', '0.08', RuleCodes.totalTrasladosBaseIva8, RuleCodes.totalTrasladosImpuestoIva8),
  ...ivaTransfer('0', '0', RuleCodes.totalTrasladosBaseIva0, RuleCodes.totalTrasladosImpuestoIva0),
  {
    attribute: 'TotalTrasladosBaseIVAExento',
    code: RuleCodes.totalTrasladosBaseIvaExento,
    lines: 'TrasladoP',
    amount: 'BaseP',
    impuesto: '002',
    factor: 'Exento',
  },
];

// When a Pago has lines of a kind but Totales has none of the totals for them, SAT reports that once.
const families = [
  {
    code: RuleCodes.totalRetencionesRequired,
    attributes: totalRules.slice(0, 3),
    what: 'TotalRetencionesIVA, ISR or IEPS',
  },
  {
    code: RuleCodes.totalTrasladosBaseRequired,
    attributes: totalRules.filter((rule) => rule.amount === 'BaseP'),
    what: 'TotalTrasladosBaseIVA16, 8, 0 or Exento',
  },
  {
    code: RuleCodes.totalTrasladosImpuestoRequired,
    attributes: totalRules.filter((rule) => rule.lines === 'TrasladoP' && rule.amount === 'ImporteP'),
    what: 'TotalTrasladosImpuestoIVA16, 8 or 0',
  },
];

interface Contribution {
  /** Sum of amount × TipoCambioP over the lines; undefined when a term cannot be read. */
  sum: DecimalNumber | undefined;
  lines: number;
}

function contributionTo(rule: TotalRule, pagos: XmlElement): Contribution {
  let sum: DecimalNumber | undefined = zero;
  let lines = 0;
  for (const pago of pagoChildren(pagos, 'Pago')) {
    const impuestosP = pagoChild(pago, 'ImpuestosP');
    const group = rule.lines === 'RetencionP' ? 'RetencionesP' : 'TrasladosP';
    const matching = pagoGrandchildren(impuestosP, group, rule.lines).filter((line) => matches(rule, line));
    if (matching.length === 0) continue;
    lines += matching.length;
    const rate = exchangeRateOf(pago);
    const amounts = matching.map((line) => readImporte(line, rule.amount)?.value);
    if (!rate || amounts.some((amount) => amount === undefined)) sum = undefined;
    else if (sum) sum = sum.plus(sumOf(amounts as DecimalNumber[]).times(rate));
  }
  return { sum, lines };
}

function matches(rule: TotalRule, line: XmlElement): boolean {
  if (attributeValue(line, 'ImpuestoP') !== rule.impuesto) return false;
  if (rule.lines === 'RetencionP') return true;
  if (attributeValue(line, 'TipoFactorP') !== rule.factor) return false;
  if (rule.rate === undefined) return true;
  const rate = readDecimal(line, 'TasaOCuotaP');
  return rate?.value.equals(rule.rate) ?? false;
}

/**
 * CRP20201-CRP20210, CRP20264, CRP20267, CRP20273: each tax total of Totales is the rounded sum of its
 * ImpuestosP lines times TipoCambioP, and is given when there are such lines.
 */
export const totalesAreSumsOfImpuestosP: Rule = ({ comprobante }) =>
  pagosOf(comprobante).flatMap((pagos) => {
    const totales = pagoChild(pagos, 'Totales');
    if (!totales) return [];
    const contributions = new Map(totalRules.map((rule) => [rule, contributionTo(rule, pagos)]));
    const problems: CfdiProblem[] = [];
    const reportedFamilies = new Set<TotalRule>();
    for (const family of families) {
      const needed = family.attributes.filter((rule) => (contributions.get(rule)?.lines ?? 0) > 0);
      const given = family.attributes.filter((rule) => totales.attributes.has(rule.attribute));
      if (needed.length > 0 && given.length === 0) {
        problems.push(
          problem(family.code, totales.path, `Totales needs ${family.what} for the Pagos' taxes`),
        );
        for (const rule of needed) reportedFamilies.add(rule);
      }
    }
    for (const rule of totalRules) {
      const contribution = contributions.get(rule);
      if (!contribution || reportedFamilies.has(rule)) continue;
      problems.push(...totalProblems(totales, rule.attribute, rule.code, contribution));
    }
    return problems;
  });

/** CRP20211: MontoTotalPagos is the rounded sum of every Monto times its TipoCambioP. */
export const montoTotalPagosIsSum: Rule = ({ comprobante }) =>
  pagosOf(comprobante).flatMap((pagos) => {
    const totales = pagoChild(pagos, 'Totales');
    if (!totales) return [];
    const pagosList = pagoChildren(pagos, 'Pago');
    const terms = pagosList.map((pago) => {
      const monto = readImporte(pago, 'Monto');
      const rate = exchangeRateOf(pago);
      return monto && rate ? monto.value.times(rate) : undefined;
    });
    const sum = terms.every((term) => term !== undefined) ? sumOf(terms as DecimalNumber[]) : undefined;
    return totalProblems(totales, 'MontoTotalPagos', RuleCodes.montoTotalPagos, {
      sum,
      lines: pagosList.length,
    });
  });

function totalProblems(totales: XmlElement, attribute: string, code: RuleCode, contribution: Contribution) {
  if (!contribution.sum) return [];
  const path = attributePath(totales, attribute);
  const expected = roundTo(contribution.sum, totalDecimals);
  // A total the Pagos put nothing into may be left out.
  if (!totales.attributes.has(attribute))
    return expected.isZero()
      ? []
      : [
          problem(
            code,
            path,
            `${attribute} is required: the Pagos add up to ${show(expected, totalDecimals)}`,
          ),
        ];
  const declared = readImporte(totales, attribute);
  if (!declared || declared.value.equals(expected)) return [];
  return [
    problem(
      code,
      path,
      `${attribute} ${declared.text} is not the sum over the Pagos times TipoCambioP, rounded to ${totalDecimals} decimals: ${show(expected, totalDecimals)}`,
    ),
  ];
}

export const totalesRules: Rule[] = [totalesAreSumsOfImpuestosP, montoTotalPagosIsSum];
