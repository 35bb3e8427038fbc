import { afterEach, describe, expect, it } from 'vitest';
import { defaultOrganisation } from '../main.js';
import { type GatewayHarness, invoices, startGateway } from '../testing/gateway-harness.js';

const jwksMaxAgeMs = 300_000;
const jwksRefetchCooldownMs = 30_000;
let harness: GatewayHarness | undefined;

afterEach(async () => {
  await harness?.app.close();
  harness = undefined;
});

function start() {
  harness = startGateway({ authenticated: true, authentication: { jwksMaxAgeMs, jwksRefetchCooldownMs } });
  const user = harness.auth.addUser({
    orgId: defaultOrganisation,
    email: 'admin@a.test',
    password: 'password',
    role: 'admin',
    platformAdmin: false,
  });
  const { app } = harness;
  const read = async (token: string) =>
    (
      await app.inject({
        method: 'GET',
        url: `/api/v1/invoices/${invoices.archived}`,
        headers: { authorization: `Bearer ${token}` },
      })
    ).statusCode;
  return { ...harness, user, read };
}

describe('signing key rotation', () => {
  it('accepts tokens of the new key at once and of the old one until it is retired', async () => {
    const { auth, clock, user, read } = start();
    const beforeRotation = await auth.tokenFor(user);
    expect(await read(beforeRotation)).toBe(200);

    auth.rotate();
    clock.now += jwksRefetchCooldownMs + 1;
    const afterRotation = await auth.tokenFor(user);

    expect(await read(afterRotation)).toBe(200);
    expect(await read(beforeRotation)).toBe(200);
    expect(auth.jwksFetches).toBe(2);

    auth.retire(auth.keys[0]!.kid);
    clock.now += jwksMaxAgeMs;

    expect(await read(beforeRotation)).toBe(401);
    expect(await read(afterRotation)).toBe(200);
  });

  it('accepts the new key at once even when the gateway fetched the key set just before the rotation', async () => {
    const { auth, user, read } = start();
    expect(await read(await auth.tokenFor(user))).toBe(200);

    auth.rotate();

    expect(await read(await auth.tokenFor(user))).toBe(200);
    expect(auth.jwksFetches).toBe(2);
  });

  it('verifies tokens without the auth service once it has the keys', async () => {
    const { auth, user, read } = start();
    expect(await read(await auth.tokenFor(user))).toBe(200);

    auth.down = true;

    expect(await read(await auth.tokenFor(user))).toBe(200);
  });

  it('answers 503, not 500, while the auth service cannot be asked for keys', async () => {
    const { app, auth, user, read } = start();
    auth.down = true;
    const token = await auth.tokenFor(user);

    const response = await app.inject({
      method: 'GET',
      url: `/api/v1/invoices/${invoices.archived}`,
      headers: { authorization: `Bearer ${token}` },
    });

    expect(response.statusCode).toBe(503);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ code: 'upstream_unavailable' });
    auth.down = false;
    expect(await read(token)).toBe(200);
  });
});
