import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validMetadata } from '../support/cfdi.js';
import {
  bootstrapAdmin,
  type FiscalProcess,
  signIn,
  startFiscal,
  waitFor,
} from '../support/fiscal-process.js';

/** 400 KB: a Comprobante followed by 100,000 empty elements, each a problem of its own. */
const hostileDocument = `<cfdi:Comprobante xmlns:cfdi="http://www.sat.gob.mx/cfd/4" Version="4.0">${'<x/>'.repeat(100_000)}</cfdi:Comprobante>`;

interface Answer {
  status: number;
  bytes: number;
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field
  body: any;
}

describe('hostile input through the embedded platform (real process, every log line kept)', () => {
  let fiscal: FiscalProcess;
  let admin: string;
  const send = async (
    method: string,
    path: string,
    options: { json?: unknown; raw?: string; type?: string; authorization?: string } = {},
  ): Promise<Answer> => {
    const body = options.raw ?? (options.json === undefined ? undefined : JSON.stringify(options.json));
    const response = await fetch(`${fiscal.baseUrl}${path}`, {
      method,
      headers: {
        ...(options.authorization === '' ? {} : { authorization: options.authorization ?? admin }),
        ...(body === undefined ? {} : { 'content-type': options.type ?? 'application/json' }),
      },
      body,
    });
    const text = await response.text();
    return {
      status: response.status,
      bytes: Buffer.byteLength(text),
      body: text ? JSON.parse(text) : undefined,
    };
  };

  beforeAll(async () => {
    // Debug: every line any service writes is searched, not only warnings.
    // Every request's access line, not a sample: each is searched for secrets below.
    fiscal = await startFiscal(['start', '--memory'], {
      FISCAL_LOG_LEVEL: 'debug',
      FISCAL_ACCESS_LOG_SAMPLE_RATIO: '1',
    });
    admin = (await fiscal.auth()).authorization;
  });
  afterAll(async () => {
    fiscal?.child.kill('SIGTERM');
    if (fiscal) expect(await fiscal.exited()).toBe(0);
  });

  it('rejects a document with a problem per element keeping a small verdict, and a list page stays small', async () => {
    const submitted: string[] = [];
    for (let n = 0; n < 3; n++) {
      const accepted = await send('POST', '/api/v1/invoices', {
        json: { ...validMetadata, uuid: randomUUID(), xml: hostileDocument },
      });
      expect(accepted.status).toBe(202);
      submitted.push(accepted.body.id);
    }
    for (const id of submitted)
      await waitFor(async () => (await send('GET', `/api/v1/invoices/${id}`)).body?.status === 'rejected', {
        timeoutMs: 60_000,
        what: `invoice ${id} to be rejected`,
      });

    const detail = await send('GET', `/api/v1/invoices/${submitted[0]}`);
    expect(detail.body.reason).toBe('validation_failed');
    expect(detail.body.errors).toHaveLength(101);
    expect(detail.body.errors.at(-1)).toMatchObject({ code: 'too_many_problems' });
    expect(detail.bytes).toBeLessThan(25_000);

    const page = await send('GET', '/api/v1/invoices?status=rejected&limit=50');
    expect(page.status).toBe(200);
    expect(page.body.items.map((item: { id: string }) => item.id)).toEqual(expect.arrayContaining(submitted));
    for (const item of page.body.items) expect(item).not.toHaveProperty('errors');
    expect(page.bytes).toBeLessThan(page.body.items.length * 700);
  });

  it('refuses control characters at the edge and writes no secret to any log line', async () => {
    const webhook = await send('POST', '/api/v1/webhooks', {
      json: { url: 'https://hooks.example.com/fiscal', events: ['fiscal.invoice.archived'] },
    });
    expect(webhook.status).toBe(201);
    const webhookSecret: string = webhook.body.secret;
    const apiKey = await send('POST', '/api/v1/api-keys', {
      json: { name: 'probe', scopes: ['invoices:read', 'invoices:write'] },
    });
    expect(apiKey.status).toBe(201);
    const keySecret: string = apiKey.body.secret;
    const user = { email: 'probe.user@fiscal.test', password: 'a probe passphrase 7391' };
    expect((await send('POST', '/api/v1/users', { json: { ...user, role: 'analyst' } })).status).toBe(201);
    const userToken = (await signIn(fiscal.baseUrl, user)).authorization;
    const withKey = `Bearer ${keySecret}`;

    const failures: [string, () => Promise<Answer>, number, string?][] = [
      ['a NUL in a path parameter', () => send('GET', '/api/v1/invoices/abc%00'), 400, '/params/id'],
      [
        'a NUL in a query value',
        () => send('GET', '/api/v1/invoices?q=ab%00c', { authorization: withKey }),
        400,
        '/querystring/q',
      ],
      [
        'a NUL in a login email',
        () =>
          send('POST', '/api/v1/auth/login', {
            json: { email: 'a\u0000@x.com', password: user.password },
            authorization: '',
          }),
        400,
        '/email',
      ],
      [
        'a NUL in a webhook URL',
        () =>
          send('POST', '/api/v1/webhooks', {
            json: { url: 'https://hooks.example.com/\u0000x', events: ['fiscal.invoice.archived'] },
          }),
        400,
        '/url',
      ],
      [
        'a NUL in a new user email',
        () =>
          send('POST', '/api/v1/users', {
            json: { email: 'nul\u0000@x.com', password: user.password, role: 'viewer' },
          }),
        400,
        '/email',
      ],
      [
        'an escape character in a submitted issuer',
        () =>
          send('POST', '/api/v1/invoices', {
            json: { ...validMetadata, issuer: 'EKU9003173C9\u001b', xml: '<x/>' },
            authorization: withKey,
          }),
        400,
        '/issuer',
      ],
      [
        'a NUL in a raw XML document',
        () =>
          send('POST', '/api/v1/invoices', {
            raw: '<cfdi:Comprobante>\u0000</cfdi:Comprobante>',
            type: 'application/xml',
          }),
        400,
      ],
      [
        'a user that exists already',
        () => send('POST', '/api/v1/users', { json: { ...user, role: 'viewer' } }),
        409,
      ],
      [
        'a wrong password',
        () =>
          send('POST', '/api/v1/auth/login', {
            json: { email: user.email, password: 'not the passphrase' },
            authorization: '',
          }),
        401,
      ],
      [
        'a refresh token that was never issued',
        () =>
          send('POST', '/api/v1/auth/refresh', {
            json: { refreshToken: `${keySecret}x` },
            authorization: '',
          }),
        401,
      ],
      [
        'an API key that was never issued',
        () => send('GET', '/api/v1/invoices', { authorization: `${withKey}x` }),
        401,
      ],
      [
        'an analyst creating a key',
        () =>
          send('POST', '/api/v1/api-keys', {
            json: { name: 'x', scopes: ['admin'] },
            authorization: userToken,
          }),
        403,
      ],
    ];
    for (const [what, request, status, field] of failures) {
      const answer = await request();
      expect(answer.status, what).toBe(status);
      if (field) expect(answer.body.errors, what).toContainEqual(expect.objectContaining({ field }));
    }

    // Whatever the services log about these requests has been written by the time they answered;
    // a pause lets the background loops (deliveries to the unreachable webhook) log too.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const output = fiscal.output();
    const secrets = [
      webhookSecret,
      webhookSecret.replace(/^whsec_/, ''),
      keySecret,
      user.password,
      bootstrapAdmin.password,
      '$argon2id$',
      user.email,
      '@x.com',
      admin.replace(/^Bearer /, ''),
      userToken.replace(/^Bearer /, ''),
    ];
    for (const secret of secrets) expect(output.includes(secret), `the log shows ${secret}`).toBe(false);
    const requestLines = output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { message?: string; status?: number; route?: string });
    expect(requestLines.filter((line) => line.message === 'request').length).toBeGreaterThan(failures.length);
    expect(requestLines.filter((line) => (line.status ?? 0) >= 500)).toEqual([]);
  });
});
