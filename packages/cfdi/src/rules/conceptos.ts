import type { CfdiProblem } from '../problems.js';
import { quoted } from '../problems.js';
import { attributePath, type XmlElement } from '../xml-document.js';
import { describeLimits, isWithin, monedaOf, productLimits, readDecimal, readImporte } from './amounts.js';
import { type RuleCode, RuleCodes } from './rule-codes.js';
import {
  attributeValue,
  cfdiChild,
  cfdiChildren,
  checkCatalogValue,
  conceptosOf,
  problem,
  type Rule,
  type RuleContext,
} from './rule-context.js';

// Whether a ClaveProdServ needs a complement or a tax (CFDI40163, CFDI40164) comes from columns of
// c_ClaveProdServ the bundled copy does not carry; a third party's RFC, name and address against SAT's
// registers (CFDI40187-CFDI40193) need those registers.
const typesWithAmounts = new Set(['I', 'E', 'N']);
// ObjetoImp: 02 means taxes are itemised per Concepto; 01, 03, 04 and 05 mean they are not.
const objetoImpWithImpuestos = '02';
const objetoImpWithoutImpuestos = new Set(['01', '03', '04', '05']);

function conceptoRule(check: (concepto: XmlElement, context: RuleContext) => CfdiProblem[]): Rule {
  return (context) => {
    const problems: CfdiProblem[] = [];
    for (const concepto of conceptosOf(context.comprobante)) {
      const found = check(concepto, context);
      if (found.length > 0) problems.push(...found);
    }
    return problems;
  };
}

function partesOf(concepto: XmlElement): readonly XmlElement[] {
  return cfdiChildren(concepto, 'Parte');
}

/** CFDI40162: ClaveProdServ is a c_ClaveProdServ key, valid on the Fecha. */
export const claveProdServInCatalog = conceptoRule(
  (concepto, context) =>
    checkCatalogValue(
      context,
      concepto,
      'ClaveProdServ',
      context.catalogs.claveProdServ,
      RuleCodes.claveProdServUnknown,
    ).problems,
);

/** CFDI40165: ClaveUnidad is a c_ClaveUnidad key, valid on the Fecha. */
export const claveUnidadInCatalog = conceptoRule(
  (concepto, context) =>
    checkCatalogValue(
      context,
      concepto,
      'ClaveUnidad',
      context.catalogs.claveUnidad,
      RuleCodes.claveUnidadUnknown,
    ).problems,
);

/** CFDI40166: in an I, E or N document every ValorUnitario is above 0. */
export const valorUnitarioPositive = conceptoRule((concepto, { tipoDeComprobante }) => {
  const valorUnitario = readImporte(concepto, 'ValorUnitario');
  if (!typesWithAmounts.has(tipoDeComprobante ?? '') || !valorUnitario?.value.isZero()) return [];
  return [
    problem(
      RuleCodes.valorUnitarioNotPositive,
      attributePath(concepto, 'ValorUnitario'),
      `ValorUnitario must be greater than 0 when TipoDeComprobante is ${tipoDeComprobante}`,
    ),
  ];
});

/** CFDI40167: Importe is Cantidad × ValorUnitario within Anexo 20's rounding limits. */
export const importeWithinLimits = conceptoRule((concepto, context) =>
  importeLimitProblems(concepto, context, RuleCodes.importeOutOfLimits),
);

/** CFDI40168: a Concepto's Descuento has no more decimals than its Importe. */
export const conceptDiscountDecimals = conceptoRule((concepto) => {
  const importe = readImporte(concepto, 'Importe');
  const discount = readImporte(concepto, 'Descuento');
  if (!importe || !discount || discount.decimals <= importe.decimals) return [];
  return [
    problem(
      RuleCodes.conceptDiscountDecimals,
      attributePath(concepto, 'Descuento'),
      `Descuento ${discount.text} has more decimals than Importe ${importe.text}`,
    ),
  ];
});

/** CFDI40169: a Concepto's Descuento is at most its Importe. */
export const conceptDiscountWithinImporte = conceptoRule((concepto) => {
  const importe = readImporte(concepto, 'Importe');
  const discount = readImporte(concepto, 'Descuento');
  if (!importe || !discount || discount.value.lessThanOrEqualTo(importe.value)) return [];
  return [
    problem(
      RuleCodes.conceptDiscountExceedsImporte,
      attributePath(concepto, 'Descuento'),
      `Descuento ${discount.text} is greater than the Concepto's Importe ${importe.text}`,
    ),
  ];
});

/** CFDI40170: ObjetoImp is a c_ObjetoImp key, valid on the Fecha. */
export const objetoImpInCatalog = conceptoRule(
  (concepto, context) =>
    checkCatalogValue(context, concepto, 'ObjetoImp', context.catalogs.objetoImp, RuleCodes.objetoImpUnknown)
      .problems,
);

