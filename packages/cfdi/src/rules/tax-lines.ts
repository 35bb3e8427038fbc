import type { CfdiCatalogs, IsoDate, TasaOCuotaRule } from '../catalogs/cfdi-catalogs.js';
import { validityOn } from '../catalogs/cfdi-catalogs.js';
import type { CfdiProblem } from '../problems.js';
import { quoted } from '../problems.js';
import { attributePath, type XmlElement } from '../xml-document.js';
import {
  describeLimits,
  isWithin,
  readDecimal,
  readImporte,
  taxLimits,
  type WrittenNumber,
} from './amounts.js';
import { DecimalNumber } from './decimal-number.js';
import { type RuleCode, RuleCodes } from './rule-codes.js';
import {
  attributeValue,
  checkCatalogValue,
  expiredMessage,
  problem,
  type RuleContext,
} from './rule-context.js';

/** A transferred tax (traslado) or a withheld one (retención). */
export type TaxKind = 'transfer' | 'withholding';

/** The attribute names of one tax line: `Base` in a Concepto, `BaseDR` in a DoctoRelacionado. */
export interface TaxLineNames {
  base: string;
  impuesto: string;
  tipoFactor: string;
  tasaOCuota: string;
  importe: string;
}

/** The codes a tax line reports; `exento` is "Exento with amounts" for a transfer, "Exento at all" for a withholding. */
export interface TaxLineCodes {
  baseNotPositive: RuleCode;
  impuestoUnknown: RuleCode;
  tipoFactorUnknown: RuleCode;
  exento: RuleCode;
  /** Transfers only: Tasa or Cuota without TasaOCuota and Importe. */
  amountsRequired?: RuleCode;
  tasaOCuotaUnknown: RuleCode;
  importeOutOfLimits: RuleCode;
}

/** The amounts of a tax line are in this currency. */
export interface TaxCurrency {
  decimals: number | undefined;
  name: string;
}

/** One tax line and how to read and report it. */
interface TaxLine {
  context: RuleContext;
  line: XmlElement;
  kind: TaxKind;
  names: TaxLineNames;
  codes: TaxLineCodes;
  currency: TaxCurrency;
}

/**
 * The rules every tax line follows, in a Concepto (CFDI40174-CFDI40186) as in a DoctoRelacionado
 * (CRP20249-CRP20261): a positive Base, an Impuesto of c_Impuesto that can be transferred or withheld,
 * a TipoFactor of c_TipoFactor (never Exento for a withholding), TasaOCuota and Importe exactly when the
 * factor is Tasa or Cuota, a rate c_TasaOCuota allows for that tax and factor, and an Importe within
 * Anexo 20's limits around Base × rate. Each step needs the ones before it to have read their values.
 */
export function checkTaxLine(
  context: RuleContext,
  line: XmlElement,
  kind: TaxKind,
  names: TaxLineNames,
  codes: TaxLineCodes,
  currency: TaxCurrency,
): CfdiProblem[] {
  const tax: TaxLine = { context, line, kind, names, codes, currency };
  const impuesto = impuestoOf(tax);
  const factor = checkCatalogValue(
    context,
    line,
    names.tipoFactor,
    context.catalogs.tipoFactor,
    codes.tipoFactorUnknown,
  );
  const problems = [...basePositive(tax), ...impuesto.problems, ...factor.problems];
  if (!factor.entry) return problems;
  if (factor.entry.key === 'Exento') return [...problems, ...exentoProblems(tax)];
  problems.push(...amountsGiven(tax, factor.entry.key));
  if (!impuesto.entry) return problems;
  const rate = rateOf(tax, impuesto.entry.key, factor.entry.key);
  return [...problems, ...rate.problems, ...(rate.accepted ? importeWithinLimits(tax, rate.accepted) : [])];
}

function basePositive({ line, names, codes }: TaxLine): CfdiProblem[] {
  return readImporte(line, names.base)?.value.isZero()
    ? [
        problem(
          codes.baseNotPositive,
          attributePath(line, names.base),
          `${names.base} must be greater than 0`,
        ),
      ]
    : [];
}

/** The Impuesto's entry when c_Impuesto has it for this kind of tax. */
function impuestoOf({ context, line, kind, names, codes }: TaxLine) {
  const check = checkCatalogValue(
    context,
    line,
    names.impuesto,
    context.catalogs.impuesto,
    codes.impuestoUnknown,
  );
  const entry = check.entry;
  if (!entry || (kind === 'transfer' ? entry.transferred : entry.withheld)) return check;
  const what = kind === 'transfer' ? 'transferred' : 'withheld';
  return {
    entry: undefined,
    problems: [
      problem(
        codes.impuestoUnknown,
        attributePath(line, names.impuesto),
        `${names.impuesto} ${quoted(entry.key)} is not a ${what} tax in c_Impuesto`,
      ),
    ],
  };
}

