import type { X509Certificate } from 'node:crypto';
import { type CfdiProblem, quoted } from '../problems.js';
import { findStamp } from '../stamp.js';
import { attributePath, type XmlElement } from '../xml-document.js';
import { buildStampCadena } from './cadena-original.js';
import type { CertificateStore } from './certificate-store.js';
import { type CertificateFacts, factsOf } from './certificates.js';
import { SealProblemCodes, sealProblem } from './seal-codes.js';
import { verifiesRsaSha256 } from './signatures.js';
import { fechaTimbradoWindow, fechaWindow, overlaps, type UtcWindow, utcText } from './wall-clock.js';

export interface StampSealCheck {
  problems: CfdiProblem[];
  /** The PAC certificate named by NoCertificadoSAT is not in the store: SelloSAT was not checked. */
  unverifiable: boolean;
}

const hour = 3_600_000;
// A PAC must stamp within 72 hours of the Fecha (SAT's stamping rule, error 401).
const stampingDeadline = 72 * hour;

/**
 * SelloCFD equals the Comprobante's Sello, SelloSAT verifies over the stamp's cadena with the PAC
 * certificate the store holds under NoCertificadoSAT (which must be valid at FechaTimbrado), and
 * FechaTimbrado follows Fecha within 72 hours. An unknown certificate makes the stamp `unverifiable`,
 * with a stamp_unverifiable problem and no stamp_seal_invalid. Does nothing when there is no stamp.
 */
export function checkStampSeal(comprobante: XmlElement, certificates: CertificateStore): StampSealCheck {
  const stamp = findStamp(comprobante);
  if (!stamp) return { problems: [], unverifiable: false };
  const problems = [...compareSelloCfd(comprobante, stamp), ...compareDates(comprobante, stamp)];

  const number = stamp.attributes.get('NoCertificadoSAT') ?? '';
  const stored = number === '' ? undefined : certificates.find(number);
  const certificate = stored && storedFactsOf(stored);
  if (!certificate) {
    problems.push(
      sealProblem(
        SealProblemCodes.stampUnverifiable,
        attributePath(stamp, 'NoCertificadoSAT'),
        `cannot verify the stamp: no known PAC certificate has NoCertificadoSAT ${quoted(number)}`,
      ),
    );
    return { problems, unverifiable: true };
  }

  const selloSat = stamp.attributes.get('SelloSAT') ?? '';
  if (!verifiesRsaSha256(buildStampCadena(stamp), selloSat, certificate.publicKey))
    problems.push(
      sealProblem(
        SealProblemCodes.stampSealInvalid,
        attributePath(stamp, 'SelloSAT'),
        `the SelloSAT does not verify over the stamp's cadena original with certificate ${quoted(number)} (RSA-SHA256)`,
      ),
    );
  const fechaTimbrado = stamp.attributes.get('FechaTimbrado') ?? '';
  const window = fechaTimbradoWindow(fechaTimbrado);
  if (window && !overlaps(window, certificate.validFrom, certificate.validTo))
    problems.push(
      sealProblem(
        SealProblemCodes.stampCertificateNotValidAtFechaTimbrado,
        attributePath(stamp, 'FechaTimbrado'),
        `FechaTimbrado ${quoted(fechaTimbrado)} is outside the validity of PAC certificate ${quoted(number)} (${utcText(certificate.validFrom)} to ${utcText(certificate.validTo)} UTC)`,
      ),
    );
  return { problems, unverifiable: false };
}

function compareSelloCfd(comprobante: XmlElement, stamp: XmlElement): CfdiProblem[] {
  const selloCfd = stamp.attributes.get('SelloCFD');
  if (selloCfd === undefined || selloCfd === (comprobante.attributes.get('Sello') ?? '')) return [];
  return [
    sealProblem(
      SealProblemCodes.stampSelloCfdMismatch,
      attributePath(stamp, 'SelloCFD'),
      "the stamp's SelloCFD is not the Comprobante's Sello: the stamp was made for another document",
    ),
  ];
}

/**
 * FechaTimbrado must not precede Fecha and must be at most 72 hours after it. The two are wall-clock
 * times in possibly different zones (see wall-clock.ts), so the rule fails only when no pair of
 * instants they can stand for satisfies it: a stamp up to an hour "before" an invoice from Quintana
 * Roo is consistent, one a day before is not.
 */
function compareDates(comprobante: XmlElement, stamp: XmlElement): CfdiProblem[] {
  const fecha = comprobante.attributes.get('Fecha') ?? '';
  const fechaTimbrado = stamp.attributes.get('FechaTimbrado') ?? '';
  const issued = fechaWindow(fecha);
  const stamped = fechaTimbradoWindow(fechaTimbrado);
  if (!issued || !stamped) return [];
  const problem = (message: string) => [
    sealProblem(SealProblemCodes.stampDateInconsistent, attributePath(stamp, 'FechaTimbrado'), message),
  ];
  if (latestGap(issued, stamped) < 0)
    return problem(
      `FechaTimbrado ${quoted(fechaTimbrado)} precedes the Comprobante's Fecha ${quoted(fecha)}`,
    );
  if (earliestGap(issued, stamped) > stampingDeadline)
    return problem(
      `FechaTimbrado ${quoted(fechaTimbrado)} is more than 72 hours after the Comprobante's Fecha ${quoted(fecha)}`,
    );
  return [];
}

const latestGap = (issued: UtcWindow, stamped: UtcWindow) => stamped.latest - issued.earliest;
const earliestGap = (issued: UtcWindow, stamped: UtcWindow) => stamped.earliest - issued.latest;

// The store hands out X509Certificate objects; their facts are worked out once each.
const factsByCertificate = new WeakMap<X509Certificate, CertificateFacts | null>();

function storedFactsOf(certificate: X509Certificate): CertificateFacts | undefined {
  let facts = factsByCertificate.get(certificate);
  if (facts === undefined) {
    facts = factsOf(certificate) ?? null;
    factsByCertificate.set(certificate, facts);
  }
  return facts ?? undefined;
}
