import { describe, expect, it } from 'vitest';
import { checkComprobanteStructure } from './comprobante-structure.js';
import { CfdiProblemCodes, validateCfdi } from './index.js';
import { defaultReadingLimits, parseDocument } from './parse-document.js';
import { checkStamp } from './stamp.js';
import { fixtureText, replaceOnce } from './testing/fixtures.js';

const valid = fixtureText('cfdiutils-cfdi40-valid.xml');
const emisor = '<cfdi:Emisor Rfc="EKU9003173C9" Nombre="ESCUELA KEMPER URGATE" RegimenFiscal="601"/>';
const concepto = /<cfdi:Concepto [\s\S]*?<\/cfdi:Concepto>/;
const stamp = '/cfdi:Comprobante/cfdi:Complemento/tfd:TimbreFiscalDigital';
const sello = / Sello="([^"]*)"/.exec(valid)![1]!;
const selloSat = / SelloSAT="[^"]*"/.exec(valid)![0];

// Structure and stamp form only, so the cases stay single-problem whatever other layers check.
function structureProblems(document: string, requireStamp = true) {
  const parsed = parseDocument(document, defaultReadingLimits);
  if (!parsed.ok) throw new Error(parsed.problem.message);
  return [...checkComprobanteStructure(parsed.root), ...checkStamp(parsed.root, requireStamp)];
}

function problemsAfter(search: string, replacement: string) {
  return structureProblems(replaceOnce(valid, search, replacement));
}

