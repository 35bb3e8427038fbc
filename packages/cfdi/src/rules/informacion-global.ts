import { quoted } from '../problems.js';
import { attributePath } from '../xml-document.js';
import { RuleCodes } from './rule-codes.js';
import {
  attributeValue,
  cfdiChild,
  checkCatalogValue,
  genericRfcs,
  problem,
  type Rule,
} from './rule-context.js';

// A global invoice sums up sales to the general public over a period: daily to monthly (Meses 01-12),
// or bimonthly (Meses 13-18), which only the RIF regime (621) may use.
const publicoEnGeneral = 'PUBLICO EN GENERAL';
const bimonthly = '05';
const monthKeys = /^(0[1-9]|1[0-2])$/;
const bimonthKeys = /^1[3-8]$/;

/** CFDI40130: a global invoice is issued to XAXX010101000, named "PUBLICO EN GENERAL". */
export const informacionGlobalForPublicoEnGeneral: Rule = ({ comprobante }) => {
  const informacionGlobal = cfdiChild(comprobante, 'InformacionGlobal');
  const receptor = cfdiChild(comprobante, 'Receptor');
  if (!informacionGlobal || !receptor) return [];
  const rfc = receptor.attributes.get('Rfc');
  const nombre = receptor.attributes.get('Nombre');
  if (rfc === genericRfcs.national && nombre === publicoEnGeneral) return [];
  return [
    problem(
      RuleCodes.informacionGlobalReceptor,
      receptor.path,
      `with InformacionGlobal the Receptor must be Rfc "${genericRfcs.national}" named "${publicoEnGeneral}"; it is ${quoted(rfc ?? '')} named ${quoted(nombre ?? '')}`,
    ),
  ];
};

/** CFDI40131: Periodicidad is a c_Periodicidad key, valid on the Fecha. */
export const periodicidadInCatalog: Rule = (context) => {
  const informacionGlobal = cfdiChild(context.comprobante, 'InformacionGlobal');
  if (!informacionGlobal) return [];
  return checkCatalogValue(
    context,
    informacionGlobal,
    'Periodicidad',
    context.catalogs.periodicidad,
    RuleCodes.periodicidadUnknown,
  ).problems;
};

/** CFDI40132: a bimonthly global invoice (Periodicidad 05) is for the RIF regime, 621. */
export const bimonthlyOnlyForRegimen621: Rule = ({ comprobante }) => {
  const informacionGlobal = cfdiChild(comprobante, 'InformacionGlobal');
  const emisor = cfdiChild(comprobante, 'Emisor');
  const regimen = attributeValue(emisor, 'RegimenFiscal');
  if (attributeValue(informacionGlobal, 'Periodicidad') !== bimonthly || !emisor || regimen === undefined)
    return [];
  if (regimen === '621') return [];
  return [
    problem(
      RuleCodes.periodicidadNeedsRegimen621,
      attributePath(emisor, 'RegimenFiscal'),
      `RegimenFiscal ${quoted(regimen)} must be "621" for a bimonthly (Periodicidad 05) global invoice`,
    ),
  ];
};

/** CFDI40133: Meses is a c_Meses key, valid on the Fecha. */
export const mesesInCatalog: Rule = (context) => {
  const informacionGlobal = cfdiChild(context.comprobante, 'InformacionGlobal');
  if (!informacionGlobal) return [];
  return checkCatalogValue(
    context,
    informacionGlobal,
    'Meses',
    context.catalogs.meses,
    RuleCodes.mesesUnknown,
  ).problems;
};

/** CFDI40134 and CFDI40135: Meses names a month (01-12), or a pair of months (13-18) when bimonthly. */
export const mesesFitPeriodicidad: Rule = ({ comprobante, catalogs }) => {
  const informacionGlobal = cfdiChild(comprobante, 'InformacionGlobal');
  const periodicidad = attributeValue(informacionGlobal, 'Periodicidad');
  const meses = attributeValue(informacionGlobal, 'Meses');
  if (!informacionGlobal || periodicidad === undefined || meses === undefined) return [];
  if (!catalogs.periodicidad.get(periodicidad) || !catalogs.meses.get(meses)) return [];
  const path = attributePath(informacionGlobal, 'Meses');
  if (periodicidad === bimonthly)
    return bimonthKeys.test(meses)
      ? []
      : [
          problem(
            RuleCodes.mesesNotBimonthly,
            path,
            `Meses ${quoted(meses)} must be one of 13 to 18 (a pair of months) when Periodicidad is 05`,
          ),
        ];
  return monthKeys.test(meses)
    ? []
    : [
        problem(
          RuleCodes.mesesNotMonthly,
          path,
          `Meses ${quoted(meses)} must be one of 01 to 12 when Periodicidad is ${quoted(periodicidad)}`,
        ),
      ];
};

/** CFDI40136: Año is the Fecha's year or the one before. */
export const anioIsCurrentOrPrevious: Rule = ({ comprobante, fecha }) => {
  const informacionGlobal = cfdiChild(comprobante, 'InformacionGlobal');
  const anio = attributeValue(informacionGlobal, 'Año');
  if (!informacionGlobal || !fecha || anio === undefined || !/^\d{4}$/.test(anio)) return [];
  const year = Number(anio);
  if (year === fecha.year || year === fecha.year - 1) return [];
  return [
    problem(
      RuleCodes.anioOutOfRange,
      attributePath(informacionGlobal, 'Año'),
      `Año ${anio} must be the Fecha's year ${fecha.year} or the year before`,
    ),
  ];
};

export const informacionGlobalRules: Rule[] = [
  informacionGlobalForPublicoEnGeneral,
  periodicidadInCatalog,
  bimonthlyOnlyForRegimen621,
  mesesInCatalog,
  mesesFitPeriodicidad,
  anioIsCurrentOrPrevious,
];
