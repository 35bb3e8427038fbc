import type { KeyObject, X509Certificate } from 'node:crypto';
import { Namespaces } from '../namespaces.js';
import {
  buildCadenaOriginal,
  buildStampCadena,
  certificateNumberOf,
  certificateRfcOf,
  sealCadena,
} from '../seal/index.js';
import { cfdiChildren, type TreeElement } from './document-tree.js';

/** A CSD: the certificate a Comprobante embeds and the private key that seals it. */
export interface SigningCredentials {
  certificate: X509Certificate;
  privateKey: KeyObject;
}

/**
 * Who plays the PAC for a fake stamp. SelloSAT is a real signature with this key over the stamp's
 * cadena, so a validator whose certificate store holds `certificate` verifies it; any other store
 * reports the stamp as unverifiable. Generated stamps are for tests and load runs, never for SAT.
 */
export interface StampCredentials extends SigningCredentials {
  /** RfcProvCertif; defaults to the certificate's RFC when it is a company's, else SAT's test PAC. */
  providerRfc?: string;
}

interface CertificateText {
  number: string;
  base64: string;
  rfc: string | undefined;
}

// Reading a certificate costs more than a signature; a load run seals thousands with one.
const certificateTexts = new WeakMap<X509Certificate, CertificateText>();

export function certificateTextOf(certificate: X509Certificate): CertificateText {
  let text = certificateTexts.get(certificate);
  if (!text) {
    text = {
      number: certificateNumberOf(certificate),
      base64: certificate.raw.toString('base64'),
      rfc: certificateRfcOf(certificate),
    };
    certificateTexts.set(certificate, text);
  }
  return text;
}

/**
 * NoCertificado, Certificado and Sello over the Comprobante's cadena original, in place. False when
 * the cadena cannot be built (a complement it has no template for), leaving the Sello as it was.
 */
export function sealComprobante(comprobante: TreeElement, credentials: SigningCredentials): boolean {
  const { number, base64 } = certificateTextOf(credentials.certificate);
  comprobante.attributes.set('NoCertificado', number);
  comprobante.attributes.set('Certificado', base64);
  const cadena = buildCadenaOriginal(comprobante);
  if (!cadena.ok) return false;
  comprobante.attributes.set('Sello', sealCadena(cadena.cadena, credentials.privateKey));
  return true;
}

/** SelloCFD (the Comprobante's Sello) and SelloSAT of the stamp under Complemento, in place. */
export function signStamp(comprobante: TreeElement, stamp: StampCredentials): void {
  const timbre = stampOf(comprobante);
  if (!timbre) return;
  const { number } = certificateTextOf(stamp.certificate);
  timbre.attributes.set('SelloCFD', comprobante.attributes.get('Sello') ?? '');
  timbre.attributes.set('NoCertificadoSAT', number);
  timbre.attributes.set('SelloSAT', sealCadena(buildStampCadena(timbre), stamp.privateKey));
}

export function providerRfcOf(stamp: StampCredentials): string {
  const rfc = stamp.providerRfc ?? certificateTextOf(stamp.certificate).rfc;
  // RfcProvCertif is a company's RFC (t_RFC_PM); SPR190613I52 is SAT's own test PAC.
  return rfc !== undefined && rfc.length === 12 ? rfc : 'SPR190613I52';
}

export function stampOf(comprobante: TreeElement): TreeElement | undefined {
  const [complemento] = cfdiChildren(comprobante, 'Complemento');
  return complemento?.children.find(
    (child) =>
      child.namespace === Namespaces.timbreFiscalDigital && child.localName === 'TimbreFiscalDigital',
  );
}
