import {
  accessTokenAudience,
  accessTokenIssuer,
  revokedAccessTokenKey,
  serviceTokenAudience,
} from '@fiscal/contracts';
import { fromConnectError } from '@fiscal/kit/grpc';
import { createLocalJWKSet, decodeProtectedHeader, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AuthClient,
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
  let platformOrgId: string;
  /** Calls that carry a fresh access token of the bootstrap platform administrator (keys rotate below). */
  const asPlatformAdmin = async () =>
    auth.as((await login(bootstrapEmail, bootstrapPassword)).tokens!.accessToken);

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
    platformOrgId = payload.org as string;
  });
  afterAll(async () => auth?.close());

  const createOrgAdmin = async (name: string) => {
    const { organization } = await (await asPlatformAdmin()).createOrganization({ name, tier: 'pro' });
    const email = `admin@${name}.test`;
    const { user } = await (await asPlatformAdmin()).createUser({
      orgId: organization!.id,
      email,
      password: 'org-admin-password',
      role: 'admin',
    });
    const { tokens } = await login(email, 'org-admin-password');
    const actor = auth.as(tokens!.accessToken);
    return { organization: organization!, user: user!, email, actor, accessToken: tokens!.accessToken };
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
      await auth.as(tokens.accessToken).logout({ refreshToken: tokens.refreshToken });
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

      const first = await (await asPlatformAdmin()).rotateKeys({});
      expect(first.previousKeyId).toBe(signedBy);
      await verifyWithJwks(token);
      const fresh = (await login(bootstrapEmail, bootstrapPassword)).tokens!.accessToken;
      expect(decodeProtectedHeader(fresh).kid).toBe(first.keyId);

      await (await asPlatformAdmin()).rotateKeys({});
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
      expect((await refusal(actor.rotateKeys({}))).kind).toBe('forbidden');
      expect((await refusal(actor.listOrganizations({}))).kind).toBe('forbidden');
      expect((await refusal(auth.client.listOrganizations({}))).kind).toBe('unauthenticated');
      const bad = await refusal((await asPlatformAdmin()).createOrganization({ name: 'x', tier: 'gold' }));
      expect(bad.kind).toBe('invalid');
      expect(bad.errors[0]?.field).toBe('/tier');
    },
  );

  it.skipIf(!engineAvailable(engine))(
    'an API key is created with scopes, shown once, verified to its caller, listed by prefix, and refused once revoked',
    async () => {
      const { organization, actor } = await createOrgAdmin('integrators');
      const created = await actor.createApiKey({
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
      const { apiKeys } = await actor.listApiKeys({ orgId: organization.id });
      expect(apiKeys.map((key) => key.prefix)).toEqual([created.apiKey!.prefix]);
      expect(JSON.stringify(apiKeys)).not.toContain(created.secret);

      await actor.revokeApiKey({ orgId: organization.id, id: created.apiKey!.id });
      const refused = await refusal(auth.client.verifyApiKey({ apiKey: created.secret }));
      expect([refused.kind, refused.code]).toEqual(['unauthenticated', 'invalid_api_key']);
      const forged = await refusal(auth.client.verifyApiKey({ apiKey: `${created.secret.slice(0, -1)}A` }));
      expect(forged.code).toBe('invalid_api_key');
    },
  );

  it.skipIf(!engineAvailable(engine))(
    'a verified API key comes with a short-lived token for the services only, naming the key and its scopes',
    async () => {
      const { organization, actor } = await createOrgAdmin('minted');
      const { secret, apiKey } = await actor.createApiKey({
        orgId: organization.id,
        name: 'ERP',
        scopes: ['admin', 'invoices:read'],
      });
      const { accessToken, expiresIn } = await auth.client.verifyApiKey({ apiKey: secret });
      const { jwksJson } = await auth.client.getJwks({});
      const { payload } = await jwtVerify(accessToken, createLocalJWKSet(JSON.parse(jwksJson)), {
        issuer: accessTokenIssuer,
        audience: serviceTokenAudience,
      });
      expect(payload).toMatchObject({
        sub: apiKey!.id,
        kind: 'api_key',
        org: organization.id,
        scopes: ['admin', 'invoices:read'],
      });
      expect(payload.role).toBeUndefined();
      expect(expiresIn).toBeLessThanOrEqual(300);
      // Not a client token: the gateway, which accepts only the API audience, would refuse it.
      await expect(verifyWithJwks(accessToken)).rejects.toThrow();

      // A key, even one holding admin, manages no identities: it cannot mint itself a user with
      // every scope, nor another key.
      const asKey = auth.as(accessToken);
      const escalation = await refusal(
        asKey.createUser({
          orgId: organization.id,
          email: 'escalated@minted.test',
          password: 'a long passphrase of mine',
          role: 'admin',
        }),
      );
      expect([escalation.kind, escalation.code]).toEqual(['forbidden', 'api_key_not_allowed']);
      const anotherKey = await refusal(
        asKey.createApiKey({ orgId: organization.id, name: 'x', scopes: ['invoices:read'] }),
      );
      expect(anotherKey.code).toBe('api_key_not_allowed');
      expect((await refusal(asKey.listUsers({ orgId: organization.id }))).code).toBe('api_key_not_allowed');
    },
  );

  it.skipIf(!engineAvailable(engine))(
    'management calls act for the verified token only: none, a forged one, or a request field claiming more are refused',
    async () => {
      const { organization } = await createOrgAdmin('forgers');
      const create = (client: AuthClient) =>
        client.createUser({
          orgId: organization.id,
          email: 'root@forgers.test',
          password: 'a long passphrase of mine',
          role: 'admin',
          platformAdmin: true,
        });
      expect((await refusal(create(auth.client))).kind).toBe('unauthenticated');
      const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
      const { jwksJson } = await auth.client.getJwks({});
      const realKid = (JSON.parse(jwksJson) as { keys: { kid: string }[] }).keys[0]!.kid;
      const forged = await new SignJWT({
        org: organization.id,
        role: 'admin',
        scopes: ['invoices:write', 'invoices:read', 'reports:read', 'admin'],
        tier: 'enterprise',
        padm: true,
        jti: 'atk_forged',
      })
        .setProtectedHeader({ alg: 'EdDSA', kid: realKid })
        .setSubject('usr_forged')
        .setIssuer(accessTokenIssuer)
        .setAudience(accessTokenAudience)
        .setIssuedAt()
        .setExpirationTime('10m')
        .sign(privateKey);
      expect((await refusal(create(auth.as(forged)))).kind).toBe('unauthenticated');
      // A genuine organisation admin asking for a platform administrator is refused too.
      const { actor } = await createOrgAdmin('claimers');
      expect((await refusal(create(actor))).kind).toBe('forbidden');
      expect((await refusal(login('root@forgers.test', 'a long passphrase of mine'))).code).toBe(
        'invalid_credentials',
      );
    },
  );

  it.skipIf(!engineAvailable(engine))(
    "API key scopes must be known ones, and only the organisation's admins create keys",
    async () => {
      const { organization, actor } = await createOrgAdmin('scopes');
      const bad = await refusal(actor.createApiKey({ orgId: organization.id, name: 'k', scopes: ['root'] }));
      expect([bad.kind, bad.errors[0]?.field]).toEqual(['invalid', '/scopes/0']);
      const other = await createOrgAdmin('others');
      const foreign = await refusal(
        other.actor.createApiKey({ orgId: organization.id, name: 'k', scopes: ['invoices:read'] }),
      );
      expect(foreign.kind).toBe('forbidden');
    },
  );

  it.skipIf(!engineAvailable(engine))(
    'an organisation admin creates users in their organisation only; emails are unique whatever their case',
    async () => {
      const { organization, actor } = await createOrgAdmin('acme');
      const { user } = await actor.createUser({
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
        actor.createUser({
          orgId: organization.id,
          email: 'VIEWER@acme.test',
          password: 'another-one',
          role: 'viewer',
        }),
      );
      expect([duplicate.kind, duplicate.code]).toEqual(['conflict', 'email_taken']);
      const elsewhere = await refusal(
        actor.createUser({
          orgId: platformOrgId,
          email: 'x@acme.test',
          password: 'password-x',
          role: 'admin',
        }),
      );
      expect(elsewhere.kind).toBe('forbidden');
      const invalid = await refusal(
        actor.createUser({ orgId: organization.id, email: 'nope', password: 'short', role: 'boss' }),
      );
      expect(invalid.errors.map((problem) => problem.field)).toEqual(['/email', '/password', '/role']);
      const { users } = await actor.listUsers({ orgId: organization.id });
      expect(users.map((listed) => listed.email).sort()).toEqual(['admin@acme.test', 'viewer@acme.test']);
    },
  );

  it.skipIf(!engineAvailable(engine))('a suspended user can neither log in nor refresh', async () => {
    const { organization, actor } = await createOrgAdmin('suspenders');
    const { user } = await actor.createUser({
      orgId: organization.id,
      email: 'leaver@suspenders.test',
      password: 'leaver-password',
      role: 'analyst',
    });
    const tokens = (await login('leaver@suspenders.test', 'leaver-password')).tokens!;
    await actor.setUserStatus({ orgId: organization.id, userId: user!.id, status: 'suspended' });
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
