import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validDocument, validMetadata } from '../support/cfdi.js';
import { type FiscalProcess, signIn, startFiscal, waitFor } from '../support/fiscal-process.js';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A client's webhook endpoint on loopback, keeping every delivery it receives. */
async function startReceiver() {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      received.push({ headers: request.headers, body });
      response.writeHead(204).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hooks`, received, close: () => server.close() };
}

/** The Standard Webhooks check a receiver runs: HMAC-SHA256 of "id.timestamp.body" with the secret. */
function signatureVerifies(secret: string, delivery: Received): boolean {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const id = String(delivery.headers['webhook-id']);
  const timestamp = String(delivery.headers['webhook-timestamp']);
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${delivery.body}`).digest('base64');
  return String(delivery.headers['webhook-signature'])
    .split(' ')
    .some((signature) => signature === `v1,${expected}`);
}

describe('a client walks through the platform (embedded mode, real process)', () => {
  let fiscal: FiscalProcess;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let call: (
    method: string,
    path: string,
    body?: unknown,
    authorization?: string,
    // biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field
  ) => Promise<{ status: number; body: any }>;

  beforeAll(async () => {
    receiver = await startReceiver();
    fiscal = await startFiscal(['start', '--memory'], {
      FISCAL_WEBHOOK_ALLOW_HOSTS: new URL(receiver.url).host,
    });
    const admin = (await fiscal.auth()).authorization;
    call = async (method, path, body, authorization = admin) => {
      const response = await fetch(`${fiscal.baseUrl}${path}`, {
        method,
        headers: { authorization, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    };
  });
  afterAll(async () => {
    fiscal?.child.kill('SIGTERM');
    if (fiscal) expect(await fiscal.exited()).toBe(0);
    receiver?.close();
  });

  it('subscribes a webhook, submits, searches, follows the timeline, reads the daily report', async () => {
    const subscription = await call('POST', '/api/v1/webhooks', {
      url: receiver.url,
      events: ['fiscal.invoice.archived', 'fiscal.invoice.rejected'],
    });
    expect(subscription.status).toBe(201);
    const secret: string = subscription.body.secret;
    expect(secret).toMatch(/^whsec_/);

    const archived = await call('POST', '/api/v1/invoices', {
      ...validMetadata,
      xml: validDocument.toString('utf8'),
    });
    expect(archived.status).toBe(202);
    const rejected = await call('POST', '/api/v1/invoices', {
      ...validMetadata,
      uuid: '00000000-0000-4000-8000-000000000001',
      xml: '<not-a-cfdi/>',
    });
    expect(rejected.status).toBe(202);

    await waitFor(
      async () => (await call('GET', `/api/v1/invoices/${archived.body.id}`)).body?.status === 'archived',
      {
        timeoutMs: 30_000,
        what: 'the valid invoice to be archived',
      },
    );
    await waitFor(
      async () => (await call('GET', `/api/v1/invoices/${rejected.body.id}`)).body?.status === 'rejected',
      {
        timeoutMs: 30_000,
        what: 'the invalid invoice to be rejected',
      },
    );

    const search = await call(
      'GET',
      `/api/v1/invoices?q=${validMetadata.issuer.slice(0, 6)}&status=archived`,
    );
    expect(search.status).toBe(200);
    expect(search.body.items.map((item: { id: string }) => item.id)).toEqual([archived.body.id]);

    const timeline = await call('GET', `/api/v1/invoices/${archived.body.id}/timeline`);
    expect(timeline.status).toBe(200);
    // An inline document's first claim raises no event: it is decided in the same run.
    expect(timeline.body.entries.map((entry: { type: string }) => entry.type)).toEqual([
      'fiscal.invoice.created',
      'fiscal.invoice.validated',
      'fiscal.invoice.archived',
    ]);

    const today = new Date().toISOString().slice(0, 10);
    const report = await waitFor(
      async () => {
        const answer = await call('GET', `/api/v1/reports/daily?date=${today}`);
        const counted = (answer.body?.statuses ?? []).reduce(
          (sum: number, row: { count: number }) => sum + Number(row.count),
          0,
        );
        return counted === 2 ? answer.body : undefined;
      },
      { what: 'both final invoices in the daily report' },
    );
    expect(report.totals).toEqual(expect.arrayContaining([expect.objectContaining({ currency: 'MXN' })]));

    const deliveries = await waitFor(
      async () => (receiver.received.length >= 2 ? receiver.received : undefined),
      {
        timeoutMs: 30_000,
        what: 'both verdicts pushed to the webhook',
      },
    );
    const types = deliveries.map((delivery) => JSON.parse(delivery.body).type).sort();
    expect(types).toEqual(['fiscal.invoice.archived', 'fiscal.invoice.rejected']);
    for (const delivery of deliveries) expect(signatureVerifies(secret, delivery)).toBe(true);
  });

  it('keeps tenants apart and roles in their lane', async () => {
    const mine = await call('POST', '/api/v1/invoices', {
      ...validMetadata,
      uuid: '00000000-0000-4000-8000-000000000002',
      xml: validDocument.toString('utf8'),
    });
    expect(mine.status).toBe(202);

    const other = await call('POST', '/api/v1/orgs', { name: 'Other Co', tier: 'free' });
    expect(other.status).toBe(201);
    const otherOrgId: string = other.body.id;
    const otherAdmin = { email: 'admin@other.test', password: 'another long passphrase' };
    expect(
      (await call('POST', '/api/v1/users', { ...otherAdmin, role: 'admin', orgId: otherOrgId })).status,
    ).toBe(201);
    const outsider = (await signIn(fiscal.baseUrl, otherAdmin)).authorization;
    const theirRead = await call('GET', `/api/v1/invoices/${mine.body.id}`, undefined, outsider);
    expect(theirRead.status).toBe(404);
    expect((await call('GET', '/api/v1/invoices', undefined, outsider)).body.items).toEqual([]);

    const viewer = { email: 'viewer@fiscal.test', password: 'a viewer passphrase' };
    expect((await call('POST', '/api/v1/users', { ...viewer, role: 'viewer' })).status).toBe(201);
    const viewerAuth = (await signIn(fiscal.baseUrl, viewer)).authorization;
    const write = await call('POST', '/api/v1/invoices', { ...validMetadata, xml: '<x/>' }, viewerAuth);
    expect(write.status).toBe(403);
    expect(write.body.code).toBe('insufficient_scope');
    expect((await call('GET', `/api/v1/invoices/${mine.body.id}`, undefined, viewerAuth)).status).toBe(200);

    const anonymous = await fetch(`${fiscal.baseUrl}/api/v1/invoices`);
    expect(anonymous.status).toBe(401);
  });

  it('refuses a common or blank-looking password for a new user with a 400 naming /password and why', async () => {
    for (const password of ['Password1', 'qwertyuiop', '12345678', '          ']) {
      const refused = await call('POST', '/api/v1/users', {
        email: 'weak@fiscal.test',
        password,
        role: 'viewer',
      });
      expect(refused.status, password).toBe(400);
      expect(refused.body).toMatchObject({
        code: 'validation_failed',
        errors: [{ field: '/password', code: 'weak_password', message: expect.any(String) }],
      });
    }
    const signIn = await fetch(`${fiscal.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'weak@fiscal.test', password: 'Password1' }),
    });
    expect(signIn.status).toBe(401);
  });

  it('locks an account after ten wrong passwords, saying the same for an email that does not exist', async () => {
    const attempt = async (email: string, password: string) => {
      const response = await fetch(`${fiscal.baseUrl}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password }),
      });
      return {
        status: response.status,
        contentType: response.headers.get('content-type'),
        retryAfter: response.headers.get('retry-after'),
        body: (await response.json()) as { code: string },
      };
    };
    const analyst = { email: 'analyst@fiscal.test', password: 'an analyst passphrase' };
    expect((await call('POST', '/api/v1/users', { ...analyst, role: 'analyst' })).status).toBe(201);
    for (const email of [analyst.email, 'nobody@fiscal.test']) {
      for (let failure = 1; failure <= 10; failure++) {
        const wrong = await attempt(email, `wrong password ${failure}`);
        expect(wrong.status).toBe(401);
        expect(wrong.contentType).toContain('application/problem+json');
      }
      const locked = await attempt(email, analyst.password);
      expect(locked.status).toBe(429);
      expect(locked.contentType).toContain('application/problem+json');
      expect(locked.body.code).toBe('login_locked');
      expect(Number(locked.retryAfter)).toBeGreaterThan(0);
    }
  });
});
