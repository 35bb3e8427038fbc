import type { CfdiProblem } from '../problems.js';
import { quoted } from '../problems.js';
import { attributePath, type XmlElement } from '../xml-document.js';
import {
  allOrNothing,
  decimalsWithin,
  monedaOf,
  readImporte,
  readImporteOrZero,
  roundTo,
  show,
  sumOf,
} from './amounts.js';
import { conceptTaxNames } from './concepto-impuestos.js';
import type { DecimalNumber } from './decimal-number.js';
import { conceptLines, summaryOf, typesWithoutImpuestos } from './impuestos-summary.js';
import { type RuleCode, RuleCodes } from './rule-codes.js';
import {
  attributeValue,
  cfdiChild,
  cfdiGrandchildren,
  checkCatalogValue,
  problem,
  type Rule,
} from './rule-context.js';
import { describeTaxGroup, isSummarizable, taxGroupKey, transferRateProblems } from './tax-lines.js';

// Each line of the Comprobante's Impuestos against the Concepto lines of its group.

/**
 * CFDI40207, CFDI40208, CFDI40210 and CFDI40211: one Retencion per Impuesto of c_Impuesto, its Importe
 * with at most the currency's decimals and equal to the rounded sum of the Conceptos' withholdings of
 * that Impuesto.
 */
export const retencionesSummarizeConceptos: Rule = (context) => {
  const summary = summaryOf(context);
  if (!summary) return [];
  const { currencyDecimals } = context;
  const currency = monedaOf(context.comprobante);
  const conceptRetenciones = conceptLines(context, 'Retenciones', 'Retencion');
  const seen = new Set<string>();
  return summary.retenciones.flatMap((retencion) => {
    const problems = checkCatalogValue(
      context,
      retencion,
      'Impuesto',
      context.catalogs.impuesto,
      RuleCodes.totalRetencionImpuestoUnknown,
    ).problems;
    const impuesto = attributeValue(retencion, 'Impuesto');
    if (impuesto === undefined) return problems;
    // A repeated line is reported as such; its sum would only repeat the first one's.
    if (seen.has(impuesto))
      return [
        ...problems,
        problem(
          RuleCodes.totalRetencionRepeated,
          attributePath(retencion, 'Impuesto'),
          `there is already a Retencion for Impuesto ${quoted(impuesto)}: one per tax`,
        ),
      ];
    seen.add(impuesto);
    problems.push(
      ...decimalsWithin(
        retencion,
        'Importe',
        currencyDecimals,
        RuleCodes.totalRetencionImporteDecimals,
        currency,
      ),
    );
    const lines = conceptRetenciones.filter((line) => line.attributes.get('Impuesto') === impuesto);
    problems.push(
      ...sumMismatch(retencion, 'Importe', lines, currencyDecimals, RuleCodes.totalRetencionImporteMismatch),
    );
    return problems;
  });
};

/**
 * CFDI40213-CFDI40221: one Traslado per Impuesto, TipoFactor and TasaOCuota; an Exento one with only
 * Base, Impuesto and TipoFactor; an Impuesto c_Impuesto transfers, a rate of c_TasaOCuota; Base and
 * Importe with at most the currency's decimals, each the rounded sum of the Conceptos' lines in its group.
 */
