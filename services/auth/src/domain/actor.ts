import type { FieldProblem } from '@fiscal/kit/errors';
import { ApiKeyCannotManageIdentities, Forbidden, MissingActor, ScopeNotHeld } from './errors.js';
import type { Role, Scope, Tier } from './identity.js';

/**
 * Who a request acts for: a user, or an API key, as the call's verified access token names it.
 * These rules decide what the actor may manage.
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

/**
 * Users and API keys of an organisation are managed by its admins (a platform admin: any
 * organisation's), and only by people: a key is a machine's credential, and one that could mint
 * users or keys would turn a leaked key into a permanent foothold.
 */
export function requireIdentityAdmin(actor: Actor | undefined, orgId: string): Actor {
  const known = requireOrgAdmin(actor, orgId);
  if (known.subjectType !== 'user') throw new ApiKeyCannotManageIdentities();
  return known;
}

/**
 * Never more than the granting actor holds: every scope granted (a user's role's, a key's own)
 * must be one the actor holds. `fieldOf` names the offending field of each scope not held.
 */
export function requireGrantable(
  actor: Actor,
  granted: readonly Scope[],
  fieldOf: (scope: Scope, index: number) => string,
): void {
  const problems: FieldProblem[] = [];
  granted.forEach((scope, index) => {
    if (!actor.scopes.includes(scope)) {
      problems.push({
        field: fieldOf(scope, index),
        code: 'scope_not_held',
        message: `grants ${scope}, which you do not hold`,
      });
    }
  });
  if (problems.length > 0) throw new ScopeNotHeld(problems);
}
