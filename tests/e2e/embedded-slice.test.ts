import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type FiscalProcess, runFiscal, startFiscal, waitFor } from '../support/fiscal-process.js';

const submission = () => ({
  uuid: randomUUID(),
  issuer: 'EKU9003173C9',
  receiver: 'XAXX010101000',
  amount: '1160.00',
  currency: 'MXN',
  issuanceDate: '2026-11-20T10:00:00Z',
  xml: '<cfdi:Comprobante xmlns:cfdi="http://www.sat.gob.mx/cfd/4" Version="4.0"/>',
});

async function submit(fiscal: FiscalProcess, body: unknown) {
  const response = await fetch(`${fiscal.baseUrl}/api/v1/invoices`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(await fiscal.auth()) },
    body: JSON.stringify(body),
  });
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field
  const json: any = await response.json();
  return { status: response.status, contentType: response.headers.get('content-type'), body: json };
}

async function readInvoice(fiscal: FiscalProcess, id: string): Promise<{ status: string } | undefined> {
  const response = await fetch(`${fiscal.baseUrl}/api/v1/invoices/${id}`, { headers: await fiscal.auth() });
  return response.status === 200 ? ((await response.json()) as { status: string }) : undefined;
}

describe('fiscal start (embedded mode)', () => {
  const dataDirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dataDirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('accepts an invoice, projects it to the read side, and exits 0 on SIGTERM', async () => {
    const fiscal = await startFiscal(['start', '--memory']);
    try {
      const invoice = submission();
      const accepted = await submit(fiscal, invoice);
      expect(accepted.status).toBe(202);
      expect(accepted.body).toMatchObject({ uuid: invoice.uuid, status: 'pending', created: true });

      const projected = await waitFor(() => readInvoice(fiscal, accepted.body.id), {
        what: 'the invoice to reach the read model',
      });
      expect(projected).toMatchObject({
        id: accepted.body.id,
        uuid: invoice.uuid,
        issuer: invoice.issuer,
        amount: '1160.00',
        currency: 'MXN',
        status: expect.stringMatching(/^(pending|processing|rejected)$/),
      });
      // The inline document is no CFDI: the worker rejects it, and the read model follows.
      await waitFor(async () => (await readInvoice(fiscal, accepted.body.id))?.status === 'rejected', {
        what: 'the worker to reject a document that is not a CFDI',
      });

      const replay = await submit(fiscal, invoice);
      expect(replay.status).toBe(202);
      expect(replay.body).toMatchObject({ id: accepted.body.id, created: false });

      const conflict = await submit(fiscal, { ...invoice, amount: '1.00' });
      expect(conflict.status).toBe(409);
      expect(conflict.body.code).toBe('invoice_uuid_conflict');

      const deadLetters = await runFiscal(['dlq', 'list', 'query-projector'], {
        FISCAL_ADMIN_URL: fiscal.adminUrl,
        FISCAL_ADMIN_TOKEN: fiscal.adminToken!,
      });
      expect(deadLetters.code).toBe(0);
      expect(JSON.parse(deadLetters.output)).toEqual({ group: 'query-projector', deadLetters: [] });
      const operator = { FISCAL_ADMIN_URL: fiscal.adminUrl, FISCAL_ADMIN_TOKEN: fiscal.adminToken! };
      const groups = await runFiscal(['dlq', 'list'], operator);
      expect(JSON.parse(groups.output).groups).toEqual(
        expect.arrayContaining(['analytics', 'invoice-processor', 'notifications', 'query-projector']),
      );
      const misspelt = await runFiscal(['dlq', 'list', 'query'], operator);
      expect(misspelt.code).toBe(1);
      expect(misspelt.output).toMatch(
        /^fiscal dlq: 404 consumer_group_not_found: No consumer group query here;/,
      );
    } finally {
      fiscal.child.kill('SIGTERM');
    }
    expect(await fiscal.exited()).toBe(0);
  });

  it('names an address that answers in the message it prints once running', async () => {
    const fiscal = await startFiscal(['start', '--memory'], { FISCAL_LOG_LEVEL: 'info' });
    try {
      const running = await waitFor(
        async () => fiscal.output().match(/"message":"(Fiscal is running[^"]*)"/)?.[1],
        { what: 'the start message' },
      );
      const named = running.match(/http:\/\/\S+?(?=[\s)]|$)/g) ?? [];
      expect(named).toContain(`${fiscal.baseUrl}/docs`);
      const answered = await fetch(named[0]!);
      expect(answered.status).toBe(200);
    } finally {
      fiscal.child.kill('SIGTERM');
    }
    expect(await fiscal.exited()).toBe(0);
  });

  it('answers bad input with problem+json naming every offending field', async () => {
    const fiscal = await startFiscal(['start', '--memory']);
    try {
      const invalid = await submit(fiscal, {
        ...submission(),
        uuid: 'nope',
        issuer: 'lowercase',
        amount: '1.5e3',
        currency: 'pesos',
      });
      expect(invalid.status).toBe(400);
      expect(invalid.contentType).toContain('application/problem+json');
      const fields = (invalid.body.errors as { field: string }[]).map((error) => error.field).sort();
      expect(fields).toEqual(expect.arrayContaining(['/amount', '/currency', '/issuer', '/uuid']));

      const missing = await fetch(`${fiscal.baseUrl}/api/v1/invoices/${randomUUID()}`, {
        headers: await fiscal.auth(),
      });
      expect(missing.status).toBe(404);
      expect(((await missing.json()) as { code: string }).code).toBe('invoice_not_found');
    } finally {
      fiscal.child.kill('SIGTERM');
    }
    expect(await fiscal.exited()).toBe(0);
  });

  it('keeps an operator token in its data directory for fiscal dlq, and refuses callers without it', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'fiscal-e2e-'));
    dataDirs.push(dataDir);
    const unconfigured = { FISCAL_DATA_DIR: dataDir, FISCAL_ADMIN_TOKEN: '' };
    const first = await startFiscal(['start'], unconfigured);
    const tokenFile = join(dataDir, 'admin-token');
    let token: string;
    try {
      token = (await readFile(tokenFile, 'utf8')).trim();
      expect(token.length).toBeGreaterThanOrEqual(32);
      expect((await stat(tokenFile)).mode & 0o777).toBe(0o600);
      expect(first.output()).not.toContain(token);
      const anonymous = await fetch(`${first.adminUrl}/dead-letters/query-projector`);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect((await fetch(`${first.adminUrl}/readyz`)).status).toBe(200);
    } finally {
      first.child.kill('SIGTERM');
    }
    expect(await first.exited()).toBe(0);

    const second = await startFiscal(['start'], unconfigured);
    try {
      expect((await readFile(tokenFile, 'utf8')).trim()).toBe(token);
      const listed = await runFiscal(['dlq', 'list', 'query-projector'], {
        ...unconfigured,
        FISCAL_ADMIN_URL: second.adminUrl,
      });
      expect(listed.code).toBe(0);
      expect(JSON.parse(listed.output)).toEqual({ group: 'query-projector', deadLetters: [] });
      const purgeEverything = await runFiscal(['dlq', 'purge', 'query-projector'], {
        ...unconfigured,
        FISCAL_ADMIN_URL: second.adminUrl,
      });
      expect(purgeEverything.code).toBe(2);
    } finally {
      second.child.kill('SIGTERM');
    }
    expect(await second.exited()).toBe(0);
  });

  it('serves dead letters to nobody in memory mode without FISCAL_ADMIN_TOKEN', async () => {
    const fiscal = await startFiscal(['start', '--memory'], { FISCAL_ADMIN_TOKEN: '' });
    try {
      const refused = await fetch(`${fiscal.adminUrl}/dead-letters/query-projector`, {
        headers: { authorization: 'Bearer anything-at-all-that-is-long-enough-000' },
      });
      expect(refused.status).toBe(403);
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
      expect(((await refused.json()) as { code: string }).code).toBe('operator_token_not_configured');
      expect((await fetch(`${fiscal.adminUrl}/metrics`)).status).toBe(200);
    } finally {
      fiscal.child.kill('SIGTERM');
    }
    expect(await fiscal.exited()).toBe(0);
  });

  it('loses no accepted invoice when killed with SIGKILL', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'fiscal-e2e-'));
    dataDirs.push(dataDir);
    const first = await startFiscal(['start'], { FISCAL_DATA_DIR: dataDir });
    const accepted: string[] = [];
    for (let i = 0; i < 20; i++) {
      const response = await submit(first, submission());
      expect(response.status).toBe(202);
      accepted.push(response.body.id);
    }
    first.child.kill('SIGKILL');
    expect(await first.exited()).toBe('SIGKILL');

    const second = await startFiscal(['start'], { FISCAL_DATA_DIR: dataDir });
    try {
      for (const id of accepted) {
        await waitFor(() => readInvoice(second, id), { what: `invoice ${id} after restart` });
      }
    } finally {
      second.child.kill('SIGTERM');
    }
    expect(await second.exited()).toBe(0);
  });
});

describe('fiscal configuration errors', () => {
  it('stops at start-up with one line naming each bad variable', async () => {
    const { code, output } = await runFiscal(['start', '--memory'], {
      FISCAL_HTTP_PORT: 'eighty',
      FISCAL_MEMORY: 'maybe',
    });
    expect(code).toBe(2);
    expect(output).toContain('FISCAL_HTTP_PORT: expected a port');
    expect(output).toContain('FISCAL_MEMORY: expected a boolean');
  });

  it('names the missing variables of a distributed service', async () => {
    const { code, output } = await runFiscal(['serve', 'query'], {
      FISCAL_DATABASE_URL: '',
      FISCAL_RABBITMQ_URL: '',
    });
    expect(code).toBe(2);
    expect(output).toContain('FISCAL_DATABASE_URL: required');
    expect(output).toContain('FISCAL_RABBITMQ_URL: required');
  });
});