export const trasladosSummarizeConceptos: Rule = (context) => {
  const summary = summaryOf(context);
  if (!summary) return [];
  const { currencyDecimals, catalogs } = context;
  const currency = monedaOf(context.comprobante);
  const conceptTraslados = conceptLines(context, 'Traslados', 'Traslado').map((line) => ({
    line,
    key: taxGroupKey(line, conceptTaxNames),
  }));
  const seen = new Set<string>();
  return summary.traslados.flatMap((traslado) => {
    const problems: CfdiProblem[] = [];
    const impuestoCheck = checkCatalogValue(
      context,
      traslado,
      'Impuesto',
      catalogs.impuesto,
      RuleCodes.totalTrasladoImpuestoUnknown,
    );
    problems.push(...impuestoCheck.problems);
    if (impuestoCheck.entry && !impuestoCheck.entry.transferred)
      problems.push(
        problem(
          RuleCodes.totalTrasladoImpuestoUnknown,
          attributePath(traslado, 'Impuesto'),
          `Impuesto ${quoted(impuestoCheck.entry.key)} is not a transferred tax in c_Impuesto`,
        ),
      );
    const factor = checkCatalogValue(context, traslado, 'TipoFactor', catalogs.tipoFactor);
    problems.push(...factor.problems);

    const key = taxGroupKey(traslado, conceptTaxNames);
    if (seen.has(key))
      return [
        ...problems,
        problem(
          RuleCodes.totalTrasladoRepeated,
          traslado.path,
          `there is already a Traslado for ${describeTaxGroup(key)}`,
        ),
      ];
    seen.add(key);

    if (factor.entry?.key === 'Exento') {
      const extra = ['TasaOCuota', 'Importe'].filter((name) => traslado.attributes.has(name));
      if (extra.length > 0)
        problems.push(
          problem(
            RuleCodes.totalTrasladoExentoWithAmounts,
            traslado.path,
            `an Exento Traslado has only Base, Impuesto and TipoFactor, not ${extra.join(' nor ')}`,
          ),
        );
    } else if (factor.entry && impuestoCheck.entry) {
      problems.push(
        ...transferRateProblems(
          context,
          traslado,
          { rate: 'TasaOCuota', impuesto: 'Impuesto' },
          { impuesto: impuestoCheck.entry.key, factor: factor.entry.key },
          RuleCodes.totalTrasladoTasaOCuotaUnknown,
        ),
      );
    }

    problems.push(
      ...decimalsWithin(traslado, 'Base', currencyDecimals, RuleCodes.totalTrasladoBaseDecimals, currency),
      ...decimalsWithin(
        traslado,
        'Importe',
        currencyDecimals,
        RuleCodes.totalTrasladoImporteDecimals,
        currency,
      ),
    );
    const lines = conceptTraslados.filter((keyed) => keyed.key === key).map((keyed) => keyed.line);
    problems.push(
      ...sumMismatch(traslado, 'Base', lines, currencyDecimals, RuleCodes.totalTrasladoBaseMismatch),
    );
    if (traslado.attributes.has('Importe'))
      problems.push(
        ...sumMismatch(traslado, 'Importe', lines, currencyDecimals, RuleCodes.totalTrasladoImporteMismatch),
      );
    return problems;
  });
};

/**
 * concept_tax_not_summarized: every group of Concepto taxes (a Traslado's Impuesto, TipoFactor and
 * TasaOCuota; a Retencion's Impuesto) has its line in the Comprobante's Impuestos. The matrix checks
 * each summary line against the Conceptos, not the other way round; this closes the gap.
 */
export const conceptTaxesSummarized: Rule = (context) => {
  if (typesWithoutImpuestos.has(context.tipoDeComprobante ?? '')) return [];
  const impuestos = cfdiChild(context.comprobante, 'Impuestos');
  const trasladoKeys = new Set(
    cfdiGrandchildren(impuestos, 'Traslados', 'Traslado').map((line) => taxGroupKey(line, conceptTaxNames)),
  );
  const retencionKeys = new Set(
    cfdiGrandchildren(impuestos, 'Retenciones', 'Retencion').map(
      (line) => attributeValue(line, 'Impuesto') ?? '',
    ),
  );
  const missing = new Map<string, XmlElement>();
  for (const line of conceptLines(context, 'Traslados', 'Traslado')) {
    const key = taxGroupKey(line, conceptTaxNames);
    if (trasladoKeys.has(key)) continue;
    const group = `Traslado for ${describeTaxGroup(key)}`;
    if (!missing.has(group) && isSummarizable(context, line, 'transfer', conceptTaxNames))
      missing.set(group, line);
  }
  for (const line of conceptLines(context, 'Retenciones', 'Retencion')) {
    const key = attributeValue(line, 'Impuesto') ?? '';
    if (retencionKeys.has(key)) continue;
    const group = `Retencion for Impuesto ${key}`;
    if (!missing.has(group) && isSummarizable(context, line, 'withholding', conceptTaxNames))
      missing.set(group, line);
  }
  return [...missing].map(([group, line]) =>
    problem(
      RuleCodes.conceptTaxNotSummarized,
      line.path,
      `the Comprobante's Impuestos has no ${group}, which this Concepto line needs`,
    ),
  );
};

/** The summary line's amount against the rounded sum of the same attribute over its Concepto lines. */
function sumMismatch(
  summaryLine: XmlElement,
  name: string,
  conceptLines: readonly XmlElement[],
  decimals: number | undefined,
  code: RuleCode,
): CfdiProblem[] {
  const amount = readImporte(summaryLine, name);
  // Base is required on every line; Importe is absent from Exento lines, which count as 0.
  const parts = allOrNothing(
    conceptLines.map((line) =>
      name === 'Base' ? readImporte(line, name)?.value : readImporteOrZero(line, name),
    ),
  );
  if (!amount || !parts || decimals === undefined) return [];
  const expected: DecimalNumber = roundTo(sumOf(parts), decimals);
  if (amount.value.equals(expected)) return [];
  return [
    problem(
      code,
      attributePath(summaryLine, name),
      `${name} ${amount.text} is not the sum of the Conceptos' ${name} values in its group, rounded to ${decimals} decimals: ${show(expected, decimals)}`,
    ),
  ];
}

export const impuestosLineRules: Rule[] = [
  retencionesSummarizeConceptos,
  trasladosSummarizeConceptos,
  conceptTaxesSummarized,
];