/** CFDI40171 and CFDI40172: taxes are itemised (Impuestos) when ObjetoImp is 02, and not when 01, 03, 04, 05. */
export const objetoImpMatchesImpuestos = conceptoRule((concepto) => {
  const objetoImp = attributeValue(concepto, 'ObjetoImp');
  const impuestos = cfdiChild(concepto, 'Impuestos');
  if (objetoImp === objetoImpWithImpuestos && !impuestos)
    return [
      problem(
        RuleCodes.objetoImpRequiresImpuestos,
        attributePath(concepto, 'ObjetoImp'),
        'ObjetoImp "02" needs the Concepto\'s Impuestos',
      ),
    ];
  if (objetoImp !== undefined && objetoImpWithoutImpuestos.has(objetoImp) && impuestos)
    return [
      problem(
        RuleCodes.objetoImpForbidsImpuestos,
        impuestos.path,
        `a Concepto with ObjetoImp ${quoted(objetoImp)} has no Impuestos`,
      ),
    ];
  return [];
});

/** CFDI40173: a Concepto's Impuestos holds at least one Traslado or Retencion. */
export const conceptImpuestosNotEmpty = conceptoRule((concepto) => {
  const impuestos = cfdiChild(concepto, 'Impuestos');
  if (!impuestos) return [];
  const lines = ['Traslados', 'Retenciones'].flatMap((group) => cfdiChildren(impuestos, group));
  if (lines.some((group) => group.children.length > 0)) return [];
  return [
    problem(
      RuleCodes.conceptImpuestosEmpty,
      impuestos.path,
      "a Concepto's Impuestos must hold at least one Traslado or Retencion",
    ),
  ];
});

/** CFDI40191: RegimenFiscalACuentaTerceros is a c_RegimenFiscal key, valid on the Fecha. */
export const regimenFiscalTercerosInCatalog = conceptoRule((concepto, context) =>
  cfdiChildren(concepto, 'ACuentaTerceros').flatMap(
    (terceros) =>
      checkCatalogValue(
        context,
        terceros,
        'RegimenFiscalACuentaTerceros',
        context.catalogs.regimenFiscal,
        RuleCodes.regimenFiscalTercerosUnknown,
      ).problems,
  ),
);

/** CFDI40196: a Parte's ClaveProdServ is a c_ClaveProdServ key, valid on the Fecha. */
export const parteClaveProdServInCatalog = conceptoRule((concepto, context) =>
  partesOf(concepto).flatMap(
    (parte) =>
      checkCatalogValue(
        context,
        parte,
        'ClaveProdServ',
        context.catalogs.claveProdServ,
        RuleCodes.parteClaveProdServUnknown,
      ).problems,
  ),
);

/** CFDI40197: a Parte's ValorUnitario, when given, is above 0. */
export const parteValorUnitarioPositive = conceptoRule((concepto) =>
  partesOf(concepto)
    .filter((parte) => readImporte(parte, 'ValorUnitario')?.value.isZero())
    .map((parte) =>
      problem(
        RuleCodes.parteValorUnitarioNotPositive,
        attributePath(parte, 'ValorUnitario'),
        "a Parte's ValorUnitario must be greater than 0",
      ),
    ),
);

/** CFDI40198: a Parte's Importe, when given, is Cantidad × ValorUnitario within the rounding limits. */
export const parteImporteWithinLimits = conceptoRule((concepto, context) =>
  partesOf(concepto).flatMap((parte) =>
    importeLimitProblems(parte, context, RuleCodes.parteImporteOutOfLimits),
  ),
);

function importeLimitProblems(element: XmlElement, context: RuleContext, code: RuleCode): CfdiProblem[] {
  const cantidad = readDecimal(element, 'Cantidad');
  const valorUnitario = readImporte(element, 'ValorUnitario');
  const importe = readImporte(element, 'Importe');
  const decimals = context.currencyDecimals;
  if (!cantidad || !valorUnitario || !importe || decimals === undefined) return [];
  const limits = productLimits(cantidad, valorUnitario, decimals);
  if (isWithin(importe.value, limits)) return [];
  return [
    problem(
      code,
      attributePath(element, 'Importe'),
      `Importe ${importe.text} must be ${describeLimits(limits)} (Cantidad ${cantidad.text} × ValorUnitario ${valorUnitario.text} in ${monedaOf(context.comprobante)})`,
    ),
  ];
}

export const conceptoRules: Rule[] = [
  claveProdServInCatalog,
  claveUnidadInCatalog,
  valorUnitarioPositive,
  importeWithinLimits,
  conceptDiscountDecimals,
  conceptDiscountWithinImporte,
  objetoImpInCatalog,
  objetoImpMatchesImpuestos,
  conceptImpuestosNotEmpty,
  regimenFiscalTercerosInCatalog,
  parteClaveProdServInCatalog,
  parteValorUnitarioPositive,
  parteImporteWithinLimits,
];
