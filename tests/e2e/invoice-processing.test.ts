import { randomUUID } from 'node:crypto';
import { copyFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validDocument, validDocumentChecksum, validMetadata } from '../support/cfdi.js';
import { type FileServer, startFileServer } from '../support/file-server.js';
import {
  bootstrapAdmin,
  type FiscalProcess,
  runFiscal,
  startFiscal,
  waitFor,
} from '../support/fiscal-process.js';

async function call(
  fiscal: FiscalProcess,
  method: string,
  path: string,
  body?: unknown,
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field
): Promise<{ status: number; body: any }> {
  const response = await fetch(`${fiscal.baseUrl}${path}`, {
    method,
    headers: {
      ...(await fiscal.auth()),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

const statusOf = async (fiscal: FiscalProcess, id: string) =>
  (await call(fiscal, 'GET', `/api/v1/invoices/${id}`)).body?.status as string | undefined;

describe('invoice processing in embedded mode (real processes, loopback file server)', () => {
  let files: FileServer;
  let dataDir: string;
  const environment = () => ({
    FISCAL_DATA_DIR: dataDir,
    FISCAL_FETCH_ALLOW_HOSTS: new URL(files.baseUrl).host,
    FISCAL_PROCESSING_LEASE: '2s',
  });

  beforeAll(async () => {
    files = await startFileServer();
    dataDir = await mkdtemp(join(tmpdir(), 'fiscal-e2e-processing-'));
  });
  afterAll(async () => {
    await files?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('a worker killed mid-download: after restart the claim lapses and the invoice is archived once', async () => {
    let holding = true;
    const held: (() => void)[] = [];
    files.route('/held.xml', (_request, response) => {
      if (holding) held.push(() => response.destroy());
      else response.writeHead(200).end(validDocument);
    });
    const first = await startFiscal(['start'], environment());
    const accepted = await call(first, 'POST', '/api/v1/invoices', {
      ...validMetadata,
      fileUrl: `${files.baseUrl}/held.xml`,
      checksum: validDocumentChecksum,
    });
    expect(accepted.status).toBe(202);
    await waitFor(async () => (await statusOf(first, accepted.body.id)) === 'processing', {
      what: 'the worker to claim the invoice and start downloading',
    });
    first.child.kill('SIGKILL');
    expect(await first.exited()).toBe('SIGKILL');
    for (const drop of held) drop();
    holding = false;

    const second = await startFiscal(['start'], environment());
    try {
      await waitFor(async () => (await statusOf(second, accepted.body.id)) === 'archived', {
        timeoutMs: 30_000,
        what: 'the lapsed claim to be resumed and the invoice archived',
      });
      const document = await fetch(`${second.baseUrl}/api/v1/invoices/${accepted.body.id}/document`, {
        headers: await second.auth(),
      });
      expect(document.status).toBe(200);
      expect(document.headers.get('content-type')).toMatch(/^application\/xml/);
      expect(Buffer.from(await document.arrayBuffer()).equals(validDocument)).toBe(true);
      // Archived once: this process archived it, exactly one time.
      const metrics = await (await fetch(`${second.adminUrl}/metrics`)).text();
      expect(metrics).toMatch(/invoice_processing_outcomes_total\{outcome="archived",service="fiscal"\} 1\n/);
      // Reprocessing is only for failed invoices.
      expect(await call(second, 'POST', `/api/v1/invoices/${accepted.body.id}/reprocess`)).toMatchObject({
        status: 409,
        body: { code: 'invoice_not_reprocessable' },
      });
    } finally {
      second.child.kill('SIGTERM');
      expect(await second.exited()).toBe(0);
    }
  });

  it('fiscal load: generated, sealed and stamped invoices are all archived by a platform that trusts their PAC, run after run', async () => {
    // The load tool stamps with SAT's test CSD as a stand-in PAC: the platform trusts it beside the bundled ones.
    const certificates = await mkdtemp(join(tmpdir(), 'fiscal-e2e-certificates-'));
    try {
      const bundled = new URL('../../packages/cfdi/certificates/', import.meta.url);
      for (const file of await readdir(bundled)) {
        if (file.endsWith('.cer')) await copyFile(new URL(file, bundled), join(certificates, file));
      }
      await copyFile(
        new URL('../../fixtures/cfdi/certs/EKU9003173C9.cer', import.meta.url),
        join(certificates, 'test-pac.cer'),
      );
      const fiscal = await startFiscal(['start', '--memory'], { FISCAL_CERTIFICATE_DIR: certificates });
      try {
        const load = await runFiscal(
          ['load', '--count', '40', '--batch', '20', '--url', fiscal.baseUrl, '--wait'],
          { FISCAL_BOOTSTRAP_ADMIN_EMAIL: bootstrapAdmin.email, FISCAL_PASSWORD: bootstrapAdmin.password },
        );
        expect(load.output).toContain('40 accepted, 0 refused');
        expect(load.output).toContain('final after');
        expect(load.output).toMatch(/: 40 archived\n/);
        expect(load.code).toBe(0);

        // A second run submits other invoices (a seed of its own), not the first run's again.
        const again = await runFiscal(['load', '--count', '10', '--url', fiscal.baseUrl, '--wait'], {
          FISCAL_BOOTSTRAP_ADMIN_EMAIL: bootstrapAdmin.email,
          FISCAL_PASSWORD: bootstrapAdmin.password,
        });
        expect(again.output).toContain('10 accepted, 0 refused');
        expect(again.output).toMatch(/: 10 archived\n/);
        const seeds = [load.output, again.output].map((output) => /\(seed (\d+)\)/.exec(output)?.[1]);
        expect(seeds[0]).toBeDefined();
        expect(seeds[1]).not.toBe(seeds[0]);
      } finally {
        fiscal.child.kill('SIGTERM');
        await fiscal.exited();
      }
    } finally {
      await rm(certificates, { recursive: true, force: true });
    }
  });

  it('honours Idempotency-Key: the same request answers the same, another request under the key is a 409', async () => {
    const fiscal = await startFiscal(['start', '--memory']);
    try {
      const post = async (body: unknown) =>
        fetch(`${fiscal.baseUrl}/api/v1/invoices`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'idempotency-key': 'erp-order-42',
            ...(await fiscal.auth()),
          },
          body: JSON.stringify(body),
        });
      const invoice = { ...validMetadata, xml: validDocument.toString('utf8') };
      const first = await post(invoice);
      const again = await post(invoice);
      expect(first.status).toBe(202);
      expect(again.status).toBe(202);
      expect(await again.json()).toEqual(await first.json());
      const other = await post({ ...invoice, uuid: randomUUID() });
      expect(other.status).toBe(409);
      expect(await other.json()).toMatchObject({ code: 'idempotency_key_reused' });
    } finally {
      fiscal.child.kill('SIGTERM');
      expect(await fiscal.exited()).toBe(0);
    }
  });

  it('a batch of 1,000 with 10 invalid items: 990 accepted, 10 precise errors, all processed', async () => {
    const fiscal = await startFiscal(['start', '--memory'], {
      FISCAL_FETCH_ALLOW_HOSTS: new URL(files.baseUrl).host,
    });
    try {
      files.route('/missing.xml', (_request, response) => response.writeHead(404).end());
      const items: Record<string, unknown>[] = Array.from({ length: 1_000 }, (_, n) => ({
        uuid: randomUUID(),
        issuer: `AAA9001${String(10 + (n % 18)).padStart(2, '0')}${String(n % 1000).padStart(3, '0')}`,
        receiver: 'XAXX010101000',
        amount: `${n + 1}.00`,
        currency: 'MXN',
        issuanceDate: '2026-11-20T10:00:00Z',
        fileUrl: `${files.baseUrl}/missing.xml`,
        checksum: 'a'.repeat(64),
      }));
      const invalid = [0, 7, 123, 256, 400, 512, 640, 800, 998, 999];
      for (const index of invalid) items[index] = { ...items[index], amount: 'one hundred' };

      const answer = await call(fiscal, 'POST', '/api/v1/invoices/batch', { items });
      expect(answer.status).toBe(202);
      expect(answer.body).toMatchObject({ accepted: 990, rejected: 10 });
      const rejected = answer.body.results.filter(
        (result: { status: string }) => result.status === 'rejected',
      );
      expect(rejected.map((result: { index: number }) => result.index)).toEqual(invalid);
      for (const result of rejected) {
        expect(result.errors).toEqual([
          expect.objectContaining({ field: `/items/${result.index}/amount`, code: 'invalid_amount' }),
        ]);
      }
      // Every accepted invoice reaches its final state (the documents are 404: rejected, not failed).
      const accepted = answer.body.results.filter(
        (result: { status: string }) => result.status === 'accepted',
      );
      const sample = [accepted[0], accepted[495], accepted[989]];
      for (const result of sample) {
        await waitFor(async () => (await statusOf(fiscal, result.id)) === 'rejected', {
          timeoutMs: 60_000,
          what: `invoice ${result.index} to be rejected for its 404 document`,
        });
      }
      // The verdict says why, precisely.
      expect((await call(fiscal, 'GET', `/api/v1/invoices/${sample[0].id}`)).body).toMatchObject({
        status: 'rejected',
        reason: 'download_failed',
        errors: [{ code: 'download_http_status', path: '/fileUrl', message: expect.stringContaining('404') }],
      });
    } finally {
      fiscal.child.kill('SIGTERM');
      expect(await fiscal.exited()).toBe(0);
    }
  });
});