/** An exempt transfer has no rate nor amount; a withholding is never exempt. */
function exentoProblems({ line, kind, names, codes }: TaxLine): CfdiProblem[] {
  if (kind === 'withholding')
    return [
      problem(
        codes.exento,
        attributePath(line, names.tipoFactor),
        `${names.tipoFactor} of a withholding must not be Exento`,
      ),
    ];
  const extra = [names.tasaOCuota, names.importe].filter((name) => line.attributes.has(name));
  return extra.length > 0
    ? [problem(codes.exento, line.path, `an Exento ${names.tipoFactor} takes no ${extra.join(' nor ')}`)]
    : [];
}

function amountsGiven({ line, names, codes }: TaxLine, factor: string): CfdiProblem[] {
  const missing = [names.tasaOCuota, names.importe].filter((name) => !line.attributes.has(name));
  if (!codes.amountsRequired || missing.length === 0) return [];
  return [
    problem(
      codes.amountsRequired,
      line.path,
      `a ${factor} ${names.tipoFactor} needs ${missing.join(' and ')}`,
    ),
  ];
}

/** The rate when c_TasaOCuota has it for this tax and factor (valid on the day or not). */
function rateOf(tax: TaxLine, impuesto: string, factor: string) {
  const { context, line, kind, names, codes } = tax;
  const rate = readDecimal(line, names.tasaOCuota);
  if (!rate) return { problems: [], accepted: undefined };
  const match = matchTasaOCuota(context.catalogs, impuesto, factor, kind, rate.value, context.catalogDay);
  if (match.status === 'valid') return { problems: [], accepted: rate };
  const path = attributePath(line, names.tasaOCuota);
  const subject = `${names.tasaOCuota} ${rate.text} for ${names.impuesto} ${impuesto} ${factor}`;
  if (match.status === 'unknown') {
    const use = kind === 'transfer' ? 'transfer' : 'withholding';
    return {
      problems: [problem(codes.tasaOCuotaUnknown, path, `${subject} is not a ${use} rate of c_TasaOCuota`)],
      accepted: undefined,
    };
  }
  const expired =
    match.status === 'expired' && expiredMessage(context, match.rule, `${subject} of c_TasaOCuota`);
  return { problems: expired ? [problem(RuleCodes.catalogValueExpired, path, expired)] : [], accepted: rate };
}

function importeWithinLimits({ line, names, codes, currency }: TaxLine, rate: WrittenNumber): CfdiProblem[] {
  const base = readImporte(line, names.base);
  const importe = readImporte(line, names.importe);
  if (!base || !importe || currency.decimals === undefined) return [];
  const limits = taxLimits(base, rate.value, currency.decimals);
  if (isWithin(importe.value, limits)) return [];
  return [
    problem(
      codes.importeOutOfLimits,
      attributePath(line, names.importe),
      `${names.importe} ${importe.text} must be ${describeLimits(limits)} (${names.base} ${base.text} × ${rate.text} in ${currency.name})`,
    ),
  ];
}

/** Whether c_TasaOCuota allows a rate, and under which rule. */
export type TasaOCuotaMatch = { status: 'unknown' } | { status: 'valid' | 'expired'; rule: TasaOCuotaRule };

/**
 * The c_TasaOCuota rule a rate falls under for that tax, factor and use: a fixed rate equal to it or a
 * range holding it, preferring one valid on the day. Rates compare as numbers ("0.16" is 0.160000).
 */
export function matchTasaOCuota(
  catalogs: CfdiCatalogs,
  impuesto: string,
  factor: string,
  kind: TaxKind,
  rate: DecimalNumber,
  day: IsoDate | undefined,
): TasaOCuotaMatch {
  let first: TasaOCuotaRule | undefined;
  for (const { rule, value, minimum } of rateRulesOf(catalogs.tasaOCuota, impuesto, factor)) {
    if (!(kind === 'transfer' ? rule.transferred : rule.withheld)) continue;
    const holds =
      rule.kind === 'fixed'
        ? rate.equals(value)
        : rate.greaterThanOrEqualTo(minimum) && rate.lessThanOrEqualTo(value);
    if (!holds) continue;
    // The first rule that holds and is valid on the day; failing that, the first that holds.
    if (day === undefined || validityOn(rule, day) === 'valid') return { status: 'valid', rule };
    first ??= rule;
  }
  return first ? { status: 'expired', rule: first } : { status: 'unknown' };
}

/** A c_TasaOCuota rule with its numbers read. */
interface RateRule {
  rule: TasaOCuotaRule;
  value: DecimalNumber;
  minimum: DecimalNumber;
}

