import type { CfdiProblem } from '../problems.js';
import { quoted } from '../problems.js';
import { attributePath, type XmlElement } from '../xml-document.js';
import { hasComercioExterior } from './exportacion.js';
import { RuleCodes } from './rule-codes.js';
import {
  attributeValue,
  cfdiChild,
  checkCatalogValue,
  genericRfcs,
  isGenericRfc,
  personaOf,
  problem,
  type Rule,
  type RuleContext,
} from './rule-context.js';
import { wholeValuePattern } from './sat-pattern.js';

// Whether the Rfc, Nombre, DomicilioFiscalReceptor and RegimenFiscalReceptor match SAT's register of
// taxpayers (CFDI40143 to CFDI40148) needs that register (l_RFC), which the document does not carry.
const publicoEnGeneral = 'PUBLICO EN GENERAL';
const sinObligacionesFiscales = '616';

function receptorRule(check: (receptor: XmlElement, context: RuleContext) => CfdiProblem[]): Rule {
  return (context) => {
    const receptor = cfdiChild(context.comprobante, 'Receptor');
    return receptor ? check(receptor, context) : [];
  };
}

/** CFDI40146: a receptor named "PUBLICO EN GENERAL" is the generic national RFC. */
export const publicoEnGeneralIsGenericRfc = receptorRule((receptor) => {
  const rfc = attributeValue(receptor, 'Rfc');
  if (receptor.attributes.get('Nombre') !== publicoEnGeneral || rfc === undefined) return [];
  if (rfc === genericRfcs.national) return [];
  return [
    problem(
      RuleCodes.publicoEnGeneralRfc,
      attributePath(receptor, 'Rfc'),
      `Rfc ${quoted(rfc)} must be "${genericRfcs.national}" for a Receptor named "${publicoEnGeneral}"`,
    ),
  ];
});

/** CFDI40149: with a generic RFC, DomicilioFiscalReceptor is the issuer's LugarExpedicion. */
export const genericReceptorAtLugarExpedicion = receptorRule((receptor, { comprobante }) => {
  const domicilio = attributeValue(receptor, 'DomicilioFiscalReceptor');
  const lugar = attributeValue(comprobante, 'LugarExpedicion');
  if (!isGenericRfc(receptor.attributes.get('Rfc')) || domicilio === undefined || lugar === undefined)
    return [];
  if (domicilio === lugar) return [];
  return [
    problem(
      RuleCodes.domicilioFiscalNotLugarExpedicion,
      attributePath(receptor, 'DomicilioFiscalReceptor'),
      `DomicilioFiscalReceptor ${quoted(domicilio)} must equal LugarExpedicion ${quoted(lugar)} for a generic RFC`,
    ),
  ];
});

/** CFDI40150: ResidenciaFiscal is a c_Pais key. */
export const residenciaFiscalInCatalog = receptorRule(
  (receptor, context) =>
    checkCatalogValue(
      context,
      receptor,
      'ResidenciaFiscal',
      context.catalogs.pais,
      RuleCodes.residenciaFiscalUnknown,
    ).problems,
);

/**
 * CFDI40151 and CFDI40154: a receptor with a Mexican RFC (registered, or the generic national one)
 * has no foreign tax residence nor foreign tax id; only the generic foreign RFC may carry them.
 */
export const foreignDataOnlyForForeignRfc = receptorRule((receptor) => {
  const rfc = attributeValue(receptor, 'Rfc');
  if (rfc === undefined || rfc === genericRfcs.foreign) return [];
  const rules = [
    ['ResidenciaFiscal', RuleCodes.residenciaFiscalNotAllowed],
    ['NumRegIdTrib', RuleCodes.numRegIdTribNotAllowed],
  ] as const;
  return rules
    .filter(([name]) => receptor.attributes.has(name))
    .map(([name, code]) =>
      problem(
        code,
        attributePath(receptor, name),
        `${name} is only for a foreign receptor (Rfc "${genericRfcs.foreign}"), not for Rfc ${quoted(rfc)}`,
      ),
    );
});

/** CFDI40152: a foreign tax residence is not Mexico. */
export const residenciaFiscalNotMexico = receptorRule((receptor) =>
  attributeValue(receptor, 'ResidenciaFiscal') === 'MEX'
    ? [
        problem(
          RuleCodes.residenciaFiscalMex,
          attributePath(receptor, 'ResidenciaFiscal'),
          'ResidenciaFiscal must not be "MEX"',
        ),
      ]
    : [],
);

/**
 * CFDI40153: a foreign receptor (XEXX010101000) gives its ResidenciaFiscal with a NumRegIdTrib, and
 * when the document is an export (Comercio Exterior complement). A Mexican RFC with a NumRegIdTrib is
 * CFDI40154's to report.
 */
export const residenciaFiscalWhenNeeded = receptorRule((receptor, { comprobante }) => {
  if (receptor.attributes.get('Rfc') !== genericRfcs.foreign || receptor.attributes.has('ResidenciaFiscal'))
    return [];
  const exported = hasComercioExterior(comprobante);
  if (!receptor.attributes.has('NumRegIdTrib') && !exported) return [];
  return [
    problem(
      RuleCodes.residenciaFiscalRequired,
      attributePath(receptor, 'ResidenciaFiscal'),
      exported
        ? 'ResidenciaFiscal is required for a foreign receptor when the Comercio Exterior complement is present'
        : 'ResidenciaFiscal is required when NumRegIdTrib is given',
    ),
  ];
});

