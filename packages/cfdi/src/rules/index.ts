import type { ProblemSink } from '../problem-list.js';
import type { CfdiProblem } from '../problems.js';
import type { XmlElement } from '../xml-document.js';
import { cfdiRelacionadosRules } from './cfdi-relacionados.js';
import { comprobanteAmountRules } from './comprobante-amounts.js';
import { conceptoImpuestosRules } from './concepto-impuestos.js';
import { conceptoRules } from './conceptos.js';
import { currencyAndExchangeRules } from './currency-and-exchange.js';
import { dateRules } from './dates.js';
import { emisorRules } from './emisor.js';
import { exportacionRules } from './exportacion.js';
import { impuestosTotalsRules } from './impuestos.js';
import { impuestosLineRules } from './impuestos-lines.js';
import { informacionGlobalRules } from './informacion-global.js';
import { pagos20Rules } from './pagos20/index.js';
import { receptorRules } from './receptor.js';
import { type Rule, ruleContextFor, type SatRuleOptions } from './rule-context.js';
import { tipoDeComprobanteRules } from './tipo-de-comprobante.js';

export { type RuleCode, RuleCodes } from './rule-codes.js';
export type { SatRuleOptions } from './rule-context.js';

/** Every rule, in the order of SAT's matrix: Comprobante, Emisor, Receptor, Conceptos, Impuestos, Pagos. */
export const satRules: readonly Rule[] = [
  ...dateRules,
  ...tipoDeComprobanteRules,
  ...comprobanteAmountRules,
  ...currencyAndExchangeRules,
  ...exportacionRules,
  ...informacionGlobalRules,
  ...cfdiRelacionadosRules,
  ...emisorRules,
  ...receptorRules,
  ...conceptoRules,
  ...conceptoImpuestosRules,
  ...impuestosTotalsRules,
  ...impuestosLineRules,
  ...pagos20Rules,
];

/**
 * SAT's rules for a CFDI 4.0 Comprobante that can be checked from the document and the catalogs alone
 * (matriz de errores CFDI401xx-CFDI402xx, Pagos 2.0 CRP2xxxx). A value the structure check reports as
 * missing or malformed is skipped here, not reported twice; `now` dates the Fecha, the catalogs' validity
 * is judged on the Fecha's day. Problems go to `problems` when given (validateCfdi's list, which
 * keeps only so many), else to a new array.
 */
export function checkSatRules(comprobante: XmlElement, options: SatRuleOptions): CfdiProblem[];
export function checkSatRules<Sink extends ProblemSink>(
  comprobante: XmlElement,
  options: SatRuleOptions,
  problems: Sink,
): Sink;
export function checkSatRules(
  comprobante: XmlElement,
  options: SatRuleOptions,
  problems: ProblemSink = [],
): ProblemSink {
  const context = ruleContextFor(comprobante, options);
  for (const rule of satRules) {
    const found = rule(context);
    for (let index = 0; index < found.length; index++) problems.push(found[index]!);
  }
  return problems;
}
