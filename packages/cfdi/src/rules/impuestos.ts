import type { CfdiProblem } from '../problems.js';
import { attributePath } from '../xml-document.js';
import { allOrNothing, decimalsWithin, monedaOf, readImporte, readImporteOrZero, sumOf } from './amounts.js';
import { summaryOf, typesWithoutImpuestos } from './impuestos-summary.js';
import { RuleCodes } from './rule-codes.js';
import { cfdiChild, problem, type Rule } from './rule-context.js';

/** CFDI40201: a Traslado or Pago document has no Impuestos. */
export const impuestosOnlyWithAmounts: Rule = ({ comprobante, tipoDeComprobante }) => {
  const impuestos = cfdiChild(comprobante, 'Impuestos');
  if (!impuestos || !typesWithoutImpuestos.has(tipoDeComprobante ?? '')) return [];
  return [
    problem(
      RuleCodes.impuestosNotAllowed,
      impuestos.path,
      `Impuestos must not be given when TipoDeComprobante is ${tipoDeComprobante}`,
    ),
  ];
};

/** CFDI40202 and CFDI40204: the two totals have at most the currency's decimals. */
export const totalsDecimals: Rule = (context) => {
  const summary = summaryOf(context);
  if (!summary) return [];
  const currency = monedaOf(context.comprobante);
  return [
    ...decimalsWithin(
      summary.impuestos,
      'TotalImpuestosRetenidos',
      context.currencyDecimals,
      RuleCodes.totalRetenidosDecimals,
      currency,
    ),
    ...decimalsWithin(
      summary.impuestos,
      'TotalImpuestosTrasladados',
      context.currencyDecimals,
      RuleCodes.totalTrasladadosDecimals,
      currency,
    ),
  ];
};

/** CFDI40206 and CFDI40212: withholdings, and transfers other than Exento, come with their total. */
export const totalsGiven: Rule = (context) => {
  const summary = summaryOf(context);
  if (!summary) return [];
  const { impuestos, retenciones, traslados } = summary;
  const problems: CfdiProblem[] = [];
  if (retenciones.length > 0 && !impuestos.attributes.has('TotalImpuestosRetenidos'))
    problems.push(
      problem(
        RuleCodes.totalRetenidosRequired,
        attributePath(impuestos, 'TotalImpuestosRetenidos'),
        'TotalImpuestosRetenidos is required when there are Retenciones',
      ),
    );
  const taxed = traslados.some((traslado) => traslado.attributes.get('TipoFactor') !== 'Exento');
  if (taxed && !impuestos.attributes.has('TotalImpuestosTrasladados'))
    problems.push(
      problem(
        RuleCodes.totalTrasladadosRequired,
        attributePath(impuestos, 'TotalImpuestosTrasladados'),
        'TotalImpuestosTrasladados is required when a Traslado is not Exento',
      ),
    );
  return problems;
};

/** CFDI40203 and CFDI40205: each total is the sum of the Importe values of its lines. */
export const totalsAreSums: Rule = (context) => {
  const summary = summaryOf(context);
  if (!summary) return [];
  const checks = [
    ['TotalImpuestosRetenidos', summary.retenciones, RuleCodes.totalRetenidosMismatch, 'Retencion'],
    ['TotalImpuestosTrasladados', summary.traslados, RuleCodes.totalTrasladadosMismatch, 'Traslado'],
  ] as const;
  return checks.flatMap(([name, lines, code, lineName]): CfdiProblem[] => {
    const total = readImporte(summary.impuestos, name);
    const importes = allOrNothing(lines.map((line) => readImporteOrZero(line, 'Importe')));
    if (!total || !importes) return [];
    const sum = sumOf(importes);
    if (total.value.equals(sum)) return [];
    return [
      problem(
        code,
        attributePath(summary.impuestos, name),
        `${name} ${total.text} is not the sum of the ${lineName} Importe values: ${sum.toFixed()}`,
      ),
    ];
  });
};

export const impuestosTotalsRules: Rule[] = [
  impuestosOnlyWithAmounts,
  totalsDecimals,
  totalsGiven,
  totalsAreSums,
];
