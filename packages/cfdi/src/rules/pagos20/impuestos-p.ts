import type { CfdiProblem } from '../../problems.js';
import { quoted } from '../../problems.js';
import { attributePath, type XmlElement } from '../../xml-document.js';
import { readImporte, show, sumOf } from '../amounts.js';
import type { DecimalNumber } from '../decimal-number.js';
import { type RuleCode, RuleCodes } from '../rule-codes.js';
import { attributeValue, checkCatalogValue, problem, type Rule, type RuleContext } from '../rule-context.js';
import { describeTaxGroup, isSummarizable, taxGroupKey, transferRateProblems } from '../tax-lines.js';
import { doctoTaxNames } from './docto-relacionado.js';
import {
  decimalsOf,
  doctosOf,
  equivalenceOf,
  everyPago,
  isRoundedSum,
  pagoChild,
  pagoGrandchildren,
} from './pagos.js';

// ImpuestosP sums up, in MonedaP, the taxes of the Pago's related documents: one RetencionP per
// ImpuestoP, one TrasladoP per ImpuestoP, TipoFactorP and TasaOCuotaP, each the sum of the matching
// DoctoRelacionado lines, each divided by its EquivalenciaDR.
const pagoTaxNames = { impuesto: 'ImpuestoP', tipoFactor: 'TipoFactorP', tasaOCuota: 'TasaOCuotaP' };

/** One DoctoRelacionado tax line with the EquivalenciaDR that converts it to MonedaP. */
interface DoctoLine {
  line: XmlElement;
  equivalence: DecimalNumber | undefined;
}

function doctoLines(pago: XmlElement, group: 'TrasladosDR' | 'RetencionesDR', name: string): DoctoLine[] {
  return doctosOf(pago).flatMap((docto) => {
    const equivalence = equivalenceOf(docto, pago);
    return pagoGrandchildren(pagoChild(docto, 'ImpuestosDR'), group, name).map((line) => ({
      line,
      equivalence,
    }));
  });
}

/** The lines' amounts in MonedaP; undefined when one cannot be read. */
function convertedSum(lines: readonly DoctoLine[], name: string): DecimalNumber | undefined {
  const terms = lines.map(({ line, equivalence }) => {
    const amount = readImporte(line, name);
    return amount && equivalence ? amount.value.div(equivalence) : undefined;
  });
  return terms.every((term) => term !== undefined) ? sumOf(terms as DecimalNumber[]) : undefined;
}

function sumProblems(
  pagoLine: XmlElement,
  name: string,
  lines: readonly DoctoLine[],
  doctoName: string,
  decimals: number | undefined,
  code: RuleCode,
): CfdiProblem[] {
  const declared = readImporte(pagoLine, name);
  const sum = convertedSum(lines, doctoName);
  if (!declared || !sum || decimals === undefined || isRoundedSum(declared, sum, decimals)) return [];
  return [
    problem(
      code,
      attributePath(pagoLine, name),
      `${name} ${declared.text} is not the sum of the related documents' ${doctoName} in MonedaP (each over its EquivalenciaDR): ${show(sum, Math.max(declared.decimals, decimals))}`,
    ),
  ];
}

function pagoRule(check: (pago: XmlElement, context: RuleContext) => CfdiProblem[]): Rule {
  return (context) => everyPago(context.comprobante).flatMap((pago) => check(pago, context));
}

/**
 * CRP20262, CRP20263, CRP20265: one RetencionP per ImpuestoP of c_Impuesto, its ImporteP the sum of
 * the related documents' RetencionDR of that tax.
 */
export const retencionesPSummarizeDoctos = pagoRule((pago, context) => {
  const decimals = decimalsOf(context, attributeValue(pago, 'MonedaP'));
  const lines = doctoLines(pago, 'RetencionesDR', 'RetencionDR');
  const seen = new Set<string>();
  return pagoGrandchildren(pagoChild(pago, 'ImpuestosP'), 'RetencionesP', 'RetencionP').flatMap(
    (retencion) => {
      const check = checkCatalogValue(
        context,
        retencion,
        'ImpuestoP',
        context.catalogs.impuesto,
        RuleCodes.retencionPImpuestoUnknown,
      );
      const problems = [...check.problems];
      if (check.entry && !check.entry.withheld)
        problems.push(
          problem(
            RuleCodes.retencionPImpuestoUnknown,
            attributePath(retencion, 'ImpuestoP'),
            `ImpuestoP ${quoted(check.entry.key)} is not a withheld tax in c_Impuesto`,
          ),
        );
      const impuesto = attributeValue(retencion, 'ImpuestoP');
      if (impuesto === undefined) return problems;
      // A repeated line is reported as such; its sum would only repeat the first one's.
      if (seen.has(impuesto))
        return [
          ...problems,
          problem(
            RuleCodes.retencionPRepeated,
            attributePath(retencion, 'ImpuestoP'),
            `there is already a RetencionP for ImpuestoP ${quoted(impuesto)}: one per tax`,
          ),
        ];
      seen.add(impuesto);
      const matching = lines.filter(({ line }) => line.attributes.get('ImpuestoDR') === impuesto);
      problems.push(
        ...sumProblems(
          retencion,
          'ImporteP',
          matching,
          'ImporteDR',
          decimals,
          RuleCodes.retencionPImporteMismatch,
        ),
      );
      return problems;
    },
  );
});