describe('the Comprobante structure', () => {
  // Each change breaks one thing; the problem names it and nothing else is reported.
  it.each([
    ['an empty Sello', `Sello="${sello}"`, 'Sello=""', 'attribute_required', '/cfdi:Comprobante/@Sello'],
    ['a missing Version', ' Version="4.0"', '', 'attribute_required', '/cfdi:Comprobante/@Version'],
    [
      'a missing Exportacion',
      ' Exportacion="01"',
      '',
      'attribute_required',
      '/cfdi:Comprobante/@Exportacion',
    ],
    [
      'a day-first Fecha',
      'Fecha="2025-02-19T08:32:29"',
      'Fecha="19-02-2025T08:32:29"',
      'CFDI40101',
      '/cfdi:Comprobante/@Fecha',
    ],
    [
      'a Fecha on 30 February',
      'Fecha="2025-02-19T08:32:29"',
      'Fecha="2024-02-30T08:32:29"',
      'CFDI40101',
      '/cfdi:Comprobante/@Fecha',
    ],
    [
      'a Fecha with a zone',
      'Fecha="2025-02-19T08:32:29"',
      'Fecha="2025-02-19T08:32:29Z"',
      'CFDI40101',
      '/cfdi:Comprobante/@Fecha',
    ],
    [
      'a 19-digit NoCertificado',
      'NoCertificado="30001000000500003416"',
      'NoCertificado="3000100000050000341"',
      'attribute_invalid',
      '/cfdi:Comprobante/@NoCertificado',
    ],
    ['a lower-case Moneda', 'Moneda="MXN"', 'Moneda="mxn"', 'attribute_invalid', '/cfdi:Comprobante/@Moneda'],
    [
      'an RFC with a bad month',
      'Rfc="EKU9003173C9"',
      'Rfc="EKU9013173C9"',
      'attribute_invalid',
      '/cfdi:Comprobante/cfdi:Emisor/@Rfc',
    ],
    [
      'an RFC with a leading space',
      'Rfc="MCI7306249Y1"',
      'Rfc=" MCI7306249Y1"',
      'attribute_invalid',
      '/cfdi:Comprobante/cfdi:Receptor/@Rfc',
    ],
    [
      'a missing UsoCFDI',
      ' UsoCFDI="G03"',
      '',
      'attribute_required',
      '/cfdi:Comprobante/cfdi:Receptor/@UsoCFDI',
    ],
    [
      'a 4-digit postal code',
      'DomicilioFiscalReceptor="54700"',
      'DomicilioFiscalReceptor="5470"',
      'attribute_invalid',
      '/cfdi:Comprobante/cfdi:Receptor/@DomicilioFiscalReceptor',
    ],
    [
      'a zero Cantidad',
      'Cantidad="4"',
      'Cantidad="0"',
      'attribute_invalid',
      '/cfdi:Comprobante/cfdi:Conceptos/cfdi:Concepto/@Cantidad',
    ],
    [
      'a ValorUnitario with 7 decimals',
      'ValorUnitario="956.04"',
      'ValorUnitario="956.0400001"',
      'attribute_invalid',
      '/cfdi:Comprobante/cfdi:Conceptos/cfdi:Concepto/@ValorUnitario',
    ],
    [
      'a negative ValorUnitario',
      'ValorUnitario="956.04"',
      'ValorUnitario="-956.04"',
      'attribute_invalid',
      '/cfdi:Comprobante/cfdi:Conceptos/cfdi:Concepto/@ValorUnitario',
    ],
    [
      'a missing ObjetoImp',
      ' ObjetoImp="02"',
      '',
      'attribute_required',
      '/cfdi:Comprobante/cfdi:Conceptos/cfdi:Concepto/@ObjetoImp',
    ],
    ['a missing Emisor', emisor, '', 'element_required', '/cfdi:Comprobante/cfdi:Emisor'],
    ['a second Emisor', emisor, `${emisor}${emisor}`, 'element_repeated', '/cfdi:Comprobante/cfdi:Emisor[2]'],
    [
      'a malformed UUID',
      'UUID="6F35D3B5-3651-5370-BC2C-14CDBE384CD7"',
      'UUID="6F35D3B5-3651-5370-BC2C"',
      'attribute_invalid',
      `${stamp}/@UUID`,
    ],
    ['a missing SelloSAT', selloSat, '', 'attribute_required', `${stamp}/@SelloSAT`],
    ['a stamp of version 1.0', 'Version="1.1"', 'Version="1.0"', 'not_stamped', `${stamp}/@Version`],
  ])('reports %s', (_case, search, replacement, code, path) => {
    expect(problemsAfter(search, replacement)).toEqual([expect.objectContaining({ code, path })]);
  });

  it('accepts a Cantidad written as any positive xs:decimal with at most 6 significant decimals', () => {
    for (const cantidad of ['4.000000', '+4', '4.0000000', '4.'])
      expect(problemsAfter('Cantidad="4"', `Cantidad="${cantidad}"`)).toEqual([]);
  });

  it('requires at least one Concepto', () => {
    const withoutConceptos = validateCfdi(valid.replace(concepto, ''));
    expect(withoutConceptos.problems).toContainEqual(
      expect.objectContaining({
        code: CfdiProblemCodes.elementRequired,
        path: '/cfdi:Comprobante/cfdi:Conceptos/cfdi:Concepto',
      }),
    );
  });

  it('numbers repeated Concepto elements in paths', () => {
    const second = valid.match(concepto)![0].replace(' ObjetoImp="02"', '');
    const twoConceptos = valid.replace(concepto, (first) => `${first}\n${second}`);
    expect(validateCfdi(twoConceptos, { requireStamp: false }).problems).toContainEqual(
      expect.objectContaining({
        code: CfdiProblemCodes.attributeRequired,
        path: '/cfdi:Comprobante/cfdi:Conceptos/cfdi:Concepto[2]/@ObjetoImp',
      }),
    );
  });

  it('checks a stamp that is present even when none is required', () => {
    const problems = structureProblems(replaceOnce(valid, 'Version="1.1"', 'Version="1.0"'), false);
    expect(problems).toEqual([
      expect.objectContaining({ code: CfdiProblemCodes.attributeInvalid, path: `${stamp}/@Version` }),
    ]);
  });

  it('keeps the problems of a message short, never quoting a whole certificate', () => {
    const problems = problemsAfter(
      'NoCertificado="30001000000500003416"',
      `NoCertificado="${'9'.repeat(500)}"`,
    );
    expect(problems[0]!.message.length).toBeLessThan(200);
  });
});
