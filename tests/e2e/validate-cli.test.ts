import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runFiscal } from '../support/fiscal-process.js';

const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/cfdi/${name}`, import.meta.url));

describe('fiscal validate', () => {
  it('exits 0 when every file is a valid, stamped CFDI 4.0', async () => {
    const run = await runFiscal([
      'validate',
      fixture('cfdiutils-cfdi40-real.xml'),
      fixture('cfdiutils-cfdi40-valid.xml'),
      fixture('swsdkphp-file_pdf.xml'),
    ]);
    expect(run.code).toBe(0);
    expect(run.output.match(/: valid \(version 4\.0\)/g)).toHaveLength(3);
  });

  it('exits 1 and names every problem when one is not valid', async () => {
    const run = await runFiscal([
      'validate',
      fixture('cfdiutils-cfdi40-valid.xml'),
      fixture('swsdkphp-cfdi40.xml'),
    ]);
    expect(run.code).toBe(1);
    expect(run.output).toContain('swsdkphp-cfdi40.xml: invalid');
    expect(run.output).toMatch(/CFDI40102 {2}\/cfdi:Comprobante\/@Sello/);
  });

  it('accepts a sealed pre-stamp document only with --allow-unstamped, and speaks JSON for machines', async () => {
    const preStamp = fixture('cfdiutils-created-with-discounts-40.xml');
    expect((await runFiscal(['validate', preStamp])).code).toBe(1);
    const run = await runFiscal(['validate', '--json', '--allow-unstamped', preStamp]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.output)).toEqual([
      expect.objectContaining({ file: preStamp, outcome: 'valid', problems: [] }),
    ]);
  });

  it('classifies other versions as unsupported and exits 2 for a file it cannot read', async () => {
    const unsupported = await runFiscal(['validate', '--json', fixture('cfdiutils-cfdi33-real.xml')]);
    expect(unsupported.code).toBe(1);
    expect(JSON.parse(unsupported.output)[0]).toMatchObject({ outcome: 'unsupported', version: '3.3' });
    const missing = await runFiscal([
      'validate',
      '/nonexistent/file.xml',
      fixture('cfdiutils-cfdi40-valid.xml'),
    ]);
    expect(missing.code).toBe(2);
    expect(missing.output).toContain('/nonexistent/file.xml: unreadable');
  });

  it('writes all of a long --json report to a pipe before it exits with 1', async () => {
    // 120 invalid documents: about 85 KB of JSON, more than a pipe takes at once (64 KiB).
    const files = Array.from({ length: 120 }, () => fixture('swsdkphp-cfdi40.xml'));
    const run = await runFiscal(['validate', '--json', ...files]);
    expect(run.code).toBe(1);
    expect(run.output.length).toBeGreaterThan(64 * 1024);
    const report = JSON.parse(run.output) as { outcome: string }[];
    expect(report).toHaveLength(120);
    expect(report.every((entry) => entry.outcome === 'invalid')).toBe(true);
  });
});
