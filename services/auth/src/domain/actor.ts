import { Forbidden, MissingActor } from './errors.js';
import type { Role, Scope, Tier } from './identity.js';

/**
 * Who a request acts for: a user (from a verified access token) or an API key. The gateway
 * authenticates; these rules decide what the actor may manage.
 */
export interface Actor {
  subject: string;
  subjectType: 'user' | 'api_key';
  orgId: string;
  role: Role | undefined;
  scopes: readonly Scope[];
  tier: Tier;
  platformAdmin: boolean;
}

export function requireActor(actor: Actor | undefined): Actor {
  if (!actor?.subject) throw new MissingActor();
  return actor;
}

export function requirePlatformAdmin(actor: Actor | undefined): Actor {
  const known = requireActor(actor);
  if (!known.platformAdmin) throw new Forbidden('Only platform administrators may do this.');
  return known;
}

/** An organisation's admin (scope `admin`) manages its users and keys; a platform admin, any. */
export function requireOrgAdmin(actor: Actor | undefined, orgId: string): Actor {
  const known = requireActor(actor);
  if (known.platformAdmin) return known;
  if (known.orgId !== orgId || !known.scopes.includes('admin')) {
    throw new Forbidden('Only an administrator of this organisation may do this.');
  }
  return known;
}
