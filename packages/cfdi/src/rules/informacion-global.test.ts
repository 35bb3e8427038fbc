import { describe, expect, it } from 'vitest';
import { RuleCodes } from './rule-codes.js';
import { type Change, changed, codesOf, validDocuments } from './testing/rule-documents.js';

const receptor =
  '<cfdi:Receptor Rfc="MCI7306249Y1" Nombre="MUNICIPIO DE CUAUTITLAN IZCALLI" DomicilioFiscalReceptor="54700" RegimenFiscalReceptor="603" UsoCFDI="G03"/>';
// A monthly global invoice for January 2025 to the public in general, issued where the issuer is.
const global = changed(
  validDocuments.ingreso,
  [
    receptor,
    '<cfdi:Receptor Rfc="XAXX010101000" Nombre="PUBLICO EN GENERAL" DomicilioFiscalReceptor="86000" RegimenFiscalReceptor="616" UsoCFDI="S01"/>',
  ],
  ['<cfdi:Emisor', '<cfdi:InformacionGlobal Periodicidad="04" Meses="01" Año="2025"/><cfdi:Emisor'],
);
const informacionGlobal = '<cfdi:InformacionGlobal Periodicidad="04" Meses="01" Año="2025"/>';
const withInformacionGlobal = (attributes: string): Change => [
  informacionGlobal,
  `<cfdi:InformacionGlobal ${attributes}/>`,
];
// RIF (621) is for personas físicas: the bimonthly cases need one as the issuer.
const issuedByRif: Change[] = [
  ['Rfc="EKU9003173C9"', 'Rfc="COSC8001137NA"'],
  ['RegimenFiscal="601"', 'RegimenFiscal="621"'],
];

describe('InformacionGlobal', () => {
  it('accepts a global invoice to the public in general', () => {
    expect(codesOf(global)).toEqual([]);
  });

  it.each([
    [
      'CFDI40130: a global invoice to a named receptor',
      changed(global, ['Nombre="PUBLICO EN GENERAL"', 'Nombre="PUBLICO GENERAL"']),
      [RuleCodes.informacionGlobalReceptor],
    ],
    [
      'CFDI40131: a Periodicidad not in c_Periodicidad',
      changed(global, withInformacionGlobal('Periodicidad="06" Meses="01" Año="2025"')),
      [RuleCodes.periodicidadUnknown],
    ],
    [
      'CFDI40132: a bimonthly global invoice outside RIF',
      changed(global, withInformacionGlobal('Periodicidad="05" Meses="13" Año="2025"')),
      [RuleCodes.periodicidadNeedsRegimen621],
    ],
    [
      'a bimonthly global invoice in RIF',
      changed(global, withInformacionGlobal('Periodicidad="05" Meses="13" Año="2025"'), ...issuedByRif),
      [],
    ],
    [
      'CFDI40133: Meses not in c_Meses',
      changed(global, withInformacionGlobal('Periodicidad="04" Meses="19" Año="2025"')),
      [RuleCodes.mesesUnknown],
    ],
    [
      'CFDI40134: a pair of months for a monthly invoice',
      changed(global, withInformacionGlobal('Periodicidad="04" Meses="13" Año="2025"')),
      [RuleCodes.mesesNotMonthly],
    ],
    [
      'CFDI40135: one month for a bimonthly invoice',
      changed(global, withInformacionGlobal('Periodicidad="05" Meses="01" Año="2025"'), ...issuedByRif),
      [RuleCodes.mesesNotBimonthly],
    ],
    [
      'CFDI40136: an Año two years before the Fecha',
      changed(global, withInformacionGlobal('Periodicidad="04" Meses="12" Año="2023"')),
      [RuleCodes.anioOutOfRange],
    ],
    [
      'an Año the year before the Fecha',
      changed(global, withInformacionGlobal('Periodicidad="04" Meses="12" Año="2024"')),
      [],
    ],
  ])('%s', (_case, document, codes) => {
    expect(codesOf(document)).toEqual(codes);
  });
});
