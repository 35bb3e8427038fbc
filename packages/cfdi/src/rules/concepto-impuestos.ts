import { monedaOf } from './amounts.js';
import { RuleCodes } from './rule-codes.js';
import { cfdiChild, cfdiGrandchildren, conceptosOf, type Rule } from './rule-context.js';
import { checkTaxLine, type TaxLineCodes, type TaxLineNames } from './tax-lines.js';

export const conceptTaxNames: TaxLineNames = {
  base: 'Base',
  impuesto: 'Impuesto',
  tipoFactor: 'TipoFactor',
  tasaOCuota: 'TasaOCuota',
  importe: 'Importe',
};

const trasladoCodes: TaxLineCodes = {
  baseNotPositive: RuleCodes.trasladoBaseNotPositive,
  impuestoUnknown: RuleCodes.trasladoImpuestoUnknown,
  tipoFactorUnknown: RuleCodes.trasladoTipoFactorUnknown,
  exento: RuleCodes.trasladoExentoWithAmounts,
  amountsRequired: RuleCodes.trasladoAmountsRequired,
  tasaOCuotaUnknown: RuleCodes.trasladoTasaOCuotaUnknown,
  importeOutOfLimits: RuleCodes.trasladoImporteOutOfLimits,
};

const retencionCodes: TaxLineCodes = {
  baseNotPositive: RuleCodes.retencionBaseNotPositive,
  impuestoUnknown: RuleCodes.retencionImpuestoUnknown,
  tipoFactorUnknown: RuleCodes.retencionTipoFactorUnknown,
  exento: RuleCodes.retencionExento,
  tasaOCuotaUnknown: RuleCodes.retencionTasaOCuotaUnknown,
  importeOutOfLimits: RuleCodes.retencionImporteOutOfLimits,
};

/** CFDI40174-CFDI40180: every Traslado of a Concepto (see checkTaxLine). */
export const conceptTrasladosValid: Rule = (context) =>
  conceptosOf(context.comprobante).flatMap((concepto) =>
    cfdiGrandchildren(cfdiChild(concepto, 'Impuestos'), 'Traslados', 'Traslado').flatMap((traslado) =>
      checkTaxLine(context, traslado, 'transfer', conceptTaxNames, trasladoCodes, {
        decimals: context.currencyDecimals,
        name: monedaOf(context.comprobante),
      }),
    ),
  );

/** CFDI40181-CFDI40186: every Retencion of a Concepto (see checkTaxLine). */
export const conceptRetencionesValid: Rule = (context) =>
  conceptosOf(context.comprobante).flatMap((concepto) =>
    cfdiGrandchildren(cfdiChild(concepto, 'Impuestos'), 'Retenciones', 'Retencion').flatMap((retencion) =>
      checkTaxLine(context, retencion, 'withholding', conceptTaxNames, retencionCodes, {
        decimals: context.currencyDecimals,
        name: monedaOf(context.comprobante),
      }),
    ),
  );

export const conceptoImpuestosRules: Rule[] = [conceptTrasladosValid, conceptRetencionesValid];
