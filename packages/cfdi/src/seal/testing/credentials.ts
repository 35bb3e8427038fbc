import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { defaultReadingLimits, parseDocument } from '../../parse-document.js';
import { findStamp } from '../../stamp.js';
import type { XmlElement } from '../../xml-document.js';
import { buildCadenaOriginal, buildStampCadena } from '../cadena-original.js';
import type { CertificateStore } from '../certificate-store.js';
import { certificateNumberOf } from '../certificates.js';
import { sealCadena } from '../signatures.js';

const certsDirectory = new URL('../../../../../fixtures/cfdi/certs/', import.meta.url);
const bundledDirectory = new URL('../../../certificates/', import.meta.url);

/**
 * SAT's public test CSD for EKU9003173C9 (fixtures/cfdi/certs/SOURCES.md): the certificate embedded
 * in cfdiutils-cfdi40-valid.xml and the key that made its Sello, so tests can re-seal what they change.
 */
export const testCsd: { certificate: X509Certificate; privateKey: KeyObject; number: string } = (() => {
  const certificate = new X509Certificate(readFileSync(new URL('EKU9003173C9.cer', certsDirectory)));
  const privateKey = createPrivateKey(readFileSync(new URL('EKU9003173C9.key.pem', certsDirectory)));
  return { certificate, privateKey, number: certificateNumberOf(certificate) };
})();

/** The PAC certificates this package bundles, packages/cfdi/certificates/*.cer. */
export function bundledCertificateStore(): CertificateStore {
  return certificateStoreOf(
    readdirSync(bundledDirectory)
      .filter((name) => name.endsWith('.cer'))
      .map((name) => new X509Certificate(readFileSync(new URL(name, bundledDirectory)))),
  );
}

export function certificateStoreOf(certificates: readonly X509Certificate[]): CertificateStore {
  const byNumber = new Map(
    certificates.map((certificate) => [certificateNumberOf(certificate), certificate]),
  );
  return { find: (number) => byNumber.get(number) };
}

export function parsedRoot(document: Uint8Array | string): XmlElement {
  const result = parseDocument(document, defaultReadingLimits);
  if (!result.ok) throw new Error(result.problem.message);
  return result.root;
}

/** The document's text with a fresh Sello over its current cadena, made with the test CSD's key. */
export function resealed(text: string): string {
  const cadena = buildCadenaOriginal(parsedRoot(text));
  if (!cadena.ok) throw new Error(cadena.problem.message);
  return withAttribute(text, 'Sello', sealCadena(cadena.cadena, testCsd.privateKey));
}

/**
 * The document's text with a stamp signed by the test CSD's key, as if it were a PAC's: SelloCFD set to
 * the current Sello, then a fresh SelloSAT. Verify it against certificateStoreOf([testCsd.certificate])
 * with NoCertificadoSAT set to testCsd.number.
 */
export function restamped(text: string): string {
  const sello = /\sSello="([^"]*)"/.exec(text)?.[1] ?? '';
  const withSelloCfd = withAttribute(text, 'SelloCFD', sello);
  const stamp = findStamp(parsedRoot(withSelloCfd));
  if (!stamp) throw new Error('the document has no stamp');
  return withAttribute(withSelloCfd, 'SelloSAT', sealCadena(buildStampCadena(stamp), testCsd.privateKey));
}

/** The text with the one attribute of that name (double-quoted) given a new value. */
export function withAttribute(text: string, name: string, value: string): string {
  const pattern = new RegExp(`(\\s${name}=")[^"]*(")`, 'g');
  const count = [...text.matchAll(pattern)].length;
  if (count !== 1) throw new Error(`expected one ${name}="..." attribute, found ${count}`);
  return text.replace(pattern, (_match, before: string, after: string) => `${before}${value}${after}`);
}
