import { describe, expect, it } from 'vitest';
import { RuleCodes } from './rule-codes.js';
import { changed, codesOf, validDocuments } from './testing/rule-documents.js';

const { ingreso } = validDocuments;
const comercioExterior =
  '<cce20:ComercioExterior xmlns:cce20="http://www.sat.gob.mx/ComercioExterior20" Version="2.0"/>';

describe('Exportacion and CfdiRelacionados', () => {
  it.each([
    [
      'CFDI40123: an Exportacion not in c_Exportacion',
      changed(ingreso, ['Exportacion="01"', 'Exportacion="05"']),
      [RuleCodes.exportacionUnknown],
    ],
    [
      'CFDI40122: a definitive export without Comercio Exterior',
      changed(ingreso, ['Exportacion="01"', 'Exportacion="02"']),
      [RuleCodes.exportacionNeedsComercioExterior],
    ],
    [
      'a definitive export with Comercio Exterior',
      changed(
        ingreso,
        ['Exportacion="01"', 'Exportacion="02"'],
        ['</cfdi:Complemento>', `${comercioExterior}</cfdi:Complemento>`],
      ),
      [],
    ],
    [
      'CFDI40137: a TipoRelacion not in c_TipoRelacion (08 was 3.3 only)',
      changed(ingreso, [
        '<cfdi:Emisor',
        '<cfdi:CfdiRelacionados TipoRelacion="08"><cfdi:CfdiRelacionado UUID="6F35D3B5-3651-5370-BC2C-14CDBE384CD0"/></cfdi:CfdiRelacionados><cfdi:Emisor',
      ]),
      [RuleCodes.tipoRelacionUnknown],
    ],
  ])('%s', (_case, document, codes) => {
    expect(codesOf(document)).toEqual(codes);
  });
});
