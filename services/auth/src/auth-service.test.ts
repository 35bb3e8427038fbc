import { accessTokenAudience, accessTokenIssuer, revokedAccessTokenKey } from '@fiscal/contracts';
import type { Caller } from '@fiscal/contracts/rpc/auth';
import { fromConnectError } from '@fiscal/kit/grpc';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AuthHarness,
  bootstrapEmail,
  bootstrapPassword,
  engineAvailable,
  engines,
  startAuthHarness,
} from './testing/index.js';

/** The AppError a failed call stands for, as the gateway sees it. */
async function refusal(call: Promise<unknown>) {
  const error = await call.then(
    () => undefined,
    (rejection: unknown) => rejection,
  );
  if (error === undefined) throw new Error('the call succeeded');
  return fromConnectError(error);
}

describe.each(engines)('auth service on %s', (engine) => {
  let auth: AuthHarness;
  let platformAdmin: Caller;

  const login = (email: string, password: string, clientIp = '10.0.0.1') =>
    auth.client.login({ email, password, clientIp });

  const verifyWithJwks = async (token: string) => {
    const { jwksJson } = await auth.client.getJwks({});
    return jwtVerify(token, createLocalJWKSet(JSON.parse(jwksJson)), {
      issuer: accessTokenIssuer,
      audience: accessTokenAudience,
    });
  };

  beforeAll(async () => {
    if (!engineAvailable(engine)) return;
    auth = await startAuthHarness(engine);
    const { tokens } = await login(bootstrapEmail, bootstrapPassword);
    const { payload } = await verifyWithJwks(tokens!.accessToken);
    platformAdmin = {
      $typeName: 'fiscal.auth.v1.Caller',
      userId: payload.sub!,
      orgId: payload.org as string,
      role: 'admin',
      scopes: payload.scopes as string[],
      tier: 'enterprise',
      platformAdmin: true,
      subjectType: 'user',
    };
  });
  afterAll(async () => auth?.close());

  const createOrgAdmin = async (name: string) => {
    const { organization } = await auth.client.createOrganization({
      actor: platformAdmin,
      name,
      tier: 'pro',
    });
    const email = `admin@${name}.test`;
    const { user } = await auth.client.createUser({
      actor: platformAdmin,
      orgId: organization!.id,
      email,
      password: 'org-admin-password',
      role: 'admin',
    });
    const actor: Caller = {
      ...platformAdmin,
      userId: user!.id,
      orgId: organization!.id,
      tier: 'pro',
      platformAdmin: false,
    };
    return { organization: organization!, user: user!, email, actor };
  };

  it.skipIf(!engineAvailable(engine))(
    'access token is an EdDSA JWT named by kid, verified against the JWKS, with the claims of the contract',
    async () => {
      const { tokens } = await login(bootstrapEmail.toUpperCase(), bootstrapPassword);
      expect(tokens?.tokenType).toBe('Bearer');
      expect(tokens?.expiresIn).toBe(900);
      const header = decodeProtectedHeader(tokens!.accessToken);
      expect(header.alg).toBe('EdDSA');
      const { jwksJson } = await auth.client.getJwks({});
      const jwks = JSON.parse(jwksJson) as { keys: { kid: string; crv: string }[] };
      expect(jwks.keys.map((key) => key.kid)).toContain(header.kid);
      expect(jwks.keys[0]?.crv).toBe('Ed25519');

      const { payload } = await verifyWithJwks(tokens!.accessToken);
      expect(payload).toMatchObject({
        sub: expect.stringMatching(/^usr_/),
        org: expect.stringMatching(/^org_/),
        role: 'admin',
        scopes: ['invoices:write', 'invoices:read', 'reports:read', 'admin'],
        tier: 'enterprise',
        padm: true,
        jti: expect.any(String),
      });
      expect(payload.exp! - payload.iat!).toBe(900);
    },
  );

  it.skipIf(!engineAvailable(engine))(
    'a refresh token works once; presenting a used one revokes its whole family',
    async () => {
      const first = (await login(bootstrapEmail, bootstrapPassword)).tokens!;
      const second = (await auth.client.refresh({ refreshToken: first.refreshToken })).tokens!;
      expect(second.refreshToken).not.toBe(first.refreshToken);
      await verifyWithJwks(second.accessToken);

      const reuse = await refusal(auth.client.refresh({ refreshToken: first.refreshToken }));
      expect([reuse.kind, reuse.code]).toEqual(['unauthenticated', 'invalid_refresh_token']);
      // The legitimate holder's newer token died with the family.
      const after = await refusal(auth.client.refresh({ refreshToken: second.refreshToken }));
      expect(after.code).toBe('invalid_refresh_token');

      const revoked = (await auth.outboxEvents()).filter((event) => event.type === 'auth.token.revoked');
      expect(revoked.map((event) => (event.data as { reason: string }).reason)).toContain('reuse_detected');
    },
  );

  it.skipIf(!engineAvailable(engine))(
    'logout lists the access token as revoked and ends the refresh family',
    async () => {
      const tokens = (await login(bootstrapEmail, bootstrapPassword)).tokens!;
      const { payload } = await verifyWithJwks(tokens.accessToken);
      await auth.client.logout({ refreshToken: tokens.refreshToken, accessTokenId: payload.jti! });
      expect(await auth.revocations.get(revokedAccessTokenKey(payload.jti!))).toBe(true);
      const refused = await refusal(auth.client.refresh({ refreshToken: tokens.refreshToken }));
      expect(refused.code).toBe('invalid_refresh_token');
    },
  );

  it.skipIf(!engineAvailable(engine))(
    'a token signed before one rotation still verifies; after a second rotation it is refused',
    async () => {
      const token = (await login(bootstrapEmail, bootstrapPassword)).tokens!.accessToken;
      const signedBy = decodeProtectedHeader(token).kid;

      const first = await auth.client.rotateKeys({ actor: platformAdmin });
      expect(first.previousKeyId).toBe(signedBy);
      await verifyWithJwks(token);
      const fresh = (await login(bootstrapEmail, bootstrapPassword)).tokens!.accessToken;
      expect(decodeProtectedHeader(fresh).kid).toBe(first.keyId);

      await auth.client.rotateKeys({ actor: platformAdmin });
      const { jwksJson } = await auth.client.getJwks({});
      expect((JSON.parse(jwksJson) as { keys: unknown[] }).keys).toHaveLength(2);
      await expect(verifyWithJwks(token)).rejects.toThrow();
      await verifyWithJwks(fresh);

      const rotated = (await auth.outboxEvents()).filter((event) => event.type === 'auth.key.rotated');
      expect(rotated.map((event) => (event.data as { keyId: string }).keyId)).toContain(first.keyId);
    },
  );

  it.skipIf(!engineAvailable(engine))(
    'only platform administrators rotate keys and manage organisations',
    async () => {
      const { actor } = await createOrgAdmin('rotators');
      expect((await refusal(auth.client.rotateKeys({ actor }))).kind).toBe('forbidden');
      expect((await refusal(auth.client.listOrganizations({ actor }))).kind).toBe('forbidden');
      expect((await refusal(auth.client.listOrganizations({}))).kind).toBe('unauthenticated');
      const bad = await refusal(
        auth.client.createOrganization({ actor: platformAdmin, name: 'x', tier: 'gold' }),
      );
      expect(bad.kind).toBe('invalid');
      expect(bad.errors[0]?.field).toBe('/tier');
    },
  );

  it.skipIf(!engineAvailable(engine))(
    'an API key is created with scopes, shown once, verified to its caller, listed by prefix, and refused once revoked',
    async () => {
      const { organization, actor } = await createOrgAdmin('integrators');
      const created = await auth.client.createApiKey({
        actor,
        orgId: organization.id,
        name: 'ERP',
        scopes: ['invoices:write', 'invoices:read'],
      });
      expect(created.secret).toMatch(/^fsk_key_[0-9a-f]+_[\w-]{43}$/);
      expect(created.secret.startsWith(created.apiKey!.prefix)).toBe(true);

      const { caller } = await auth.client.verifyApiKey({ apiKey: created.secret });
      expect(caller).toMatchObject({
        userId: created.apiKey!.id,
        orgId: organization.id,
        scopes: ['invoices:write', 'invoices:read'],
        tier: 'pro',
        subjectType: 'api_key',
      });
      const { apiKeys } = await auth.client.listApiKeys({ actor, orgId: organization.id });
      expect(apiKeys.map((key) => key.prefix)).toEqual([created.apiKey!.prefix]);
      expect(JSON.stringify(apiKeys)).not.toContain(created.secret);

      await auth.client.revokeApiKey({ actor, orgId: organization.id, id: created.apiKey!.id });
      const refused = await refusal(auth.client.verifyApiKey({ apiKey: created.secret }));
      expect([refused.kind, refused.code]).toEqual(['unauthenticated', 'invalid_api_key']);
      const forged = await refusal(auth.client.verifyApiKey({ apiKey: `${created.secret.slice(0, -1)}A` }));
      expect(forged.code).toBe('invalid_api_key');
    },
  );

  it.skipIf(!engineAvailable(engine))(
    "API key scopes must be known ones, and only the organisation's admins create keys",
    async () => {
      const { organization, actor } = await createOrgAdmin('scopes');
      const bad = await refusal(
        auth.client.createApiKey({ actor, orgId: organization.id, name: 'k', scopes: ['root'] }),
      );
      expect([bad.kind, bad.errors[0]?.field]).toEqual(['invalid', '/scopes/0']);
      const other = await createOrgAdmin('others');
      const foreign = await refusal(
        auth.client.createApiKey({
          actor: other.actor,
          orgId: organization.id,
          name: 'k',
          scopes: ['invoices:read'],
        }),
      );
      expect(foreign.kind).toBe('forbidden');
    },
  );

  it.skipIf(!engineAvailable(engine))(
    'an organisation admin creates users in their organisation only; emails are unique whatever their case',
    async () => {
      const { organization, actor } = await createOrgAdmin('acme');
      const { user } = await auth.client.createUser({
        actor,
        orgId: organization.id,
        email: 'Viewer@Acme.test',
        password: 'viewer-password',
        role: 'viewer',
      });
      expect(user).toMatchObject({
        email: 'viewer@acme.test',
        role: 'viewer',
        status: 'active',
        platformAdmin: false,
      });
      const tokens = (await login('viewer@acme.test', 'viewer-password')).tokens!;
      const { payload } = await verifyWithJwks(tokens.accessToken);
      expect(payload).toMatchObject({ scopes: ['invoices:read', 'reports:read'], tier: 'pro' });
      expect(payload.padm).toBeUndefined();

      const duplicate = await refusal(
        auth.client.createUser({
          actor,
          orgId: organization.id,
          email: 'VIEWER@acme.test',
          password: 'another-one',
          role: 'viewer',
        }),
      );
      expect([duplicate.kind, duplicate.code]).toEqual(['conflict', 'email_taken']);
      const elsewhere = await refusal(
        auth.client.createUser({
          actor,
          orgId: platformAdmin.orgId,
          email: 'x@acme.test',
          password: 'password-x',
          role: 'admin',
        }),
      );
      expect(elsewhere.kind).toBe('forbidden');
      const invalid = await refusal(
        auth.client.createUser({
          actor,
          orgId: organization.id,
          email: 'nope',
          password: 'short',
          role: 'boss',
        }),
      );
      expect(invalid.errors.map((problem) => problem.field)).toEqual(['/email', '/password', '/role']);
      const { users } = await auth.client.listUsers({ actor, orgId: organization.id });
      expect(users.map((listed) => listed.email).sort()).toEqual(['admin@acme.test', 'viewer@acme.test']);
    },
  );

  it.skipIf(!engineAvailable(engine))('a suspended user can neither log in nor refresh', async () => {
    const { organization, actor } = await createOrgAdmin('suspenders');
    const { user } = await auth.client.createUser({
      actor,
      orgId: organization.id,
      email: 'leaver@suspenders.test',
      password: 'leaver-password',
      role: 'analyst',
    });
    const tokens = (await login('leaver@suspenders.test', 'leaver-password')).tokens!;
    await auth.client.setUserStatus({ actor, orgId: organization.id, userId: user!.id, status: 'suspended' });
    expect((await refusal(login('leaver@suspenders.test', 'leaver-password'))).code).toBe(
      'invalid_credentials',
    );
    expect((await refusal(auth.client.refresh({ refreshToken: tokens.refreshToken }))).code).toBe(
      'invalid_refresh_token',
    );
  });

  it.skipIf(!engineAvailable(engine))(
    'logins and user creations are recorded as events in the outbox',
    async () => {
      await refusal(login(bootstrapEmail, 'wrong password', '10.9.9.9'));
      await refusal(login('ghost@example.test', 'whatever-it-is', '10.9.9.9'));
      const events = await auth.outboxEvents();
      const types = new Set(events.map((event) => event.type));
      expect(types).toEqual(
        new Set([
          'auth.user.created',
          'auth.login.succeeded',
          'auth.login.failed',
          'auth.key.rotated',
          'auth.token.revoked',
        ]),
      );
      const failures = events
        .filter((event) => event.type === 'auth.login.failed')
        .map((event) => event.data);
      expect(failures).toContainEqual({ email: bootstrapEmail, ip: '10.9.9.9', reason: 'wrong_password' });
      expect(failures).toContainEqual({
        email: 'ghost@example.test',
        ip: '10.9.9.9',
        reason: 'unknown_account',
      });
      expect(events.every((event) => event.source === 'fiscal/auth')).toBe(true);
    },
  );
});