/**
 * CRP20266, CRP20268-CRP20272, CRP20274: one TrasladoP per ImpuestoP, TipoFactorP and TasaOCuotaP; an
 * Exento one without TasaOCuotaP and ImporteP; a transferred tax and a rate of the catalogs; BaseP and
 * ImporteP the sums of the related documents' TrasladoDR in its group.
 */
export const trasladosPSummarizeDoctos = pagoRule((pago, context) => {
  const decimals = decimalsOf(context, attributeValue(pago, 'MonedaP'));
  const lines = doctoLines(pago, 'TrasladosDR', 'TrasladoDR');
  const seen = new Set<string>();
  return pagoGrandchildren(pagoChild(pago, 'ImpuestosP'), 'TrasladosP', 'TrasladoP').flatMap((traslado) => {
    const problems: CfdiProblem[] = [];
    const impuesto = checkCatalogValue(
      context,
      traslado,
      'ImpuestoP',
      context.catalogs.impuesto,
      RuleCodes.trasladoPImpuestoUnknown,
    );
    problems.push(...impuesto.problems);
    if (impuesto.entry && !impuesto.entry.transferred)
      problems.push(
        problem(
          RuleCodes.trasladoPImpuestoUnknown,
          attributePath(traslado, 'ImpuestoP'),
          `ImpuestoP ${quoted(impuesto.entry.key)} is not a transferred tax in c_Impuesto`,
        ),
      );
    const factor = checkCatalogValue(context, traslado, 'TipoFactorP', context.catalogs.tipoFactor);
    problems.push(...factor.problems);

    const key = taxGroupKey(traslado, pagoTaxNames);
    if (seen.has(key))
      return [
        ...problems,
        problem(
          RuleCodes.trasladoPRepeated,
          traslado.path,
          `there is already a TrasladoP for ${describeTaxGroup(key)}`,
        ),
      ];
    seen.add(key);

    const exento = factor.entry?.key === 'Exento';
    if (exento) {
      const extra = ['TasaOCuotaP', 'ImporteP'].filter((name) => traslado.attributes.has(name));
      if (extra.length > 0)
        problems.push(
          problem(
            RuleCodes.trasladoPExentoWithAmounts,
            traslado.path,
            `an Exento TrasladoP has only BaseP, ImpuestoP and TipoFactorP, not ${extra.join(' nor ')}`,
          ),
        );
    } else if (factor.entry && impuesto.entry) {
      problems.push(
        ...transferRateProblems(
          context,
          traslado,
          { rate: 'TasaOCuotaP', impuesto: 'ImpuestoP' },
          { impuesto: impuesto.entry.key, factor: factor.entry.key },
          RuleCodes.trasladoPTasaOCuotaUnknown,
        ),
      );
    }

    const matching = lines.filter(({ line }) => taxGroupKey(line, doctoTaxNames) === key);
    const baseCode = exento ? RuleCodes.trasladoPExentoBaseMismatch : RuleCodes.trasladoPBaseMismatch;
    problems.push(...sumProblems(traslado, 'BaseP', matching, 'BaseDR', decimals, baseCode));
    if (traslado.attributes.has('ImporteP'))
      problems.push(
        ...sumProblems(
          traslado,
          'ImporteP',
          matching,
          'ImporteDR',
          decimals,
          RuleCodes.trasladoPImporteMismatch,
        ),
      );
    return problems;
  });
});

/** pago_tax_not_summarized: every group of the related documents' taxes has its line in ImpuestosP. */
export const doctoTaxesSummarized = pagoRule((pago, context) => {
  const impuestosP = pagoChild(pago, 'ImpuestosP');
  const trasladoKeys = new Set(
    pagoGrandchildren(impuestosP, 'TrasladosP', 'TrasladoP').map((line) => taxGroupKey(line, pagoTaxNames)),
  );
  const retencionKeys = new Set(
    pagoGrandchildren(impuestosP, 'RetencionesP', 'RetencionP').map(
      (line) => attributeValue(line, 'ImpuestoP') ?? '',
    ),
  );
  const missing = new Map<string, XmlElement>();
  for (const { line } of doctoLines(pago, 'TrasladosDR', 'TrasladoDR')) {
    const key = taxGroupKey(line, doctoTaxNames);
    const group = `TrasladoP for ${describeTaxGroup(key)}`;
    if (
      !trasladoKeys.has(key) &&
      !missing.has(group) &&
      isSummarizable(context, line, 'transfer', doctoTaxNames)
    )
      missing.set(group, line);
  }
  for (const { line } of doctoLines(pago, 'RetencionesDR', 'RetencionDR')) {
    const key = attributeValue(line, 'ImpuestoDR') ?? '';
    const group = `RetencionP for Impuesto ${key}`;
    if (
      !retencionKeys.has(key) &&
      !missing.has(group) &&
      isSummarizable(context, line, 'withholding', doctoTaxNames)
    )
      missing.set(group, line);
  }
  return [...missing].map(([group, line]) =>
    problem(
      RuleCodes.pagoTaxNotSummarized,
      line.path,
      `the Pago's ImpuestosP has no ${group}, which this line needs`,
    ),
  );
});

export const impuestosPRules: Rule[] = [
  retencionesPSummarizeDoctos,
  trasladosPSummarizeDoctos,
  doctoTaxesSummarized,
];
