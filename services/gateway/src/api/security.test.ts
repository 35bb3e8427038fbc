import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultOrganisation } from '../main.js';
import type { FakeUser, SigningKey, TokenClaims } from '../testing/fake-auth-service.js';
import { invoices, otherOrganisation, startGateway } from '../testing/gateway-harness.js';

const { app, auth, clock } = startGateway({ authenticated: true });
const admin = auth.addUser({
  orgId: defaultOrganisation,
  email: 'admin@a.test',
  password: 'correct horse battery staple',
  role: 'admin',
  platformAdmin: false,
});
const viewer = auth.addUser({
  orgId: defaultOrganisation,
  email: 'viewer@a.test',
  password: 'viewer password',
  role: 'viewer',
  platformAdmin: false,
});
const otherAdmin = auth.addUser({
  orgId: otherOrganisation,
  email: 'admin@b.test',
  password: 'other password',
  role: 'admin',
  platformAdmin: false,
});

afterAll(async () => {
  await app.close();
});

const bearer = (credential: string) => ({ authorization: `Bearer ${credential}` });
const readInvoice = (headers: Record<string, string>, id: string = invoices.archived) =>
  app.inject({ method: 'GET', url: `/api/v1/invoices/${id}`, headers });
const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const nowSeconds = () => Math.floor(clock.now / 1_000);

function expectProblem(
  response: Awaited<ReturnType<typeof app.inject>>,
  status: number,
  code: string,
): Record<string, unknown> {
  expect(response.statusCode).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  const problem = response.json();
  expect(problem).toMatchObject({ status, code });
  return problem;
}

function expectUnauthenticated(response: Awaited<ReturnType<typeof app.inject>>): void {
  expectProblem(response, 401, 'unauthenticated');
  expect(response.headers['www-authenticate']).toMatch(/^Bearer realm="fiscal"/);
}

const unpublishedKey = (): SigningKey => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { kid: 'key_unpublished', privateKey, publicJwk: publicKey.export({ format: 'jwk' }) };
};

const withClaims = (user: FakeUser, change: (claims: TokenClaims) => object) =>
  auth.sign(change(auth.claimsOf(user)));

describe('bearer authentication', () => {
  it('lets a valid access token read its organisation’s invoice', async () => {
    const response = await readInvoice(bearer(await auth.tokenFor(admin)));

    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ id: invoices.archived });
  });

  it('refuses a request without credentials with 401 and a Bearer challenge', async () => {
    const response = await readInvoice({});

    expectUnauthenticated(response);
    expect(response.headers['www-authenticate']).toBe('Bearer realm="fiscal"');
  });

  const attacks: [string, () => Promise<string>][] = [
    [
      'an unsigned token (alg none)',
      async () => {
        const header = base64url({ alg: 'none', typ: 'JWT', kid: auth.signingKey.kid });
        return `${header}.${base64url(auth.claimsOf(admin))}.`;
      },
    ],
    [
      'an HS256 token keyed with the public key’s bytes',
      async () => {
        const publicKey = Buffer.from(String(auth.signingKey.publicJwk.x), 'base64url');
        return new SignJWT(auth.claimsOf(admin) as never)
          .setProtectedHeader({ alg: 'HS256', kid: auth.signingKey.kid })
          .sign(publicKey);
      },
    ],
    [
      'an HS256 token keyed with the public key’s PEM',
      async () => {
        const pem = createPublicKey(auth.signingKey.privateKey).export({ type: 'spki', format: 'pem' });
        return new SignJWT(auth.claimsOf(admin) as never)
          .setProtectedHeader({ alg: 'HS256', kid: auth.signingKey.kid })
          .sign(Buffer.from(pem));
      },
    ],
    [
      'an expired token',
      () =>
        withClaims(admin, (claims) => ({ ...claims, iat: nowSeconds() - 4_000, exp: nowSeconds() - 3_000 })),
    ],
    [
      'a token not valid yet (nbf)',
      () => withClaims(admin, (claims) => ({ ...claims, nbf: nowSeconds() + 3_600 })),
    ],
    [
      'a token issued in the future (iat)',
      () =>
        withClaims(admin, (claims) => ({ ...claims, iat: nowSeconds() + 3_600, exp: nowSeconds() + 4_500 })),
    ],
    [
      'a token signed with a key that is not published',
      () => auth.sign(auth.claimsOf(admin), unpublishedKey()),
    ],
    [
      'a token whose payload was changed after signing',
      async () => {
        const [header, , signature] = (await auth.tokenFor(viewer)).split('.');
        const forged = { ...auth.claimsOf(viewer), role: 'admin', scopes: ['admin'], org: otherOrganisation };
        return `${header}.${base64url(forged)}.${signature}`;
      },
    ],
    [
      'a token from another issuer',
      () => withClaims(admin, (claims) => ({ ...claims, iss: 'someone-else' })),
    ],
    [
      'a token for another audience',
      () => withClaims(admin, (claims) => ({ ...claims, aud: 'another-api' })),
    ],
    [
      'a token without a token id (jti)',
      () =>
        withClaims(admin, (claims) => {
          const { jti: _jti, ...rest } = claims;
          return rest;
        }),
    ],
    ['a token whose role is not a role', () => withClaims(admin, (claims) => ({ ...claims, role: 'root' }))],
    ['a token without an organisation', () => withClaims(admin, (claims) => ({ ...claims, org: '' }))],
    ['something that is not a JWT', async () => 'not-a-token'],
  ];

  it.each(attacks)('refuses %s with 401', async (_case, forge) => {
    const response = await readInvoice(bearer(await forge()));

    expectUnauthenticated(response);
    expect(response.headers['www-authenticate']).toBe('Bearer realm="fiscal", error="invalid_token"');
  });

  it.each([
    ['another scheme', 'Basic YWRtaW46YWRtaW4='],
    ['an empty bearer', 'Bearer '],
    ['an oversized credential', `Bearer ${'a'.repeat(10_000)}`],
  ])('refuses %s in the Authorization header with 401', async (_case, authorization) => {
    expectUnauthenticated(await readInvoice({ authorization }));
  });

  it('does not ask the auth service for keys again for each made-up key id', async () => {
    await readInvoice(bearer(await auth.tokenFor(admin)));
    const fetchesBefore = auth.jwksFetches;
    clock.now += 60_000;

    for (let attempt = 0; attempt < 20; attempt += 1) {
      const key = { ...unpublishedKey(), kid: `made_up_${attempt}` };
      expectUnauthenticated(await readInvoice(bearer(await auth.sign(auth.claimsOf(admin), key))));
    }

    expect(auth.jwksFetches - fetchesBefore).toBe(1);
  });

  it('refuses a user without the scope a route needs (a viewer writing) with 403', async () => {
    const response = await app.inject({
      method: 'POST',
      url: `/api/v1/invoices/${invoices.failed}/reprocess`,
      headers: bearer(await auth.tokenFor(viewer)),
    });

    expectProblem(response, 403, 'insufficient_scope');
  });
});

