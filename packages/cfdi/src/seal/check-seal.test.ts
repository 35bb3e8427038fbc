import { describe, expect, it } from 'vitest';
import { Namespaces } from '../namespaces.js';
import { fixtureBytes, fixtureText, replaceOnce } from '../testing/fixtures.js';
import type { XmlElement } from '../xml-document.js';
import { buildCadenaOriginal } from './cadena-original.js';
import { checkSeal } from './check-seal.js';
import { SealProblemCodes } from './seal-codes.js';
import { parsedRoot, resealed, withAttribute } from './testing/credentials.js';

const codesOf = (comprobante: XmlElement) => checkSeal(comprobante).map((problem) => problem.code);

// Sealed with SAT's test CSD for EKU9003173C9, whose key the tests hold, so changes can be re-sealed.
const sealedByTestCsd = fixtureText('cfdiutils-cfdi40-valid.xml');

describe('checkSeal', () => {
  it.each([
    'cfdiutils-cfdi40-real.xml',
    'cfdiutils-cfdi40-valid.xml',
    'swsdkphp-file_pdf.xml',
    'cfdiutils-created-with-discounts-40.xml',
    'cfdiutils-created-cfdi40-pago20-valid.xml',
  ])('finds nothing wrong with the seal of %s', (name) => {
    expect(checkSeal(parsedRoot(fixtureBytes(name)))).toEqual([]);
  });

  it('reports a Sello that does not match the cadena original', () => {
    expect(checkSeal(parsedRoot(fixtureBytes('swsdkphp-cfdi40.xml')))).toEqual([
      {
        code: SealProblemCodes.sealInvalid,
        path: '/cfdi:Comprobante/@Sello',
        message: expect.stringContaining('does not verify'),
      },
    ]);
  });

  it('reports a one-character change to any attribute in the cadena original as a broken seal', () => {
    const original = parsedRoot(sealedByTestCsd);
    const originalCadena = cadenaOf(original);
    let changed = 0;
    for (const { element, name } of attributesOf(original)) {
      const mutated = withChangedAttribute(original, element, name);
      // Sello, Certificado and the stamp's attributes are outside the cadena: nothing to break.
      if (cadenaOf(mutated) === originalCadena) continue;
      changed++;
      expect(codesOf(mutated), `${element.path}/@${name}`).toContain(SealProblemCodes.sealInvalid);
    }
    expect(changed).toBeGreaterThan(40);
  });

  it('reports a certificate that expired before the Fecha', () => {
    const problems = checkSeal(parsedRoot(fixtureBytes('satcfdi-cfdv40-ejemplo-signed-tfd.xml')));
    expect(problems).toEqual([
      {
        code: SealProblemCodes.certificateNotValidAtFecha,
        path: '/cfdi:Comprobante/@Fecha',
        message: expect.stringContaining('2021-05-18T03:54:56 UTC'),
      },
    ]);
  });

  it('reports a NoCertificado that is not the number of the Certificado', () => {
    const text = resealed(withAttribute(sealedByTestCsd, 'NoCertificado', '30001000000500003417'));
    expect(codesOf(parsedRoot(text))).toEqual([SealProblemCodes.certificateNumberMismatch]);
  });

  it("reports an Emisor RFC that is not the certificate's", () => {
    const text = resealed(replaceOnce(sealedByTestCsd, 'Rfc="EKU9003173C9"', 'Rfc="AAA010101AAA"'));
    expect(checkSeal(parsedRoot(text))).toEqual([
      {
        code: SealProblemCodes.certificateRfcMismatch,
        path: '/cfdi:Comprobante/cfdi:Emisor/@Rfc',
        message: expect.stringContaining('"EKU9003173C9"'),
      },
    ]);
  });

  // The certificate is valid from 2023-05-18T11:43:51Z; Mexican local time is 5 to 8 hours behind UTC.
  it.each([
    { fecha: '2023-05-18T06:00:00', valid: true },
    { fecha: '2023-05-18T03:44:00', valid: true },
    { fecha: '2023-05-18T03:43:00', valid: false },
    { fecha: '2027-05-18T06:43:51', valid: true },
    { fecha: '2027-05-18T06:43:52', valid: false },
  ])('takes Fecha $fecha as valid=$valid for any Mexican zone', ({ fecha, valid }) => {
    const text = resealed(withAttribute(sealedByTestCsd, 'Fecha', fecha));
    expect(codesOf(parsedRoot(text))).toEqual(valid ? [] : [SealProblemCodes.certificateNotValidAtFecha]);
  });

  it.each([
    ['not base64 at all', '%%% not a certificate %%%'],
    ['base64 of a few bytes', 'AAAA'],
    ['a truncated certificate', /Certificado="([^"]{200})/.exec(sealedByTestCsd)![1]!],
    ['a PEM header', '-----BEGIN CERTIFICATE-----'],
  ])('reports a Certificado that is %s as unreadable, without a verdict on the Sello', (_what, value) => {
    const text = withAttribute(sealedByTestCsd, 'Certificado', value);
    expect(checkSeal(parsedRoot(text))).toEqual([
      {
        code: SealProblemCodes.certificateUnreadable,
        path: '/cfdi:Comprobante/@Certificado',
        message: expect.any(String),
      },
    ]);
  });

  it('reports an unsealed document, whose Sello and Certificado are empty', () => {
    expect(codesOf(parsedRoot(fixtureBytes('satcfdi-cfdv40-min.xml')))).toEqual([
      SealProblemCodes.certificateUnreadable,
      SealProblemCodes.sealInvalid,
    ]);
  });

  it('says the seal cannot be verified when the cadena needs an unsupported complement', () => {
    const text = replaceOnce(
      sealedByTestCsd,
      '<cfdi:Complemento>',
      '<cfdi:Complemento><detallista:detallista xmlns:detallista="http://www.sat.gob.mx/detallista"/>',
    );
    expect(checkSeal(parsedRoot(text))).toEqual([
      {
        code: SealProblemCodes.cadenaUnsupportedComplement,
        path: '/cfdi:Comprobante/cfdi:Complemento/detallista:detallista',
        message: expect.stringContaining('cannot be verified'),
      },
    ]);
  });
});

function cadenaOf(comprobante: XmlElement): string {
  const result = buildCadenaOriginal(comprobante);
  if (!result.ok) throw new Error(result.problem.message);
  return result.cadena;
}

function* attributesOf(element: XmlElement): Generator<{ element: XmlElement; name: string }> {
  if (element.namespace === Namespaces.timbreFiscalDigital) return;
  for (const name of element.attributes.keys()) yield { element, name };
  for (const child of element.children) yield* attributesOf(child);
}

/** A copy of the tree with one character of one attribute changed. */
function withChangedAttribute(root: XmlElement, target: XmlElement, name: string): XmlElement {
  if (root === target) {
    const attributes = new Map(root.attributes);
    const value = attributes.get(name)!;
    const last = value.at(-1);
    attributes.set(name, value.slice(0, -1) + (last === '1' ? '2' : '1'));
    return { ...root, attributes };
  }
  return { ...root, children: root.children.map((child) => withChangedAttribute(child, target, name)) };
}
