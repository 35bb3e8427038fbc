import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type CertificateStore, certificateNumberOf } from '../../seal/index.js';
import type { SigningCredentials } from '../seal-document.js';

// The repository's fixtures/cfdi/certs, found from this file so tests run in any clone.
const certificates = new URL('../../../../../fixtures/cfdi/certs/', import.meta.url);

let credentials: SigningCredentials | undefined;

/** SAT's public test CSD for EKU9003173C9 (NoCertificado 30001000000500003416, valid to 2027-05-18). */
export function satTestCredentials(): SigningCredentials {
  credentials ??= {
    certificate: new X509Certificate(readFileSync(new URL('EKU9003173C9.cer', certificates))),
    privateKey: createPrivateKey(readFileSync(new URL('EKU9003173C9.key.pem', certificates))),
  };
  return credentials;
}

/** A certificate store holding only these credentials' certificate: the PAC of generated stamps. */
export function pacStoreOf({ certificate }: SigningCredentials): CertificateStore {
  const number = certificateNumberOf(certificate);
  return { find: (certificateNumber) => (certificateNumber === number ? certificate : undefined) };
}
