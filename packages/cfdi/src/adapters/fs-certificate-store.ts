import { X509Certificate } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CertificateStore, certificateNumberOf } from '../seal/index.js';

/**
 * The PAC and SAT certificates this package bundles, `packages/cfdi/certificates/`. Resolved from
 * this module, which sits at the same depth under `src/` (Vitest) and `dist/` (built).
 */
export const bundledCertificatesDirectory: URL = new URL('../../certificates/', import.meta.url);

export interface FsCertificateStoreOptions {
  /** A directory of `*.cer` (DER, or PEM) and `*.pem` certificates; subdirectories are not read. */
  directory: string | URL;
}

/** A file of the directory that holds no usable certificate, and why. */
export interface SkippedCertificateFile {
  file: string;
  reason: string;
}

export interface FsCertificateStore extends CertificateStore {
  /** NoCertificado of every certificate loaded, sorted. */
  readonly certificateNumbers: readonly string[];
  /** What was not loaded; the store logs nothing, so the composition root decides what to say. */
  readonly skipped: readonly SkippedCertificateFile[];
}

const pemCertificate = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/**
 * Loads every certificate in the directory once, at start-up, and indexes it by the NoCertificado it
 * carries (its serial), whatever the file is called. A directory that cannot be read is an error;
 * a file that cannot be used is skipped and listed.
 */
export async function createFsCertificateStore({
  directory,
}: FsCertificateStoreOptions): Promise<FsCertificateStore> {
  const path = typeof directory === 'string' ? directory : fileURLToPath(directory);
  const entries = await readdir(path, { withFileTypes: true });
  const byNumber = new Map<string, X509Certificate>();
  const loadedFrom = new Map<string, string>();
  const skipped: SkippedCertificateFile[] = [];

  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const file = entry.name;
    if (!entry.isFile() || !/\.(cer|pem)$/i.test(file)) {
      skipped.push({ file, reason: entry.isFile() ? 'not a .cer or .pem file' : 'not a regular file' });
      continue;
    }
    const read = certificatesIn(await readFile(join(path, file)));
    if (!read.ok) {
      skipped.push({ file, reason: read.reason });
      continue;
    }
    for (const certificate of read.certificates) {
      const number = certificateNumberOf(certificate);
      const earlier = loadedFrom.get(number);
      if (earlier !== undefined) {
        skipped.push({ file, reason: `certificate ${number} was already loaded from ${earlier}` });
        continue;
      }
      byNumber.set(number, certificate);
      loadedFrom.set(number, file);
    }
  }

  return {
    find: (certificateNumber) => byNumber.get(certificateNumber),
    certificateNumbers: [...byNumber.keys()].sort(),
    skipped,
  };
}

type ReadCertificates = { ok: true; certificates: X509Certificate[] } | { ok: false; reason: string };

// A .cer is DER as SAT ships it, but PEM text under that name is common; a .pem may hold other blocks
// (a PUBLIC KEY before the CERTIFICATE), so only CERTIFICATE blocks are read.
function certificatesIn(bytes: Buffer): ReadCertificates {
  const text = bytes.toString('latin1');
  const blocks = text.includes('-----BEGIN') ? (text.match(pemCertificate) ?? []) : [bytes];
  if (blocks.length === 0) return { ok: false, reason: 'no CERTIFICATE block' };
  try {
    return { ok: true, certificates: blocks.map((block) => new X509Certificate(block)) };
  } catch (error) {
    return { ok: false, reason: `not a certificate: ${(error as Error).message}` };
  }
}
