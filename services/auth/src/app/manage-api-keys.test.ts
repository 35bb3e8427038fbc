import { beforeEach, describe, expect, it } from 'vitest';
import { type Actor, maxApiKeysPerOrganisation, revokedApiKeyRetentionDays } from '../domain/index.js';
import { actorOf, type MemoryAuth, startMemoryAuth } from '../testing/memory-auth.js';
import { manageApiKeysHandlers } from './manage-api-keys.js';

describe('API keys', () => {
  let auth: MemoryAuth;
  let admin: Actor;
  let keys: ReturnType<typeof manageApiKeysHandlers>;
  const create = (scopes: string[] = ['invoices:read'], actor = admin) =>
    keys.createApiKey(actor, { orgId: 'org_acme', name: 'ERP', scopes });

  beforeEach(async () => {
    auth = await startMemoryAuth();
    await auth.addOrganization('org_acme');
    await auth.addOrganization('org_other');
    admin = actorOf(await auth.addUser('org_acme', 'admin@acme.test', 'admin-password', 'admin'));
    keys = manageApiKeysHandlers(auth.context);
  });

  it('shows the secret once and keeps its hash; the key verifies to itself and its organisation until revoked', async () => {
    const { apiKey, secret } = await create(['invoices:write', 'invoices:read']);

    expect(secret).toMatch(/^fsk_key_[0-9a-f]+_[\w-]{43}$/);
    expect(secret.startsWith(apiKey.prefix)).toBe(true);
    expect(JSON.stringify(await keys.listApiKeys(admin, 'org_acme'))).not.toContain(secret);
    expect(await keys.verifyApiKey(secret)).toMatchObject({
      key: { id: apiKey.id, scopes: ['invoices:write', 'invoices:read'] },
      organization: { id: 'org_acme', tier: 'pro' },
    });

    await keys.revokeApiKey(admin, { orgId: 'org_acme', id: apiKey.id });
    await expect(keys.verifyApiKey(secret)).rejects.toMatchObject({ code: 'invalid_api_key' });
    await expect(keys.verifyApiKey(`${secret.slice(0, -1)}A`)).rejects.toMatchObject({
      code: 'invalid_api_key',
    });
  });

  it("answers another organisation's key as not found, and lets no admin of another organisation in", async () => {
    const { apiKey } = await create();
    const outsider = actorOf(await auth.addUser('org_other', 'admin@other.test', 'admin-password', 'admin'));

    await expect(keys.revokeApiKey(outsider, { orgId: 'org_other', id: apiKey.id })).rejects.toMatchObject({
      code: 'api_key_not_found',
    });
    await expect(keys.revokeApiKey(outsider, { orgId: 'org_acme', id: apiKey.id })).rejects.toMatchObject({
      code: 'forbidden',
    });
    expect((await keys.verifyApiKey((await create()).secret)).key.revokedAt).toBeNull();
  });

  it('refuses unknown scopes, creators who are not admins, and keys creating keys', async () => {
    const analyst = actorOf(await auth.addUser('org_acme', 'analyst@acme.test', 'analyst-pass', 'analyst'));
    const asKey: Actor = { ...admin, subject: 'key_1', subjectType: 'api_key', role: undefined };

    await expect(create(['root'])).rejects.toMatchObject({ code: 'validation_failed' });
    await expect(create(['invoices:read'], analyst)).rejects.toMatchObject({
      code: 'forbidden',
    });
    await expect(create(['invoices:read'], asKey)).rejects.toMatchObject({ code: 'api_key_not_allowed' });
  });

  it('counts revoked keys against the limit until their retention has passed', async () => {
    const created = await Promise.all(Array.from({ length: maxApiKeysPerOrganisation }, () => create()));
    await expect(create()).rejects.toMatchObject({ code: 'api_key_limit_reached' });

    const revoked = created[0]!.apiKey.id;
    await keys.revokeApiKey(admin, { orgId: 'org_acme', id: revoked });
    await expect(create()).rejects.toMatchObject({ code: 'api_key_limit_reached' });

    auth.advance((revokedApiKeyRetentionDays + 1) * 86_400_000);
    await create();
    const listed = await keys.listApiKeys(admin, 'org_acme');
    expect(listed).toHaveLength(maxApiKeysPerOrganisation);
    expect(listed.map((key) => key.id)).not.toContain(revoked);
  });
});
