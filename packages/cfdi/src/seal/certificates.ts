import { type KeyObject, X509Certificate } from 'node:crypto';

/** What the checks read from a certificate, worked out once per certificate. */
export interface CertificateFacts {
  readonly certificate: X509Certificate;
  readonly publicKey: KeyObject;
  /** NoCertificado: the serial number's bytes read as ASCII digits. */
  readonly number: string;
  /** From the subject's x500UniqueIdentifier; undefined when the certificate names none. */
  readonly rfc: string | undefined;
  /** Validity, milliseconds since the epoch (the certificate's times are UTC). */
  readonly validFrom: number;
  readonly validTo: number;
}

/**
 * SAT numbers a certificate by its serial: the serial's bytes are ASCII digits, so serial
 * 3330303031...3136 is NoCertificado 30001...16.
 */
export function certificateNumberOf(certificate: X509Certificate): string {
  const hex = certificate.serialNumber;
  return Buffer.from(hex.length % 2 === 0 ? hex : `0${hex}`, 'hex').toString('latin1');
}

// OID 2.5.4.45. SAT writes "RFC / RFC or CURP of the representative" there; the first is the holder's.
const uniqueIdentifierLine = /^x500UniqueIdentifier=(.*)$/m;

/** The holder's RFC, from the subject's x500UniqueIdentifier ("EKU9003173C9 / VADA800927DJ3"). */
export function certificateRfcOf(certificate: X509Certificate): string | undefined {
  const match = uniqueIdentifierLine.exec(certificate.subject);
  if (!match) return undefined;
  // Node prints the subject RFC 2253-escaped; RFC characters need no escape, but a leading space does.
  const [holder = ''] = match[1]!.replace(/\\(.)/g, '$1').split('/');
  const rfc = holder.trim();
  return rfc === '' ? undefined : rfc;
}

/** The facts of a certificate, or undefined when its validity cannot be read. */
export function factsOf(certificate: X509Certificate): CertificateFacts | undefined {
  const validFrom = Date.parse(certificate.validFrom);
  const validTo = Date.parse(certificate.validTo);
  if (Number.isNaN(validFrom) || Number.isNaN(validTo)) return undefined;
  return {
    certificate,
    publicKey: certificate.publicKey,
    number: certificateNumberOf(certificate),
    rfc: certificateRfcOf(certificate),
    validFrom,
    validTo,
  };
}

// Parsing a certificate costs several times an RSA verification, and an issuer seals many documents
// with one certificate, so the last few hundred are kept. They are found by the Certificado's last
// characters (the certificate's signature, which no two certificates share) and used only when the
// whole text is the same: a map keyed by the whole Certificado would hash its 2 KB for every
// document, since each document's copy of it is a new string.
const recentlyRead = new Map<string, { text: string; facts: CertificateFacts }>();
const recentlyReadLimit = 256;
const keyLength = 64;

/** The certificate in a Certificado attribute (base64 DER), or undefined when it is not one. */
export function readEmbeddedCertificate(base64: string): CertificateFacts | undefined {
  const key = base64.length <= keyLength ? base64 : base64.slice(-keyLength);
  const cached = recentlyRead.get(key);
  if (cached !== undefined && cached.text === base64) {
    recentlyRead.delete(key);
    recentlyRead.set(key, cached);
    return cached.facts;
  }
  let facts: CertificateFacts | undefined;
  try {
    facts = factsOf(new X509Certificate(Buffer.from(base64, 'base64')));
  } catch {
    return undefined;
  }
  if (facts === undefined) return undefined;
  // A certificate whose text ends like a kept one's (the same one written another way) takes its place.
  recentlyRead.delete(key);
  if (recentlyRead.size >= recentlyReadLimit) recentlyRead.delete(recentlyRead.keys().next().value!);
  recentlyRead.set(key, { text: base64, facts });
  return facts;
}
