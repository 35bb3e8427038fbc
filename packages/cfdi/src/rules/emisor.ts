import { quoted } from '../problems.js';
import { attributePath } from '../xml-document.js';
import { RuleCodes } from './rule-codes.js';
import { cfdiChild, checkCatalogValue, personaOf, problem, type Rule } from './rule-context.js';

// Whether the Nombre, Rfc and RegimenFiscal match SAT's register of taxpayers (CFDI40138, CFDI40139)
// needs that register (l_RFC), which the document does not carry.

/** CFDI40140: RegimenFiscal is a c_RegimenFiscal key, valid on the Fecha. */
export const regimenFiscalInCatalog: Rule = (context) => {
  const emisor = cfdiChild(context.comprobante, 'Emisor');
  if (!emisor) return [];
  return checkCatalogValue(
    context,
    emisor,
    'RegimenFiscal',
    context.catalogs.regimenFiscal,
    RuleCodes.regimenFiscalUnknown,
  ).problems;
};

/** CFDI40141: the RegimenFiscal applies to the issuer's kind of person, told by the RFC's length. */
export const regimenFiscalFitsPersona: Rule = ({ comprobante, catalogs }) => {
  const emisor = cfdiChild(comprobante, 'Emisor');
  const persona = personaOf(emisor?.attributes.get('Rfc'));
  const regimen = catalogs.regimenFiscal.get(emisor?.attributes.get('RegimenFiscal') ?? '');
  if (!emisor || !persona || !regimen) return [];
  if (persona === 'moral' ? regimen.forPersonaMoral : regimen.forPersonaFisica) return [];
  return [
    problem(
      RuleCodes.regimenFiscalPersona,
      attributePath(emisor, 'RegimenFiscal'),
      `RegimenFiscal ${quoted(regimen.key)} does not apply to a persona ${persona} (Rfc of ${persona === 'moral' ? 12 : 13} characters)`,
    ),
  ];
};

export const emisorRules: Rule[] = [regimenFiscalInCatalog, regimenFiscalFitsPersona];
