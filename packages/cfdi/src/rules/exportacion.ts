import { Namespaces } from '../namespaces.js';
import { quoted } from '../problems.js';
import { attributePath } from '../xml-document.js';
import { RuleCodes } from './rule-codes.js';
import {
  attributeValue,
  checkCatalogValue,
  complementsOf,
  problem,
  type Rule,
  type RuleContext,
} from './rule-context.js';

/** CFDI40123: Exportacion is a c_Exportacion key, valid on the Fecha. */
export const exportacionInCatalog: Rule = (context) =>
  checkCatalogValue(
    context,
    context.comprobante,
    'Exportacion',
    context.catalogs.exportacion,
    RuleCodes.exportacionUnknown,
  ).problems;

/** CFDI40122: a definitive export with key A1 ("02") carries the Comercio Exterior complement. */
export const definitiveExportHasComercioExterior: Rule = ({ comprobante }) => {
  const exportacion = attributeValue(comprobante, 'Exportacion');
  if (exportacion !== '02' || hasComercioExterior(comprobante)) return [];
  return [
    problem(
      RuleCodes.exportacionNeedsComercioExterior,
      attributePath(comprobante, 'Exportacion'),
      `Exportacion ${quoted(exportacion)} needs the Comercio Exterior complement`,
    ),
  ];
};

export function hasComercioExterior(comprobante: RuleContext['comprobante']): boolean {
  return complementsOf(comprobante).some(
    (complement) =>
      complement.localName === 'ComercioExterior' &&
      (complement.namespace === Namespaces.comercioExterior20 ||
        complement.namespace === Namespaces.comercioExterior11),
  );
}

export const exportacionRules: Rule[] = [exportacionInCatalog, definitiveExportHasComercioExterior];
