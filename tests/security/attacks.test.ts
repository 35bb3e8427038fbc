import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validDocument, validMetadata } from '../support/cfdi.js';
import { type FileServer, startFileServer } from '../support/file-server.js';
import { type FiscalProcess, signIn, startFiscal, waitFor } from '../support/fiscal-process.js';

/**
 * The attacks of an OWASP API Top 10 style assessment, and variants of each class, against a real
 * `fiscal start` process (gateway and every service), asserting the safe outcome. Service ports are
 * attacked directly in the distributed suite (tests/e2e/distributed-slice.test.ts), since embedded
 * mode has none.
 */
describe('security: attacks on a running platform (embedded mode)', () => {
  let fiscal: FiscalProcess;
  let files: FileServer;
  let admin: string;
  let otherTenant: { orgId: string; authorization: string; credentials: { email: string; password: string } };

  // biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field
  type Answer = { status: number; headers: Headers; body: any; bytes: number };
  const call = async (
    method: string,
    path: string,
    options: { body?: unknown; raw?: string; type?: string; authorization?: string } = {},
  ): Promise<Answer> => {
    const headers: Record<string, string> = {};
    if (options.authorization) headers.authorization = options.authorization;
    let body: string | undefined;
    if (options.raw !== undefined) {
      body = options.raw;
      headers['content-type'] = options.type ?? 'application/json';
    } else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] = 'application/json';
    }
    const response = await fetch(`${fiscal.baseUrl}${path}`, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Not JSON (a document, the docs page): kept as text.
    }
    return { status: response.status, headers: response.headers, body: parsed, bytes: text.length };
  };
  const asAdmin = (method: string, path: string, options: Parameters<typeof call>[2] = {}) =>
    call(method, path, { ...options, authorization: admin });

  async function newTenant(name: string) {
    const org = await asAdmin('POST', '/api/v1/orgs', { body: { name, tier: 'pro' } });
    expect(org.status).toBe(201);
    const credentials = { email: `admin@${name}.test`, password: `${name} keeps a long passphrase` };
    const user = await asAdmin('POST', '/api/v1/users', {
      body: { ...credentials, role: 'admin', orgId: org.body.id },
    });
    expect(user.status).toBe(201);
    return {
      orgId: org.body.id as string,
      authorization: (await signIn(fiscal.baseUrl, credentials)).authorization,
      credentials,
    };
  }

  beforeAll(async () => {
    files = await startFileServer();
    fiscal = await startFiscal(['start', '--memory'], {
      // The file server is an ERP a tenant trusts; the platform's own ports must stay closed anyway.
      FISCAL_FETCH_ALLOW_HOSTS: `127.0.0.1,${new URL(files.baseUrl).host}`,
      FISCAL_WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
      FISCAL_ALLOW_UNSTAMPED: 'true',
      FISCAL_RATE_LIMIT_ANONYMOUS: '600',
      // Every client here is 127.0.0.1: the per-address lockout would lock the tenants with the attacker.
      FISCAL_LOGIN_MAX_FAILURES_PER_ADDRESS: '100000',
    });
    admin = (await fiscal.auth()).authorization;
    otherTenant = await newTenant('othertenant');
  });

  afterAll(async () => {
    fiscal?.child.kill('SIGTERM');
    await fiscal?.exited();
    await files?.close();
  });

  const breakerState = async (policy: string) => {
    const metrics = await (await fetch(`${fiscal.adminUrl}/metrics`)).text();
    const line = metrics
      .split('\n')
      .find((row) => row.startsWith('resilience_breaker_state{') && row.includes(`policy="${policy}"`));
    return line?.split(' ').at(-1);
  };

  describe('1. nobody switches off sign-in for everyone', () => {
    it('keeps the auth breaker closed while locked logins, dead refresh tokens and bad API keys pour in, and other tenants sign in throughout', async () => {
      const victim = { email: 'victim@nowhere.test', password: 'not the right one at all' };
      const attacks = [
        ...Array.from({ length: 40 }, () => call('POST', '/api/v1/auth/login', { body: victim })),
        ...Array.from({ length: 20 }, (_, index) =>
          call('POST', '/api/v1/auth/refresh', { body: { refreshToken: `dead-refresh-token-${index}` } }),
        ),
        ...Array.from({ length: 20 }, (_, index) =>
          call('GET', '/api/v1/invoices', { authorization: `Bearer fsk_key_forged${index}_secret` }),
        ),
      ];
      const legitimate = Array.from({ length: 10 }, () =>
        call('POST', '/api/v1/auth/login', { body: otherTenant.credentials }),
      );
      const [attacked, signedIn] = await Promise.all([Promise.all(attacks), Promise.all(legitimate)]);

      expect(attacked.filter((answer) => answer.status === 429).length).toBeGreaterThanOrEqual(30);
      expect(attacked.every((answer) => [401, 429].includes(answer.status))).toBe(true);
      expect(signedIn.map((answer) => answer.status)).toEqual(Array(10).fill(200));
      expect(await breakerState('auth-service')).toBe('0');
      // And after the storm: sign-in, refresh and a real API key all still work.
      const login = await call('POST', '/api/v1/auth/login', { body: otherTenant.credentials });
      expect(login.status).toBe(200);
      const refreshed = await call('POST', '/api/v1/auth/refresh', {
        body: { refreshToken: login.body.refreshToken },
      });
      expect(refreshed.status).toBe(200);
      const key = await call('POST', '/api/v1/api-keys', {
        authorization: otherTenant.authorization,
        body: { name: 'erp', scopes: ['invoices:read'] },
      });
      expect(
        (await call('GET', '/api/v1/invoices', { authorization: `Bearer ${key.body.secret}` })).status,
      ).toBe(200);
    });
  });

  describe('2. nobody makes the API unresponsive for everyone', () => {
    const problemDocument = (elements: number) =>
      `<?xml version="1.0" encoding="UTF-8"?><cfdi:Comprobante xmlns:cfdi="http://www.sat.gob.mx/cfd/4" Version="4.0">${'<x/>'.repeat(elements)}</cfdi:Comprobante>`;

    /** Metadata and the document inline: the form that reaches the processor whatever the document. */
    const submitInline = (authorization: string, xml: string) =>
      call('POST', '/api/v1/invoices', {
        authorization,
        body: { ...validMetadata, uuid: crypto.randomUUID(), xml },
      });
    const settled = (authorization: string, id: string) =>
      waitFor(
        async () => {
          const read = await call('GET', `/api/v1/invoices/${id}`, { authorization });
          return ['rejected', 'failed', 'archived'].includes(read.body.status) ? read : undefined;
        },
        { timeoutMs: 90_000, what: `invoice ${id} to be judged` },
      );

    it('keeps the first 100 problems of a document with a problem per element, and list rows without them', async () => {
      const submitted = await submitInline(admin, problemDocument(100_000));
      expect(submitted.status).toBe(202);
      const rejected = await settled(admin, submitted.body.id);
      expect(rejected.body.status).toBe('rejected');
      expect(rejected.body.errors).toHaveLength(101);
      expect(rejected.body.errors.at(-1).code).toBe('too_many_problems');
      expect(rejected.bytes).toBeLessThan(100_000);
      const timeline = await asAdmin('GET', `/api/v1/invoices/${submitted.body.id}/timeline`);
      expect(timeline.bytes).toBeLessThan(200_000);
      const page = await asAdmin('GET', '/api/v1/invoices?limit=500');
      expect(page.status).toBe(200);
      expect(page.body.items.every((item: object) => !('errors' in item))).toBe(true);
      expect(page.bytes).toBeLessThan(500 * 2_000);
    });

    it.each([
      ['more elements than any invoice has', () => problemDocument(250_000)],
      ['an element nested thousands deep', () => `${'<a>'.repeat(5_000)}${'</a>'.repeat(5_000)}`],
      ['an attribute value of a megabyte', () => `<cfdi:Comprobante Total="${'9'.repeat(1_048_000)}"/>`],
    ])('answers a document with %s with a 4xx or a bounded rejection, never a 5xx', async (_name, build) => {
      const submitted = await submitInline(admin, build());
      expect(submitted.status).toBeLessThan(500);
      if (submitted.status === 202) {
        const judged = await settled(admin, submitted.body.id);
        expect(judged.body.status).toBe('rejected');
        expect(judged.bytes).toBeLessThan(100_000);
      }
    });

    it("keeps another tenant's list fast while one client floods the list route", async () => {
      // The attacker's list is made of problem documents, as in the assessment.
      const flooded = await Promise.all(
        Array.from({ length: 10 }, () => submitInline(admin, problemDocument(100_000))),
      );
      for (const answer of flooded) await settled(admin, answer.body.id);
      const listOther = async () => {
        const started = performance.now();
        const answer = await call('GET', '/api/v1/invoices?limit=50', {
          authorization: otherTenant.authorization,
        });
        expect(answer.status).toBe(200);
        return performance.now() - started;
      };
      const idle: number[] = [];
      for (let index = 0; index < 20; index++) idle.push(await listOther());

      let attacking = true;
      const flood = Array.from({ length: 16 }, async () => {
        let answered = 0;
        while (attacking) {
          await asAdmin('GET', '/api/v1/invoices?limit=500');
          answered++;
        }
        return answered;
      });
      const underAttack: number[] = [];
      for (let index = 0; index < 20; index++) underAttack.push(await listOther());
      attacking = false;
      const floodAnswers = (await Promise.all(flood)).reduce((sum, count) => sum + count, 0);

      const p95 = (samples: number[]) =>
        [...samples].sort((a, b) => a - b)[Math.floor(samples.length * 0.95)]!;
      expect(floodAnswers).toBeGreaterThan(16);
      // Shared cores serve the flood too; what must not happen is a list taking seconds.
      expect(p95(underAttack)).toBeLessThan(Math.max(20 * p95(idle), 1_500));
    });
  });

  describe('5. no caller gains a scope it lacks', () => {
    it('refuses an API key holding admin that tries to mint a user or another key', async () => {
      const key = await call('POST', '/api/v1/api-keys', {
        authorization: otherTenant.authorization,
        body: { name: 'ops', scopes: ['admin', 'invoices:read'] },
      });
      expect(key.status).toBe(201);
      const asKey = `Bearer ${key.body.secret}`;
      const user = await call('POST', '/api/v1/users', {
        authorization: asKey,
        body: { email: 'escalated@othertenant.test', password: 'a long passphrase of mine', role: 'admin' },
      });
      expect([user.status, user.body.code]).toEqual([403, 'api_key_not_allowed']);
      const viewer = await call('POST', '/api/v1/users', {
        authorization: asKey,
        body: { email: 'viewer@othertenant.test', password: 'a long passphrase of mine', role: 'viewer' },
      });
      expect(viewer.status).toBe(403);
      const anotherKey = await call('POST', '/api/v1/api-keys', {
        authorization: asKey,
        body: { name: 'wider', scopes: ['invoices:write', 'invoices:read', 'reports:read', 'admin'] },
      });
      expect(anotherKey.status).toBe(403);
      const login = await call('POST', '/api/v1/auth/login', {
        body: { email: 'escalated@othertenant.test', password: 'a long passphrase of mine' },
      });
      expect(login.status).toBe(401);
    });

    it('refuses a tenant admin granting platform administration or acting in another organisation', async () => {
      const platform = await call('POST', '/api/v1/users', {
        authorization: otherTenant.authorization,
        body: {
          email: 'root@othertenant.test',
          password: 'a long passphrase of mine',
          role: 'admin',
          orgId: 'org_x',
        },
      });
      expect(platform.status).toBe(403);
      const orgs = await call('GET', '/api/v1/orgs', { authorization: otherTenant.authorization });
      expect(orgs.status).toBe(403);
    });
  });

  describe('6. the admin port is closed', () => {
    it('refuses dead-letter operations without the operator token, and never purges everything by default', async () => {
      const group = 'query-projector';
      const withoutToken = await fetch(`${fiscal.adminUrl}/dead-letters/${group}`);
      expect(withoutToken.status).toBe(401);
      const purgeAnonymously = await fetch(`${fiscal.adminUrl}/dead-letters/${group}/purge`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"all":true}',
      });
      expect(purgeAnonymously.status).toBe(401);
      const operator = { ...fiscal.adminHeaders(), 'content-type': 'application/json' };
      for (const body of ['{}', 'null', '{"ids":[]}']) {
        const purge = await fetch(`${fiscal.adminUrl}/dead-letters/${group}/purge`, {
          method: 'POST',
          headers: operator,
          body,
        });
        expect(purge.status).toBe(400);
      }
      const unknown = await fetch(`${fiscal.adminUrl}/dead-letters/${group}/purge`, {
        method: 'POST',
        headers: operator,
        body: '{"ids":["12345"]}',
      });
      expect(unknown.status).toBe(404);
      expect((await fetch(`${fiscal.adminUrl}/readyz`)).status).toBe(200);
    });

    it("refuses a webhook or a document URL aimed at the platform's own ports, though the host is allowed", async () => {
      const adminPort = new URL(fiscal.adminUrl).port;
      const apiPort = new URL(fiscal.baseUrl).port;
      for (const url of [
        `http://127.0.0.1:${adminPort}/dead-letters/query-projector/purge`,
        `http://localhost:${apiPort}/api/v1/invoices`,
        `http://[::ffff:127.0.0.1]:${adminPort}/metrics`,
      ]) {
        const webhook = await call('POST', '/api/v1/webhooks', {
          authorization: otherTenant.authorization,
          body: { url, events: ['fiscal.invoice.archived'] },
        });
        expect(webhook.status).toBe(400);
      }
      const submitted = await call('POST', '/api/v1/invoices', {
        authorization: otherTenant.authorization,
        body: {
          ...validMetadata,
          uuid: '0f2a6c1e-0000-4000-8000-000000000006',
          fileUrl: `http://127.0.0.1:${adminPort}/metrics`,
          checksum: '0'.repeat(64),
        },
      });
      expect(submitted.status).toBe(202);
      const rejected = await waitFor(
        async () => {
          const read = await call('GET', `/api/v1/invoices/${submitted.body.id}`, {
            authorization: otherTenant.authorization,
          });
          return read.body.status === 'rejected' ? read : undefined;
        },
        { timeoutMs: 60_000, what: 'the download from an own port to be refused' },
      );
      expect(rejected.body.reason).toBe('download_failed');
    });
  });

  describe('7. nothing is read for a caller who is not signed in', () => {
    it('answers an anonymous 15 MiB batch with 401 before reading it', async () => {
      const huge = `{"items":[${Array.from({ length: 60 }, () => `{"xml":"${'x'.repeat(250_000)}"}`).join(',')}]}`;
      const started = performance.now();
      const answer = await call('POST', '/api/v1/invoices/batch', { raw: huge });
      expect(answer.status).toBe(401);
      expect(JSON.stringify(answer.body)).not.toMatch(/items|xml/);
      expect(performance.now() - started).toBeLessThan(10_000);
    });
  });

  describe('8. control characters are input errors, not crashes', () => {
    it.each([
      ['an id with NUL', 'GET', '/api/v1/invoices/abc%00', undefined],
      ['a query value with NUL', 'GET', '/api/v1/invoices?q=EKU%00', undefined],
      [
        'a login email with NUL',
        'POST',
        '/api/v1/auth/login',
        { email: 'a\u0000@x.com', password: 'whatever it is' },
      ],
      [
        'a webhook URL with NUL',
        'POST',
        '/api/v1/webhooks',
        { url: 'https://hooks.example.com/\u0000x', events: ['fiscal.invoice.archived'] },
      ],
      [
        'a user email with a bell',
        'POST',
        '/api/v1/users',
        { email: 'a\u0007@x.com', password: 'a long passphrase of mine', role: 'viewer' },
      ],
    ])('answers %s with 400 validation_failed', async (_name, method, path, body) => {
      const answer = await asAdmin(method, path, body === undefined ? {} : { body });
      expect(answer.status).toBe(400);
      expect(answer.body.code).toBe('validation_failed');
    });
  });

  describe('9. weak passwords', () => {
    it.each(['password', '12345678', '        ', 'aaaaaaaaaaaa', 'Password1!'])(
      'refuses %j',
      async (password) => {
        const answer = await asAdmin('POST', '/api/v1/users', {
          body: { email: `weak${password.length}${Date.now()}@fiscal.test`, password, role: 'viewer' },
        });
        expect(answer.status).toBe(400);
        expect(answer.body.errors[0]).toMatchObject({ field: '/password' });
      },
    );
  });

  describe('10. SSRF through addresses that embed IPv4', () => {
    it.each([
      'http://[64:ff9b::7f00:1]:8443/hook',
      'http://[64:ff9b:1::a00:1]:8443/hook',
      'http://[2002:7f00:1::]:8443/hook',
      'http://[::ffff:7f00:1]:8443/hook',
      'http://[::127.0.0.1]:8443/hook',
      'http://[fd00::1]:8443/hook',
      // A port no allow-list entry opens: what is judged is whether the address is private.
    ])('refuses a webhook to %s', async (url) => {
      const answer = await call('POST', '/api/v1/webhooks', {
        authorization: otherTenant.authorization,
        body: { url, events: ['fiscal.invoice.archived'] },
      });
      expect(answer.status).toBe(400);
    });
  });

  describe('11. download errors keep internal facts to the log', () => {
    it('tells the client a redirected, mismatched document failed, without digests, addresses or sizes', async () => {
      files.route('/moved', (_request, response) => {
        response.writeHead(302, { location: `${files.baseUrl}/actual` }).end();
      });
      files.serve('/actual', validDocument);
      const submitted = await call('POST', '/api/v1/invoices', {
        authorization: otherTenant.authorization,
        body: {
          ...validMetadata,
          uuid: '0f2a6c1e-0000-4000-8000-000000000011',
          fileUrl: `${files.baseUrl}/moved`,
          checksum: 'a'.repeat(64),
        },
      });
      expect(submitted.status).toBe(202);
      const rejected = await waitFor(
        async () => {
          const read = await call('GET', `/api/v1/invoices/${submitted.body.id}`, {
            authorization: otherTenant.authorization,
          });
          return read.body.status === 'rejected' ? read : undefined;
        },
        { timeoutMs: 60_000, what: 'the mismatched document to be rejected' },
      );
      const told = JSON.stringify(rejected.body.errors);
      expect(told).not.toMatch(/[0-9a-f]{64}/);
      expect(told).not.toMatch(/127\.0\.0\.1|localhost/);
      expect(told).not.toMatch(/\b\d{3,}\s*bytes\b/);
    });
  });

  describe('12. headers', () => {
    it('never lets a response be sniffed, a secret be cached, a document run or the docs be framed', async () => {
      const login = await call('POST', '/api/v1/auth/login', { body: otherTenant.credentials });
      expect(login.headers.get('x-content-type-options')).toBe('nosniff');
      expect(login.headers.get('cache-control')).toBe('no-store');
      const refused = await call('GET', '/api/v1/invoices');
      expect(refused.headers.get('x-content-type-options')).toBe('nosniff');

      const accepted = await asAdmin('POST', '/api/v1/invoices', {
        raw: validDocument.toString('utf8'),
        type: 'application/xml',
      });
      await waitFor(
        async () => (await asAdmin('GET', `/api/v1/invoices/${accepted.body.id}`)).body.status === 'archived',
        { timeoutMs: 60_000, what: 'the valid document to be archived' },
      );
      const document = await asAdmin('GET', `/api/v1/invoices/${accepted.body.id}/document`);
      expect(document.headers.get('content-disposition')).toMatch(/^attachment; filename="/);
      expect(document.headers.get('content-security-policy')).toMatch(/sandbox/);
      const docs = await fetch(`${fiscal.baseUrl}/docs/`);
      expect(docs.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
      expect(docs.headers.get('x-frame-options')).toBe('DENY');
    });
  });
});
