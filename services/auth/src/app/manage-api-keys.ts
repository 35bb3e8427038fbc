import type { FieldProblem } from '@fiscal/kit/errors';
import {
  type Actor,
  type ApiKey,
  ApiKeyNotFound,
  InvalidApiKey,
  InvalidInput,
  isScope,
  maxApiKeysPerOrganisation,
  OrganizationLimitReached,
  OrganizationNotFound,
  requireActor,
  requireGrantable,
  requireIdentityAdmin,
  revokedApiKeyRetentionDays,
  type Scope,
} from '../domain/index.js';
import { type AuthContext, digestSecret, newId, randomSecret } from './auth-context.js';

/** Shown in lists to recognise a key: `fsk_<id>_` and the first characters of its secret part. */
const prefixLength = 4;

/** API keys: created by an organisation's admin with explicit scopes, shown once, stored hashed. */
export function manageApiKeysHandlers({ store, clock }: AuthContext) {
  return {
    async createApiKey(
      actor: Actor | undefined,
      input: { orgId: string; name: string; scopes: readonly string[] },
    ): Promise<{ apiKey: ApiKey; secret: string }> {
      const known = requireActor(actor);
      const orgId = input.orgId || known.orgId;
      requireIdentityAdmin(known, orgId);
      const scopes = checkScopes(input.name, input.scopes);
      // A key never does more than the one who made it.
      requireGrantable(known, scopes, (_scope, index) => `/scopes/${index}`);
      const id = newId('key');
      const random = randomSecret();
      const secret = `fsk_${id}_${random}`;
      const apiKey = await store.transaction(async (unit) => {
        if (!(await unit.identities.lockOrganization(orgId))) throw new OrganizationNotFound(orgId);
        const retainedSince = new Date(clock().getTime() - revokedApiKeyRetentionDays * 86_400_000);
        if ((await unit.apiKeys.countKept(orgId, retainedSince)) >= maxApiKeysPerOrganisation)
          throw new OrganizationLimitReached('API keys', maxApiKeysPerOrganisation);
        return unit.apiKeys.add({
          id,
          orgId,
          name: input.name.trim(),
          scopes,
          prefix: `fsk_${id}_${random.slice(0, prefixLength)}`,
          secretHash: digestSecret(secret),
          createdBy: known.subject,
        });
      });
      return { apiKey, secret };
    },
    async listApiKeys(actor: Actor | undefined, orgId: string): Promise<ApiKey[]> {
      const known = requireActor(actor);
      const target = orgId || known.orgId;
      requireIdentityAdmin(known, target);
      return store.apiKeys.list(target);
    },
    async revokeApiKey(actor: Actor | undefined, input: { orgId: string; id: string }): Promise<void> {
      const known = requireActor(actor);
      const orgId = input.orgId || known.orgId;
      requireIdentityAdmin(known, orgId);
      if (!(await store.apiKeys.revoke(orgId, input.id, clock()))) throw new ApiKeyNotFound(input.id);
    },
    /** The caller an API key stands for; unknown and revoked keys alike are `invalid_api_key`. */
    async verifyApiKey(secret: string) {
      if (!secret.startsWith('fsk_') || secret.length > 256) throw new InvalidApiKey();
      const key = await store.apiKeys.findBySecretHash(digestSecret(secret));
      if (!key || key.revokedAt) throw new InvalidApiKey();
      const organization = await store.identities.findOrganization(key.orgId);
      if (!organization) throw new InvalidApiKey();
      return { key, organization };
    },
  };
}

function checkScopes(name: string, scopes: readonly string[]): Scope[] {
  const problems: FieldProblem[] = [];
  if (name.trim().length === 0 || name.length > 200) {
    problems.push({ field: '/name', code: 'invalid_name', message: 'must be 1 to 200 characters' });
  }
  if (scopes.length === 0)
    problems.push({ field: '/scopes', code: 'required', message: 'name at least one scope' });
  scopes.forEach((scope, index) => {
    if (!isScope(scope)) {
      problems.push({
        field: `/scopes/${index}`,
        code: 'invalid_scope',
        message: 'must be invoices:write, invoices:read, reports:read or admin',
      });
    }
  });
  if (problems.length > 0) throw new InvalidInput(problems);
  return [...new Set(scopes as Scope[])];
}