/** CFDI40155: a foreign receptor of an export (Comercio Exterior complement) gives its NumRegIdTrib. */
export const numRegIdTribForExport = receptorRule((receptor, { comprobante }) => {
  if (receptor.attributes.get('Rfc') !== genericRfcs.foreign || receptor.attributes.has('NumRegIdTrib'))
    return [];
  if (!hasComercioExterior(comprobante)) return [];
  return [
    problem(
      RuleCodes.numRegIdTribRequired,
      attributePath(receptor, 'NumRegIdTrib'),
      'NumRegIdTrib is required for a foreign receptor when the Comercio Exterior complement is present',
    ),
  ];
});

/** CFDI40156: NumRegIdTrib has the form c_Pais gives for the ResidenciaFiscal country, when it gives one. */
export const numRegIdTribFitsCountry = receptorRule((receptor, { catalogs }) => {
  const numRegIdTrib = attributeValue(receptor, 'NumRegIdTrib');
  const pais = catalogs.pais.get(receptor.attributes.get('ResidenciaFiscal') ?? '');
  const pattern = wholeValuePattern(pais?.taxIdPattern ?? null);
  if (numRegIdTrib === undefined || !pais || !pattern || pattern.test(numRegIdTrib)) return [];
  return [
    problem(
      RuleCodes.numRegIdTribPattern,
      attributePath(receptor, 'NumRegIdTrib'),
      `NumRegIdTrib ${quoted(numRegIdTrib)} does not have the form c_Pais gives for ${pais.key}: ${pais.taxIdPattern}`,
    ),
  ];
});

/** CFDI40157: RegimenFiscalReceptor is a c_RegimenFiscal key, valid on the Fecha. */
export const regimenFiscalReceptorInCatalog = receptorRule(
  (receptor, context) =>
    checkCatalogValue(
      context,
      receptor,
      'RegimenFiscalReceptor',
      context.catalogs.regimenFiscal,
      RuleCodes.regimenFiscalReceptorUnknown,
    ).problems,
);

/**
 * CFDI40158: the RegimenFiscalReceptor applies to the receptor's kind of person. Generic RFCs are left
 * to CFDI40159, which asks for one regime only.
 */
export const regimenFiscalReceptorFitsPersona = receptorRule((receptor, { catalogs }) => {
  const rfc = receptor.attributes.get('Rfc');
  const persona = personaOf(rfc);
  const regimen = catalogs.regimenFiscal.get(receptor.attributes.get('RegimenFiscalReceptor') ?? '');
  if (!persona || !regimen || isGenericRfc(rfc)) return [];
  if (persona === 'moral' ? regimen.forPersonaMoral : regimen.forPersonaFisica) return [];
  return [
    problem(
      RuleCodes.regimenFiscalReceptorPersona,
      attributePath(receptor, 'RegimenFiscalReceptor'),
      `RegimenFiscalReceptor ${quoted(regimen.key)} does not apply to a persona ${persona} (Rfc ${quoted(rfc ?? '')})`,
    ),
  ];
});

/** CFDI40159: a generic RFC (public in general, or foreign) has no obligations: regime 616. */
export const genericReceptorWithoutObligations = receptorRule((receptor) => {
  const regimen = attributeValue(receptor, 'RegimenFiscalReceptor');
  if (!isGenericRfc(receptor.attributes.get('Rfc')) || regimen === undefined) return [];
  if (regimen === sinObligacionesFiscales) return [];
  return [
    problem(
      RuleCodes.regimenFiscalReceptorGeneric,
      attributePath(receptor, 'RegimenFiscalReceptor'),
      `RegimenFiscalReceptor ${quoted(regimen)} must be "${sinObligacionesFiscales}" for a generic RFC`,
    ),
  ];
});

/** CFDI40160: UsoCFDI is a c_UsoCFDI key, valid on the Fecha. */
export const usoCfdiInCatalog = receptorRule(
  (receptor, context) =>
    checkCatalogValue(context, receptor, 'UsoCFDI', context.catalogs.usoCfdi, RuleCodes.usoCfdiUnknown)
      .problems,
);

/** CFDI40161: the UsoCFDI applies to the receptor's kind of person and to its RegimenFiscalReceptor. */
export const usoCfdiFitsReceptor = receptorRule((receptor, { catalogs }) => {
  const uso = catalogs.usoCfdi.get(receptor.attributes.get('UsoCFDI') ?? '');
  if (!uso) return [];
  const reasons: string[] = [];
  const rfc = receptor.attributes.get('Rfc');
  const persona = personaOf(rfc);
  if (persona && !(persona === 'moral' ? uso.forPersonaMoral : uso.forPersonaFisica))
    reasons.push(`a persona ${persona} (Rfc ${quoted(rfc ?? '')})`);
  const regimen = receptor.attributes.get('RegimenFiscalReceptor');
  if (regimen !== undefined && catalogs.regimenFiscal.get(regimen) && !uso.receptorRegimes.has(regimen))
    reasons.push(`RegimenFiscalReceptor ${quoted(regimen)}`);
  if (reasons.length === 0) return [];
  return [
    problem(
      RuleCodes.usoCfdiNotAllowed,
      attributePath(receptor, 'UsoCFDI'),
      `UsoCFDI ${quoted(uso.key)} does not apply to ${reasons.join(' nor to ')}`,
    ),
  ];
});

export const receptorRules: Rule[] = [
  publicoEnGeneralIsGenericRfc,
  genericReceptorAtLugarExpedicion,
  residenciaFiscalInCatalog,
  foreignDataOnlyForForeignRfc,
  residenciaFiscalNotMexico,
  residenciaFiscalWhenNeeded,
  numRegIdTribForExport,
  numRegIdTribFitsCountry,
  regimenFiscalReceptorInCatalog,
  regimenFiscalReceptorFitsPersona,
  genericReceptorWithoutObligations,
  usoCfdiInCatalog,
  usoCfdiFitsReceptor,
];
