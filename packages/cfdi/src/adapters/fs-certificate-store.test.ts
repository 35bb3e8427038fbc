import { X509Certificate } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { certificateNumberOf } from '../seal/index.js';
import { bundledCertificatesDirectory, createFsCertificateStore } from './fs-certificate-store.js';

const certs = (name: string) =>
  fileURLToPath(new URL(`../../../../fixtures/cfdi/certs/${name}`, import.meta.url));
const bundled = (name: string) => fileURLToPath(new URL(name, bundledCertificatesDirectory));

let directory: string;

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'fiscal-certificates-'));
});

afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
  vi.restoreAllMocks();
});

describe('filesystem certificate store', () => {
  it('loads the bundled PAC certificates and finds each by its NoCertificado', async () => {
    const store = await createFsCertificateStore({ directory: bundledCertificatesDirectory });
    const files = (await readdir(bundledCertificatesDirectory)).filter((name) => name.endsWith('.cer'));
    expect(store.certificateNumbers).toEqual(files.map((name) => name.replace('.cer', '')).sort());
    for (const number of store.certificateNumbers)
      expect(store.find(number) && certificateNumberOf(store.find(number)!)).toBe(number);
    expect(store.skipped).toEqual([{ file: 'README.md', reason: 'not a .cer or .pem file' }]);
  });

  it('answers undefined for a certificate it does not hold', async () => {
    const store = await createFsCertificateStore({ directory: bundledCertificatesDirectory });
    expect(store.find('30001000000300023699')).toBeUndefined();
    expect(store.find('')).toBeUndefined();
  });

  it('indexes a certificate by the number it carries, not by its file name', async () => {
    await copyFile(bundled('30001000000500003456.cer'), join(directory, 'pac.cer'));
    const store = await createFsCertificateStore({ directory });
    expect(store.certificateNumbers).toEqual(['30001000000500003456']);
    expect(store.find('pac')).toBeUndefined();
  });

  it('reads PEM, including a file that holds a public key before the certificate', async () => {
    await copyFile(certs('EKU9003173C9.cer.pem'), join(directory, 'eku.pem'));
    const store = await createFsCertificateStore({ directory });
    expect(store.certificateNumbers).toEqual(['30001000000500003416']);
    expect(store.skipped).toEqual([]);
  });

  it('skips and lists what it cannot use, without logging', async () => {
    const warn = vi.spyOn(console, 'warn');
    const log = vi.spyOn(console, 'log');
    const error = vi.spyOn(console, 'error');
    await copyFile(bundled('00001000000708361114.cer'), join(directory, 'a.cer'));
    await copyFile(bundled('00001000000708361114.cer'), join(directory, 'b-same.cer'));
    await writeFile(join(directory, 'broken.cer'), 'not a certificate at all');
    await copyFile(certs('EKU9003173C9.key.pem'), join(directory, 'key.pem'));
    await writeFile(join(directory, 'notes.txt'), 'hello');
    await mkdir(join(directory, 'nested.cer'));

    const store = await createFsCertificateStore({ directory });

    expect(store.certificateNumbers).toEqual(['00001000000708361114']);
    expect(store.skipped).toEqual([
      { file: 'b-same.cer', reason: 'certificate 00001000000708361114 was already loaded from a.cer' },
      { file: 'broken.cer', reason: expect.stringMatching(/^not a certificate/) },
      { file: 'key.pem', reason: 'no CERTIFICATE block' },
      { file: 'nested.cer', reason: 'not a regular file' },
      { file: 'notes.txt', reason: 'not a .cer or .pem file' },
    ]);
    expect(store.find('00001000000708361114')).toBeInstanceOf(X509Certificate);
    expect([warn, log, error].map((spy) => spy.mock.calls.length)).toEqual([0, 0, 0]);
  });

  it('fails when the directory cannot be read', async () => {
    await expect(createFsCertificateStore({ directory: join(directory, 'missing') })).rejects.toThrow(
      /ENOENT/,
    );
  });
});
