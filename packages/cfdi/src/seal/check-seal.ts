import { Namespaces } from '../namespaces.js';
import { type CfdiProblem, quoted } from '../problems.js';
import { attributePath, childElements, type XmlElement } from '../xml-document.js';
import { buildCadenaOriginal } from './cadena-original.js';
import { type CertificateFacts, readEmbeddedCertificate } from './certificates.js';
import { SealProblemCodes, sealProblem } from './seal-codes.js';
import { verifiesRsaSha256 } from './signatures.js';
import { fechaWindow, overlaps, utcText } from './wall-clock.js';

/**
 * Sello over the cadena original with the embedded Certificado; NoCertificado, the Emisor's RFC and
 * Fecha against that certificate. No problems means the seal verified: a document whose seal cannot
 * be checked (no Sello, no readable Certificado, a complement the cadena cannot be built for) always
 * gets a problem saying so. Attributes missing altogether are the structure check's to report; the
 * comparisons that need them are skipped.
 */
export function checkSeal(comprobante: XmlElement): CfdiProblem[] {
  const problems: CfdiProblem[] = [];
  const cadena = buildCadenaOriginal(comprobante);
  if (!cadena.ok) problems.push(cadena.problem);
  const certificate = embeddedCertificate(comprobante, problems);

  const sello = comprobante.attributes.get('Sello') ?? '';
  const selloPath = attributePath(comprobante, 'Sello');
  if (sello.trim() === '')
    problems.push(
      sealProblem(SealProblemCodes.sealInvalid, selloPath, 'the Comprobante is not sealed: Sello is empty'),
    );
  else if (certificate && cadena.ok && !verifiesRsaSha256(cadena.cadena, sello, certificate.publicKey))
    problems.push(
      sealProblem(
        SealProblemCodes.sealInvalid,
        selloPath,
        'the Sello does not verify over the cadena original with the key of the Certificado (RSA-SHA256)',
      ),
    );
  if (certificate) problems.push(...compareWithCertificate(comprobante, certificate));
  return problems;
}

function embeddedCertificate(comprobante: XmlElement, problems: CfdiProblem[]): CertificateFacts | undefined {
  const path = attributePath(comprobante, 'Certificado');
  const base64 = comprobante.attributes.get('Certificado') ?? '';
  if (base64.trim() === '') {
    problems.push(sealProblem(SealProblemCodes.certificateUnreadable, path, 'the Certificado is empty'));
    return undefined;
  }
  const certificate = readEmbeddedCertificate(base64);
  if (certificate === undefined)
    problems.push(
      sealProblem(
        SealProblemCodes.certificateUnreadable,
        path,
        'the Certificado is not a base64 DER X.509 certificate',
      ),
    );
  else if (certificate.publicKey.asymmetricKeyType !== 'rsa')
    problems.push(
      sealProblem(
        SealProblemCodes.certificateUnreadable,
        path,
        'the Certificado does not hold an RSA key, as a CSD does',
      ),
    );
  else return certificate;
  return undefined;
}

function compareWithCertificate(comprobante: XmlElement, certificate: CertificateFacts): CfdiProblem[] {
  const problems: CfdiProblem[] = [];
  const number = comprobante.attributes.get('NoCertificado');
  if (number !== undefined && number !== certificate.number)
    problems.push(
      sealProblem(
        SealProblemCodes.certificateNumberMismatch,
        attributePath(comprobante, 'NoCertificado'),
        `NoCertificado ${quoted(number)} is not the number of the Certificado, ${quoted(certificate.number)}`,
      ),
    );

  const [emisor] = childElements(comprobante, Namespaces.cfdi40, 'Emisor');
  const rfc = emisor?.attributes.get('Rfc');
  if (emisor && rfc !== undefined && rfc !== certificate.rfc)
    problems.push(
      sealProblem(
        SealProblemCodes.certificateRfcMismatch,
        attributePath(emisor, 'Rfc'),
        certificate.rfc === undefined
          ? `the Certificado names no RFC, so it cannot be the Emisor's (${quoted(rfc)})`
          : `the Emisor's Rfc ${quoted(rfc)} is not the RFC of the Certificado, ${quoted(certificate.rfc)}`,
      ),
    );

  const fecha = comprobante.attributes.get('Fecha') ?? '';
  const window = fechaWindow(fecha);
  if (window && !overlaps(window, certificate.validFrom, certificate.validTo))
    problems.push(
      sealProblem(
        SealProblemCodes.certificateNotValidAtFecha,
        attributePath(comprobante, 'Fecha'),
        `Fecha ${quoted(fecha)} is outside the validity of the Certificado (${utcText(certificate.validFrom)} to ${utcText(certificate.validTo)} UTC)`,
      ),
    );
  return problems;
}
