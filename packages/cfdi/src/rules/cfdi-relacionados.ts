import { RuleCodes } from './rule-codes.js';
import { cfdiChildren, checkCatalogValue, type Rule } from './rule-context.js';

/** CFDI40137: each TipoRelacion is a c_TipoRelacion key, valid on the Fecha. */
export const tipoRelacionInCatalog: Rule = (context) =>
  cfdiChildren(context.comprobante, 'CfdiRelacionados').flatMap(
    (relacionados) =>
      checkCatalogValue(
        context,
        relacionados,
        'TipoRelacion',
        context.catalogs.tipoRelacion,
        RuleCodes.tipoRelacionUnknown,
      ).problems,
  );

export const cfdiRelacionadosRules: Rule[] = [tipoRelacionInCatalog];
