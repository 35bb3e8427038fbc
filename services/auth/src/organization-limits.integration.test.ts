import { fromConnectError } from '@fiscal/kit/grpc';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  maxApiKeysPerOrganisation,
  maxUsersPerOrganisation,
  revokedApiKeyRetentionDays,
} from './domain/index.js';
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

describe.each(engines)('what an organisation may hold, on %s', (engine) => {
  let auth: AuthHarness;
  let admin: AuthClient;
  let orgId: string;

  beforeAll(async () => {
    if (!engineAvailable(engine)) return;
    auth = await startAuthHarness(engine);
    const root = (await auth.client.login({ email: bootstrapEmail, password: bootstrapPassword })).tokens!;
    const platform = auth.as(root.accessToken);
    const { organization } = await platform.createOrganization({ name: 'Busy Co', tier: 'pro' });
    orgId = organization!.id;
    const password = 'an organisation admin passphrase';
    await platform.createUser({ orgId, email: 'admin@busy.test', password, role: 'admin' });
    const { tokens } = await auth.client.login({ email: 'admin@busy.test', password });
    admin = auth.as(tokens!.accessToken);
  });
  afterAll(async () => auth?.close());

  it.skipIf(!engineAvailable(engine))('refuses a user past the limit with a clear conflict', async () => {
    // Seeded in one statement, up to one short of the limit (the admin is one already).
    await sql`insert into users (id, org_id, email, password_hash, role)
      select 'usr_seed_' || n, ${orgId}, 'seed' || n || '@busy.test', 'x', 'viewer'
        from generate_series(1, ${maxUsersPerOrganisation - 2}) as n`.execute(auth.test.database.db);
    const password = 'a viewer passphrase of sorts';
    await admin.createUser({ orgId, email: 'last@busy.test', password, role: 'viewer' });
    const refused = await refusal(
      admin.createUser({ orgId, email: 'one-more@busy.test', password, role: 'viewer' }),
    );
    expect([refused.kind, refused.code]).toEqual(['conflict', 'user_limit_reached']);
    expect(refused.message).toContain(String(maxUsersPerOrganisation));
  });

  it.skipIf(!engineAvailable(engine))(
    'refuses an API key past the limit, counting revoked keys until they are cleared',
    async () => {
      const create = () => admin.createApiKey({ orgId, name: 'ERP', scopes: ['invoices:read'] });
      const created = await Promise.all(Array.from({ length: maxApiKeysPerOrganisation }, create));
      const refused = await refusal(create());
      expect([refused.kind, refused.code]).toEqual(['conflict', 'api_key_limit_reached']);

      // A revoked key still counts...
      const revoked = created[0]!.apiKey!.id;
      await admin.revokeApiKey({ orgId, id: revoked });
      expect((await refusal(create())).code).toBe('api_key_limit_reached');
      // ...until its retention has passed, when it is cleared to make room.
      const longAgo = new Date(Date.now() - (revokedApiKeyRetentionDays + 1) * 86_400_000);
      await sql`update api_keys set revoked_at = ${longAgo} where id = ${revoked}`.execute(
        auth.test.database.db,
      );
      await create();
      const { apiKeys } = await admin.listApiKeys({ orgId });
      expect(apiKeys).toHaveLength(maxApiKeysPerOrganisation);
      expect(apiKeys.map((key) => key.id)).not.toContain(revoked);
    },
  );
});
