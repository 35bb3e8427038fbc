import type { FieldProblem } from '@fiscal/kit/errors';
import {
  type Actor,
  type AuthUnitOfWork,
  checkPassword,
  EmailTaken,
  Forbidden,
  InvalidInput,
  isEmail,
  isRole,
  isUserStatus,
  maxUsersPerOrganisation,
  normalizeEmail,
  OrganizationLimitReached,
  OrganizationNotFound,
  type Role,
  requireActor,
  requireGrantable,
  requireIdentityAdmin,
  scopesOf,
  type User,
  UserNotFound,
} from '../domain/index.js';
import { type AuthContext, newId } from './auth-context.js';

export interface NewUser {
  orgId: string;
  email: string;
  password: string;
  role: string;
  platformAdmin?: boolean;
}

/**
 * Creates a user in its own transaction with its `auth.user.created` event. Checks the input, not
 * the actor: callers (the RPC, the CLI, the bootstrap) decide who may.
 */
export async function createUser(context: AuthContext, input: NewUser): Promise<User> {
  const { email, role } = checkNewUser(input);
  const passwordHash = await context.passwords.hash(input.password);
  return context.store.transaction((unit) =>
    addCheckedUser(unit, {
      ...input,
      email,
      role,
      passwordHash,
      platformAdmin: input.platformAdmin ?? false,
    }),
  );
}

/** Adds a user to its organisation within its limit, raising `auth.user.created`, in the caller's unit of work. */
export async function addCheckedUser(
  unit: AuthUnitOfWork,
  user: { orgId: string; email: string; role: Role; passwordHash: string; platformAdmin: boolean },
): Promise<User> {
  if (!(await unit.identities.lockOrganization(user.orgId))) throw new OrganizationNotFound(user.orgId);
  if ((await unit.identities.countUsers(user.orgId)) >= maxUsersPerOrganisation)
    throw new OrganizationLimitReached('users', maxUsersPerOrganisation);
  const created = await unit.identities.addUser({ id: newId('usr'), ...user });
  if (!created) throw new EmailTaken();
  unit.raise({
    type: 'auth.user.created',
    subject: created.id,
    tenant: created.orgId,
    data: { userId: created.id, orgId: created.orgId, role: created.role },
  });
  return created;
}

function checkNewUser(input: NewUser): { email: string; role: Role } {
  const email = normalizeEmail(input.email);
  const problems: FieldProblem[] = [];
  if (!input.orgId) problems.push({ field: '/orgId', code: 'required', message: 'is required' });
  if (!isEmail(email))
    problems.push({ field: '/email', code: 'invalid_email', message: 'must be an email address' });
  const passwordProblem = checkPassword(input.password);
  if (passwordProblem) problems.push({ field: '/password', ...passwordProblem });
  if (!isRole(input.role)) {
    problems.push({ field: '/role', code: 'invalid_role', message: 'must be admin, analyst or viewer' });
  }
  if (problems.length > 0 || !isRole(input.role)) throw new InvalidInput(problems);
  return { email, role: input.role };
}

/** Users as an organisation admin (own organisation) or a platform admin (any) manages them. */
export function manageUsersHandlers(context: AuthContext) {
  const { store, clock } = context;
  return {
    async createUser(actor: Actor | undefined, input: NewUser): Promise<User> {
      const known = requireActor(actor);
      const orgId = input.orgId || known.orgId;
      requireIdentityAdmin(known, orgId);
      if (input.platformAdmin && !known.platformAdmin) {
        throw new Forbidden('Only platform administrators may create platform administrators.');
      }
      if (isRole(input.role)) requireGrantable(known, scopesOf(input.role), () => '/role');
      return createUser(context, { ...input, orgId });
    },
    async listUsers(actor: Actor | undefined, orgId: string): Promise<User[]> {
      const known = requireActor(actor);
      if (!orgId && known.platformAdmin && known.subjectType === 'user')
        return store.identities.listUsers(undefined);
      const target = orgId || known.orgId;
      requireIdentityAdmin(known, target);
      return store.identities.listUsers(target);
    },
    async setUserStatus(actor: Actor | undefined, input: { orgId: string; userId: string; status: string }) {
      const known = requireActor(actor);
      const orgId = input.orgId || known.orgId;
      requireIdentityAdmin(known, orgId);
      const { status } = input;
      if (!isUserStatus(status)) {
        throw new InvalidInput([
          { field: '/status', code: 'invalid_status', message: 'must be active or suspended' },
        ]);
      }
      if (input.userId === known.subject && status === 'suspended') {
        throw new Forbidden('Administrators cannot suspend themselves.');
      }
      return store.transaction(async (unit) => {
        const user = await unit.identities.setUserStatus(orgId, input.userId, status);
        if (!user) throw new UserNotFound(input.userId);
        // A suspended user's refresh tokens die with the suspension; access tokens expire within their TTL.
        if (status === 'suspended') await unit.refreshTokens.revokeAllOfUser(user.id, clock());
        return user;
      });
    },
  };
}