describe('tenant isolation', () => {
  it.each([
    ['GET', `/api/v1/invoices/${invoices.ofOtherOrganisation}`],
    ['GET', `/api/v1/invoices/${invoices.ofOtherOrganisation}/document`],
    ['POST', `/api/v1/invoices/${invoices.ofOtherOrganisation}/reprocess`],
  ] as const)('answers %s %s of another organisation’s invoice with 404', async (method, url) => {
    const response = await app.inject({ method, url, headers: bearer(await auth.tokenFor(admin)) });

    expectProblem(response, 404, 'invoice_not_found');
  });

  it('lets the owning organisation read the same invoice', async () => {
    const response = await readInvoice(bearer(await auth.tokenFor(otherAdmin)), invoices.ofOtherOrganisation);

    expect(response.statusCode).toBe(200);
  });

  it('does not let the other organisation read the first one’s invoice either', async () => {
    expectProblem(await readInvoice(bearer(await auth.tokenFor(otherAdmin))), 404, 'invoice_not_found');
  });
});

describe('revocation', () => {
  it('refuses an access token once its user logged out', async () => {
    const login = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: admin.email, password: admin.password },
    });
    const { accessToken, refreshToken } = login.json();
    expect((await readInvoice(bearer(accessToken))).statusCode).toBe(200);

    const logout = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: bearer(accessToken),
      payload: { refreshToken },
    });

    expect(logout.statusCode).toBe(204);
    // The auth service is handed the token itself, to verify before revoking, not a bare id.
    expect(auth.logouts.at(-1)).toEqual({ refreshToken, accessToken });
    const refused = await readInvoice(bearer(accessToken));
    expectUnauthenticated(refused);
    expect(refused.json().detail).toMatch(/revoked/);
  });

  it('refuses to log out without credentials', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      payload: { refreshToken: 'rt_anything' },
    });

    expectUnauthenticated(response);
  });
});

describe('API keys', () => {
  it('accepts an API key for its scopes, refuses others, and refuses it once revoked', async () => {
    const adminHeaders = bearer(await auth.tokenFor(admin));
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: adminHeaders,
      payload: { name: 'erp', scopes: ['invoices:read'] },
    });
    expect(created.statusCode).toBe(201);
    const { id, secret } = created.json();
    expect(secret).toMatch(/^fsk_/);

    expect((await readInvoice(bearer(secret))).statusCode).toBe(200);
    expect((await readInvoice(bearer(secret))).statusCode).toBe(200);
    expect(auth.apiKeyVerifications).toBe(1);
    const writing = await app.inject({
      method: 'POST',
      url: `/api/v1/invoices/${invoices.failed}/reprocess`,
      headers: bearer(secret),
    });
    expectProblem(writing, 403, 'insufficient_scope');

    const revoked = await app.inject({
      method: 'DELETE',
      url: `/api/v1/api-keys/${id}`,
      headers: adminHeaders,
    });
    expect(revoked.statusCode).toBe(204);

    expectUnauthenticated(await readInvoice(bearer(secret)));
  });

  it('refuses an API key the auth service does not know', async () => {
    expectUnauthenticated(await readInvoice(bearer('fsk_0123456789abcdef')));
  });
});

describe('request bodies', () => {
  const login = (payload: string, contentType = 'application/json') =>
    app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'content-type': contentType },
      payload,
    });

  it('answers a body over the limit with 413', async () => {
    const response = await login(JSON.stringify({ email: 'a@b.test', password: 'x'.repeat(2 * 1_048_576) }));

    expectProblem(response, 413, 'payload_too_large');
  });

  it('answers malformed JSON with 400', async () => {
    expectProblem(await login('{"email": "a@b.test", "password": '), 400, 'malformed_json');
  });

  it.each([
    ['an unknown field', { email: 'a@b.test', password: 'x', admin: true }, '/admin', 'unknown_field'],
    ['a number for a string', { email: 'a@b.test', password: 12345 }, '/password', 'invalid_type'],
    ['a missing field', { email: 'a@b.test' }, '/password', 'required'],
  ])('answers %s with 400 naming the field', async (_case, body, field, code) => {
    const problem = expectProblem(await login(JSON.stringify(body)), 400, 'validation_failed');

    expect(problem.errors).toContainEqual(expect.objectContaining({ field, code }));
  });

  it('answers a body that is not JSON with 415', async () => {
    expectProblem(await login('email=a@b.test', 'text/plain'), 415, 'unsupported_media_type');
  });
});
