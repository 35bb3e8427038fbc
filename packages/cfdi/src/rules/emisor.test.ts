import { describe, expect, it } from 'vitest';
import { RuleCodes } from './rule-codes.js';
import { changed, codesOf, problemsOf, validDocuments } from './testing/rule-documents.js';

const { ingreso } = validDocuments;
const regimen = 'Nombre="ESCUELA KEMPER URGATE" RegimenFiscal="601"';

describe('the Emisor', () => {
  it.each([
    [
      'CFDI40140: a RegimenFiscal not in c_RegimenFiscal',
      changed(ingreso, [regimen, 'Nombre="ESCUELA KEMPER URGATE" RegimenFiscal="600"']),
      [RuleCodes.regimenFiscalUnknown],
    ],
    [
      'CFDI40141: a persona física regime for a company',
      changed(ingreso, [regimen, 'Nombre="ESCUELA KEMPER URGATE" RegimenFiscal="605"']),
      [RuleCodes.regimenFiscalPersona],
    ],
    [
      'a persona física regime for a person',
      changed(
        ingreso,
        ['Rfc="EKU9003173C9"', 'Rfc="COSC8001137NA"'],
        [regimen, 'Nombre="ESCUELA KEMPER URGATE" RegimenFiscal="612"'],
      ),
      [],
    ],
    [
      'a regime for both kinds of person (626)',
      changed(ingreso, [regimen, 'Nombre="ESCUELA KEMPER URGATE" RegimenFiscal="626"']),
      [],
    ],
  ])('%s', (_case, document, codes) => {
    expect(codesOf(document)).toEqual(codes);
  });

  it('names the regime and the kind of person', () => {
    const [problem] = problemsOf(
      changed(ingreso, [regimen, 'Nombre="ESCUELA KEMPER URGATE" RegimenFiscal="605"']),
    );
    expect(problem).toMatchObject({
      path: '/cfdi:Comprobante/cfdi:Emisor/@RegimenFiscal',
      message: expect.stringContaining('"605" does not apply to a persona moral'),
    });
  });
});
