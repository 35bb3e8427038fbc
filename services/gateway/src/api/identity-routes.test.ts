import { afterAll, describe, expect, it } from 'vitest';
import { defaultOrganisation } from '../main.js';
import { otherOrganisation, startGateway } from '../testing/gateway-harness.js';

const { app, auth } = startGateway({ authenticated: true });
const admin = auth.addUser({
  orgId: defaultOrganisation,
  email: 'admin@a.test',
  password: 'admin password',
  role: 'admin',
  platformAdmin: false,
});
const analyst = auth.addUser({
  orgId: defaultOrganisation,
  email: 'analyst@a.test',
  password: 'analyst password',
  role: 'analyst',
  platformAdmin: false,
});
const platformAdmin = auth.addUser({
  orgId: defaultOrganisation,
  email: 'root@a.test',
  password: 'root password',
  role: 'admin',
  platformAdmin: true,
});

afterAll(async () => {
  await app.close();
});

const as = async (user: typeof admin) => ({ authorization: `Bearer ${await auth.tokenFor(user)}` });

describe('login and refresh', () => {
  it('answers a login with a token pair, passing the client address for throttling', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      remoteAddress: '203.0.113.7',
      payload: { email: admin.email, password: admin.password },
    });

    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      accessToken: expect.any(String),
      refreshToken: expect.any(String),
      tokenType: 'Bearer',
      expiresIn: 900,
    });
    expect(auth.loginAddresses.at(-1)).toBe('203.0.113.7');
  });

  it('answers wrong credentials with the auth service’s 401 and a challenge', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: admin.email, password: 'wrong' },
    });

    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ code: 'invalid_credentials' });
    expect(response.headers['www-authenticate']).toBe('Bearer realm="fiscal"');
  });

  it('exchanges a refresh token once for a new pair', async () => {
    const login = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: analyst.email, password: analyst.password },
    });
    const refresh = () =>
      app.inject({
        method: 'POST',
        url: '/api/v1/auth/refresh',
        payload: { refreshToken: login.json().refreshToken },
      });

    const first = await refresh();
    expect(first.statusCode).toBe(200);
    expect(first.json().tokenType).toBe('Bearer');
    const again = await refresh();
    expect(again.statusCode).toBe(401);
    expect(again.json()).toMatchObject({ code: 'invalid_refresh_token' });
  });

  it.each(['/.well-known/jwks.json', '/api/v1/.well-known/jwks.json'])(
    'publishes the keys at %s',
    async (url) => {
      const response = await app.inject({ method: 'GET', url });

      expect(response.statusCode).toBe(200);
      expect(response.json().keys).toEqual([
        expect.objectContaining({ kid: auth.signingKey.kid, kty: 'OKP' }),
      ]);
      expect(response.json().keys[0]).not.toHaveProperty('d');
    },
  );
});

describe('users', () => {
  it('lets an admin create a user in the own organisation', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: await as(admin),
      payload: { email: 'new@a.test', password: 'a long password', role: 'viewer' },
    });

    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({
      orgId: defaultOrganisation,
      email: 'new@a.test',
      role: 'viewer',
    });
  });

  it('refuses an admin creating a user in another organisation', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: await as(admin),
      payload: { email: 'x@b.test', password: 'a long password', role: 'admin', orgId: otherOrganisation },
    });

    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({
      code: 'organization_forbidden',
      errors: [expect.objectContaining({ field: '/orgId' })],
    });
    expect(auth.createdUsers.some((user) => user.orgId === otherOrganisation)).toBe(false);
  });

  it('lets a platform administrator create a user in any organisation', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: await as(platformAdmin),
      payload: {
        email: 'first@b.test',
        password: 'a long password',
        role: 'admin',
        orgId: otherOrganisation,
      },
    });

    expect(response.statusCode).toBe(201);
    expect(response.json().orgId).toBe(otherOrganisation);
  });

  it('refuses a user without the admin scope', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/v1/users', headers: await as(analyst) });

    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ code: 'insufficient_scope' });
  });

  it('lists the users of the own organisation', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/v1/users', headers: await as(admin) });

    expect(response.statusCode).toBe(200);
    expect(response.json().items.map((user: { email: string }) => user.email)).toEqual([
      admin.email,
      analyst.email,
      platformAdmin.email,
    ]);
  });

  it('refuses an unknown role with the field', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: await as(admin),
      payload: { email: 'x@a.test', password: 'a long password', role: 'owner' },
    });

    expect(response.statusCode).toBe(400);
    expect(response.json().errors).toContainEqual(expect.objectContaining({ field: '/role' }));
  });
});

describe('API keys', () => {
  it('lists the keys of the own organisation without their secrets', async () => {
    const headers = await as(admin);
    await app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers,
      payload: { name: 'erp', scopes: ['invoices:write', 'invoices:read'] },
    });

    const response = await app.inject({ method: 'GET', url: '/api/v1/api-keys', headers });

    expect(response.statusCode).toBe(200);
    expect(response.json().items).toContainEqual(
      expect.objectContaining({ orgId: defaultOrganisation, scopes: ['invoices:write', 'invoices:read'] }),
    );
    for (const key of response.json().items) expect(key).not.toHaveProperty('secret');
  });

  it('refuses an unknown scope with the field', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: await as(admin),
      payload: { name: 'erp', scopes: ['invoices:read', 'everything'] },
    });

    expect(response.statusCode).toBe(400);
    expect(response.json().errors).toContainEqual(expect.objectContaining({ field: '/scopes/1' }));
  });

  it('answers revoking another organisation’s key with 404', async () => {
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: await as(admin),
      payload: { name: 'erp', scopes: ['invoices:read'] },
    });
    const other = auth.addUser({
      orgId: otherOrganisation,
      email: 'admin@b.test',
      password: 'password',
      role: 'admin',
      platformAdmin: false,
    });

    const response = await app.inject({
      method: 'DELETE',
      url: `/api/v1/api-keys/${created.json().id}`,
      headers: await as(other),
    });

    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ code: 'api_key_not_found' });
  });
});

describe('organisations', () => {
  it('lets a platform administrator create and list organisations', async () => {
    const headers = await as(platformAdmin);
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/orgs',
      headers,
      payload: { name: 'acme' },
    });

    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ name: 'acme', tier: 'free' });
    const listed = await app.inject({ method: 'GET', url: '/api/v1/orgs', headers });
    expect(listed.statusCode).toBe(200);
    expect(listed.json().items.length).toBeGreaterThan(0);
  });

  it.each([
    ['GET', undefined],
    ['POST', { name: 'acme' }],
  ] as const)('refuses %s /orgs to an organisation admin', async (method, payload) => {
    const response = await app.inject({ method, url: '/api/v1/orgs', headers: await as(admin), payload });

    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ code: 'platform_admin_required' });
  });
});
