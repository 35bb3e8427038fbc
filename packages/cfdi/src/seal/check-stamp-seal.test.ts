import { describe, expect, it } from 'vitest';
import { fixtureBytes, fixtureText, replaceOnce } from '../testing/fixtures.js';
import { checkStampSeal } from './check-stamp-seal.js';
import { SealProblemCodes } from './seal-codes.js';
import {
  bundledCertificateStore,
  certificateStoreOf,
  parsedRoot,
  restamped,
  testCsd,
  withAttribute,
} from './testing/credentials.js';

const bundled = bundledCertificateStore();
const stampedValid = fixtureText('cfdiutils-cfdi40-valid.xml');

// The test CSD's key stands in for a PAC's, so a stamp can be changed and signed again.
const testPac = certificateStoreOf([testCsd.certificate]);
const stampedByTestPac = (changes: Record<string, string> = {}) => {
  let text = withAttribute(stampedValid, 'NoCertificadoSAT', testCsd.number);
  for (const [name, value] of Object.entries(changes)) text = withAttribute(text, name, value);
  return restamped(text);
};
const codesOf = (text: string) => checkStampSeal(parsedRoot(text), testPac).problems.map(({ code }) => code);

describe('checkStampSeal', () => {
  it.each(['cfdiutils-cfdi40-real.xml', 'cfdiutils-cfdi40-valid.xml', 'swsdkphp-file_pdf.xml'])(
    'verifies the stamp of %s with the bundled PAC certificates',
    (name) => {
      expect(checkStampSeal(parsedRoot(fixtureBytes(name)), bundled)).toEqual({
        problems: [],
        unverifiable: false,
      });
    },
  );

  it('does nothing for a document without a stamp', () => {
    const root = parsedRoot(fixtureBytes('cfdiutils-created-with-discounts-40.xml'));
    expect(checkStampSeal(root, bundled)).toEqual({ problems: [], unverifiable: false });
  });

  it("reports a SelloCFD that is not the Comprobante's Sello", () => {
    const text = withAttribute(stampedValid, 'SelloCFD', 'c2VsbG8gZGUgb3RybyBkb2N1bWVudG8=');
    const { problems } = checkStampSeal(parsedRoot(text), bundled);
    expect(problems.map(({ code }) => code)).toContain(SealProblemCodes.stampSelloCfdMismatch);
    expect(problems.find(({ code }) => code === SealProblemCodes.stampSelloCfdMismatch)?.path).toBe(
      '/cfdi:Comprobante/cfdi:Complemento/tfd:TimbreFiscalDigital/@SelloCFD',
    );
  });

  it.each([
    ['UUID', 'C2832671-DA6D-11EF-A83D-00155D012007'],
    ['FechaTimbrado', '2025-02-19T08:37:31'],
    ['RfcProvCertif', 'SPR190613I53'],
    ['Leyenda', 'added'],
  ])('reports a stamp whose %s was changed after signing', (name, value) => {
    const text =
      name === 'Leyenda'
        ? replaceOnce(stampedValid, 'Version="1.1"', 'Version="1.1" Leyenda="added"')
        : withAttribute(stampedValid, name, value);
    const { problems, unverifiable } = checkStampSeal(parsedRoot(text), bundled);
    expect(unverifiable).toBe(false);
    expect(problems).toEqual([
      {
        code: SealProblemCodes.stampSealInvalid,
        path: '/cfdi:Comprobante/cfdi:Complemento/tfd:TimbreFiscalDigital/@SelloSAT',
        message: expect.stringContaining('does not verify'),
      },
    ]);
  });

  it('says a stamp by a PAC certificate the store does not hold cannot be verified', () => {
    // Its stamp also came 12 days after the Fecha.
    const root = parsedRoot(fixtureBytes('satcfdi-cfdv40-ejemplo-signed-tfd.xml'));
    expect(checkStampSeal(root, bundled)).toEqual({
      problems: [
        {
          code: SealProblemCodes.stampDateInconsistent,
          path: '/cfdi:Comprobante/cfdi:Complemento/tfd:TimbreFiscalDigital/@FechaTimbrado',
          message: expect.stringContaining('more than 72 hours after'),
        },
        {
          code: SealProblemCodes.stampUnverifiable,
          path: '/cfdi:Comprobante/cfdi:Complemento/tfd:TimbreFiscalDigital/@NoCertificadoSAT',
          message: expect.stringContaining('"30001000000300023699"'),
        },
      ],
      unverifiable: true,
    });
  });

  it('accepts a stamp signed again by a stand-in PAC, so the date cases below test only dates', () => {
    expect(codesOf(stampedByTestPac())).toEqual([]);
  });

  // Fecha is 2025-02-19T08:32:29, the issuer's local time; FechaTimbrado is Zona Centro time.
  it.each([
    { fechaTimbrado: '2025-02-18T08:32:29', consistent: false, why: 'a day before Fecha' },
    {
      fechaTimbrado: '2025-02-19T07:32:29',
      consistent: true,
      why: 'an hour before (issued in Quintana Roo)',
    },
    { fechaTimbrado: '2025-02-19T07:32:28', consistent: false, why: 'more than an hour before' },
    { fechaTimbrado: '2025-02-22T08:32:29', consistent: true, why: '72 hours after' },
    { fechaTimbrado: '2025-02-22T12:00:00', consistent: false, why: 'well over 72 hours after' },
  ])('takes a FechaTimbrado $why as consistent=$consistent', ({ fechaTimbrado, consistent }) => {
    expect(codesOf(stampedByTestPac({ FechaTimbrado: fechaTimbrado }))).toEqual(
      consistent ? [] : [SealProblemCodes.stampDateInconsistent],
    );
  });

  it('reports a FechaTimbrado outside the validity of the PAC certificate', () => {
    // The stand-in's certificate is valid from 2023-05-18T11:43:51Z.
    const text = stampedByTestPac({ FechaTimbrado: '2022-01-01T10:00:00' });
    const issuedEarlier = withAttribute(text, 'Fecha', '2022-01-01T09:00:00');
    expect(codesOf(issuedEarlier)).toEqual([SealProblemCodes.stampCertificateNotValidAtFechaTimbrado]);
  });
});