// c_TasaOCuota's rules by Impuesto, then TipoFactor, their numbers read once per catalog, not per line.
const rateRulesByCatalog = new WeakMap<readonly TasaOCuotaRule[], Map<string, Map<string, RateRule[]>>>();
const noRateRules: readonly RateRule[] = Object.freeze([]);

function rateRulesOf(
  catalog: readonly TasaOCuotaRule[],
  impuesto: string,
  factor: string,
): readonly RateRule[] {
  let byTax = rateRulesByCatalog.get(catalog);
  if (!byTax) {
    byTax = new Map();
    for (const rule of catalog) {
      const byFactor = byTax.get(rule.impuesto) ?? new Map<string, RateRule[]>();
      byTax.set(rule.impuesto, byFactor);
      const rules = byFactor.get(rule.factor) ?? [];
      rules.push({
        rule,
        value: DecimalNumber.parse(rule.value),
        minimum: rule.minimum === null ? DecimalNumber.zero : DecimalNumber.parse(rule.minimum),
      });
      byFactor.set(rule.factor, rules);
    }
    rateRulesByCatalog.set(catalog, byTax);
  }
  return byTax.get(impuesto)?.get(factor) ?? noRateRules;
}

/** The key a tax line is summed under: Impuesto, TipoFactor and the rate as a number (none for Exento). */
export function taxGroupKey(
  line: XmlElement,
  names: Pick<TaxLineNames, 'impuesto' | 'tipoFactor' | 'tasaOCuota'>,
) {
  const factor = attributeValue(line, names.tipoFactor) ?? '';
  let rateKey = '';
  if (factor !== 'Exento') {
    const rate = readDecimal(line, names.tasaOCuota);
    rateKey = rate ? rate.value.toFixed() : (line.attributes.get(names.tasaOCuota) ?? '');
  }
  return `${attributeValue(line, names.impuesto) ?? ''} ${factor} ${rateKey}`;
}

/** A group key in words, for messages. */
export function describeTaxGroup(key: string): string {
  const [impuesto, factor, rate] = key.split(' ');
  return `Impuesto ${impuesto || '(none)'} ${factor || '(no TipoFactor)'}${rate ? ` ${rate}` : ''}`;
}

/**
 * Whether a tax line belongs in a summary: its tax, factor and rate are ones checkTaxLine accepts. A
 * line it rejects is reported there, not again as missing from the summary.
 */
export function isSummarizable(
  context: RuleContext,
  line: XmlElement,
  kind: TaxKind,
  names: TaxLineNames,
): boolean {
  const impuesto = context.catalogs.impuesto.get(line.attributes.get(names.impuesto) ?? '');
  const factor = line.attributes.get(names.tipoFactor) ?? '';
  if (!impuesto || !(kind === 'transfer' ? impuesto.transferred : impuesto.withheld)) return false;
  if (!context.catalogs.tipoFactor.get(factor)) return false;
  if (factor === 'Exento')
    return (
      kind === 'transfer' && !line.attributes.has(names.tasaOCuota) && !line.attributes.has(names.importe)
    );
  const rate = readDecimal(line, names.tasaOCuota);
  if (!rate || !line.attributes.has(names.importe)) return false;
  return (
    matchTasaOCuota(context.catalogs, impuesto.key, factor, kind, rate.value, context.catalogDay).status !==
    'unknown'
  );
}

/**
 * A summary line's transfer rate (`TasaOCuota`, `TasaOCuotaP`) against c_TasaOCuota on the Fecha's
 * day: unknown for its Impuesto and TipoFactor (`unknownCode`), or expired.
 */
export function transferRateProblems(
  context: RuleContext,
  line: XmlElement,
  names: { rate: string; impuesto: string },
  group: { impuesto: string; factor: string },
  unknownCode: RuleCode,
): CfdiProblem[] {
  const rate = readDecimal(line, names.rate);
  if (!rate) return [];
  const match = matchTasaOCuota(
    context.catalogs,
    group.impuesto,
    group.factor,
    'transfer',
    rate.value,
    context.catalogDay,
  );
  if (match.status === 'valid') return [];
  const path = attributePath(line, names.rate);
  const subject = `${names.rate} ${rate.text} for ${names.impuesto} ${group.impuesto} ${group.factor}`;
  if (match.status === 'unknown')
    return [problem(unknownCode, path, `${subject} is not a transfer rate of c_TasaOCuota`)];
  const expired =
    match.status === 'expired' && expiredMessage(context, match.rule, `${subject} of c_TasaOCuota`);
  return expired ? [problem(RuleCodes.catalogValueExpired, path, expired)] : [];
}
