import {
  type Actor,
  InvalidInput,
  isTier,
  type Organization,
  requirePlatformAdmin,
} from '../domain/index.js';
import { type AuthContext, newId } from './auth-context.js';

/** Organisations are a platform administrator's business: create and list. */
export function manageOrganizationsHandlers({ store }: AuthContext) {
  return {
    async createOrganization(
      actor: Actor | undefined,
      input: { name: string; tier: string },
    ): Promise<Organization> {
      requirePlatformAdmin(actor);
      const name = input.name.trim();
      const tier = input.tier || 'free';
      const problems = [
        ...(name.length === 0 || name.length > 200
          ? [{ field: '/name', code: 'invalid_name', message: 'must be 1 to 200 characters' }]
          : []),
        ...(isTier(tier)
          ? []
          : [{ field: '/tier', code: 'invalid_tier', message: 'must be free, pro or enterprise' }]),
      ];
      if (problems.length > 0 || !isTier(tier)) throw new InvalidInput(problems);
      return store.identities.addOrganization({ id: newId('org'), name, tier });
    },
    async listOrganizations(actor: Actor | undefined): Promise<Organization[]> {
      requirePlatformAdmin(actor);
      return store.identities.listOrganizations();
    },
  };
}
