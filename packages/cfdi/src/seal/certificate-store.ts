import type { X509Certificate } from 'node:crypto';

/**
 * Port: the PAC and SAT certificates that sign stamps (TimbreFiscalDigital/@SelloSAT), by
 * NoCertificado. The filesystem adapter reads a directory of them.
 */
export interface CertificateStore {
  find(certificateNumber: string): X509Certificate | undefined;
}
