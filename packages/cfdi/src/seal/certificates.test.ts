import { X509Certificate } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { certificateNumberOf, readEmbeddedCertificate } from './certificates.js';
import { testCsd } from './testing/credentials.js';

const bundledDirectory = new URL('../../certificates/', import.meta.url);
const bundled = readdirSync(bundledDirectory)
  .filter((name) => name.endsWith('.cer'))
  .map((name) => readFileSync(new URL(name, bundledDirectory)).toString('base64'));
const testCsdText = testCsd.certificate.raw.toString('base64');

describe('readEmbeddedCertificate', () => {
  it('reads each Certificado as its own certificate, read before or not', () => {
    for (const round of [1, 2])
      for (const text of [testCsdText, ...bundled]) {
        const facts = readEmbeddedCertificate(text);
        expect(facts?.number, `round ${round}`).toBe(
          certificateNumberOf(new X509Certificate(Buffer.from(text, 'base64'))),
        );
      }
  });

  it('does not take a Certificado for a kept one whose text ends the same', () => {
    expect(readEmbeddedCertificate(testCsdText)?.number).toBe(testCsd.number);
    // The same last characters, another start: not the certificate read before, and not one at all.
    const changedStart = `${testCsdText[0] === 'M' ? 'N' : 'M'}${testCsdText.slice(1)}`;
    expect(readEmbeddedCertificate(changedStart)).toBeUndefined();
    expect(readEmbeddedCertificate(testCsdText)?.number).toBe(testCsd.number);
  });

  it('reads a Certificado written with line breaks as the same certificate', () => {
    const wrapped = testCsdText.replace(/(.{76})/g, '$1\n');
    expect(readEmbeddedCertificate(wrapped)?.number).toBe(testCsd.number);
  });

  it('reads nothing from a text that is not a certificate', () => {
    expect(readEmbeddedCertificate('not a certificate')).toBeUndefined();
    expect(readEmbeddedCertificate('')).toBeUndefined();
  });
});
