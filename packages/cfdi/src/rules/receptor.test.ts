import { describe, expect, it } from 'vitest';
import { RuleCodes } from './rule-codes.js';
import { type Change, changed, codesOf, validDocuments } from './testing/rule-documents.js';

const { ingreso } = validDocuments;
// ingreso's receptor: a company (12-character RFC), regime 603, UsoCFDI G03.
const receptor =
  '<cfdi:Receptor Rfc="MCI7306249Y1" Nombre="MUNICIPIO DE CUAUTITLAN IZCALLI" DomicilioFiscalReceptor="54700" RegimenFiscalReceptor="603" UsoCFDI="G03"/>';
const receptorAs = (attributes: string): Change => [receptor, `<cfdi:Receptor ${attributes}/>`];
const generic =
  'Rfc="XAXX010101000" Nombre="PUBLICO EN GENERAL" DomicilioFiscalReceptor="86000" RegimenFiscalReceptor="616" UsoCFDI="S01"';
const foreign =
  'Rfc="XEXX010101000" Nombre="ACME INC" DomicilioFiscalReceptor="86000" ResidenciaFiscal="USA" NumRegIdTrib="123456789" RegimenFiscalReceptor="616" UsoCFDI="S01"';
const comercioExterior: Change = [
  '</cfdi:Complemento>',
  '<cce20:ComercioExterior xmlns:cce20="http://www.sat.gob.mx/ComercioExterior20" Version="2.0"/></cfdi:Complemento>',
];

describe('the Receptor', () => {
  it.each([
    ['the public in general', changed(ingreso, receptorAs(generic)), []],
    ['a foreign receptor', changed(ingreso, receptorAs(foreign)), []],
    ['a foreign receptor of an export', changed(ingreso, receptorAs(foreign), comercioExterior), []],
  ])('accepts %s', (_case, document, codes) => {
    expect(codesOf(document)).toEqual(codes);
  });

  it.each([
    [
      'CFDI40146: a receptor named PUBLICO EN GENERAL with its own RFC',
      changed(ingreso, ['Nombre="MUNICIPIO DE CUAUTITLAN IZCALLI"', 'Nombre="PUBLICO EN GENERAL"']),
      [RuleCodes.publicoEnGeneralRfc],
    ],
    [
      'CFDI40149: a generic RFC away from LugarExpedicion',
      changed(ingreso, receptorAs(generic.replace('"86000"', '"54700"'))),
      [RuleCodes.domicilioFiscalNotLugarExpedicion],
    ],
    [
      'CFDI40150: a ResidenciaFiscal not in c_Pais',
      changed(ingreso, receptorAs(foreign.replace('"USA"', '"XYZ"'))),
      [RuleCodes.residenciaFiscalUnknown],
    ],
    [
      'CFDI40151: a Mexican RFC with a ResidenciaFiscal',
      changed(ingreso, ['UsoCFDI="G03"', 'UsoCFDI="G03" ResidenciaFiscal="USA"']),
      [RuleCodes.residenciaFiscalNotAllowed],
    ],
    [
      'CFDI40152: a foreign receptor resident in Mexico',
      changed(
        ingreso,
        receptorAs(foreign.replace('"USA"', '"MEX"').replace('"123456789"', '"AAA010101AAA"')),
      ),
      [RuleCodes.residenciaFiscalMex],
    ],
    [
      'CFDI40153: a foreign tax id without ResidenciaFiscal',
      changed(ingreso, receptorAs(foreign.replace(' ResidenciaFiscal="USA"', ''))),
      [RuleCodes.residenciaFiscalRequired],
    ],
    [
      'CFDI40153: an export to a foreign receptor without ResidenciaFiscal',
      changed(
        ingreso,
        receptorAs(
          foreign.replace(' ResidenciaFiscal="USA" NumRegIdTrib="123456789"', ' NumRegIdTrib="123456789"'),
        ),
        comercioExterior,
      ),
      [RuleCodes.residenciaFiscalRequired],
    ],
    [
      'CFDI40154: a Mexican RFC with a NumRegIdTrib',
      changed(ingreso, ['UsoCFDI="G03"', 'UsoCFDI="G03" NumRegIdTrib="123456789"']),
      [RuleCodes.numRegIdTribNotAllowed],
    ],
    [
      'CFDI40155: an export to a foreign receptor without NumRegIdTrib',
      changed(ingreso, receptorAs(foreign.replace(' NumRegIdTrib="123456789"', '')), comercioExterior),
      [RuleCodes.numRegIdTribRequired],
    ],
    [
      "CFDI40156: a NumRegIdTrib not in the country's form",
      changed(ingreso, receptorAs(foreign.replace('"123456789"', '"12345"'))),
      [RuleCodes.numRegIdTribPattern],
    ],
    [
      'CFDI40157: a RegimenFiscalReceptor not in c_RegimenFiscal',
      changed(ingreso, ['RegimenFiscalReceptor="603"', 'RegimenFiscalReceptor="628"']),
      [RuleCodes.regimenFiscalReceptorUnknown],
    ],
    [
      'CFDI40158: a persona física regime for a company',
      changed(ingreso, ['RegimenFiscalReceptor="603"', 'RegimenFiscalReceptor="612"']),
      [RuleCodes.regimenFiscalReceptorPersona],
    ],
    [
      'CFDI40159: a generic RFC with a regime other than 616',
      changed(ingreso, receptorAs(generic.replace('"616"', '"605"'))),
      [RuleCodes.regimenFiscalReceptorGeneric],
    ],
    [
      'CFDI40160: a UsoCFDI not in c_UsoCFDI (P01 was 3.3 only)',
      changed(ingreso, ['UsoCFDI="G03"', 'UsoCFDI="P01"']),
      [RuleCodes.usoCfdiUnknown],
    ],
    [
      'CFDI40161: a use for personas físicas by a company',
      changed(ingreso, ['UsoCFDI="G03"', 'UsoCFDI="D01"']),
      [RuleCodes.usoCfdiNotAllowed],
    ],
    [
      "CFDI40161: a use the receptor's regime does not allow",
      changed(ingreso, receptorAs(generic.replace('"S01"', '"G03"'))),
      [RuleCodes.usoCfdiNotAllowed],
    ],
  ])('%s', (_case, document, codes) => {
    expect(codesOf(document)).toEqual(codes);
  });
});
