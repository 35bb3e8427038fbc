import {
  InvalidCredentials,
  type LoginLimiter,
  LoginLocked,
  normalizeEmail,
  noTenant,
} from '../domain/index.js';
import type { AccessTokens } from './access-tokens.js';
import { type AuthContext, newId } from './auth-context.js';
import { issueTokenPair, type TokenPair } from './issue-token-pair.js';

export interface LoginCommand {
  email: string;
  password: string;
  clientIp: string;
}

type Failure = 'unknown_account' | 'wrong_password' | 'suspended' | 'locked';

/**
 * Password login. Every refusal looks the same to the caller (`invalid_credentials`, or
 * `login_locked` past the limit, for existing and unknown emails alike), and an unknown email
 * still pays one argon2 verification, so neither answers nor timings reveal which accounts exist.
 */
export function loginHandler(
  context: AuthContext & { accessTokens: AccessTokens; limiter: LoginLimiter; refreshTtlMs: number },
) {
  const { store, passwords, limiter } = context;
  // Verified against when the email is unknown; its password is random and never stored.
  const dummyHash = passwords.hash(newId('dummy'));

  const fail = async (email: string, ip: string, reason: Failure, user?: { id: string; orgId: string }) => {
    await store.transaction(async (unit) =>
      unit.raise({
        type: 'auth.login.failed',
        subject: user?.id ?? email,
        tenant: user?.orgId ?? noTenant,
        data: { email, ip, reason },
      }),
    );
  };

  return async function login({ email: givenEmail, password, clientIp }: LoginCommand): Promise<TokenPair> {
    const email = normalizeEmail(givenEmail);
    const ip = clientIp.slice(0, 64);
    const locked = await limiter.attempt(email, ip);
    if (locked !== undefined) {
      await fail(email, ip, 'locked');
      throw new LoginLocked(locked);
    }
    const user = await store.identities.findUserByEmail(email);
    const matches = await passwords.verify(user?.passwordHash ?? (await dummyHash), password);
    if (!user || !matches || user.status !== 'active') {
      await fail(email, ip, !user ? 'unknown_account' : !matches ? 'wrong_password' : 'suspended', user);
      throw new InvalidCredentials();
    }
    await limiter.recordSuccess(email, ip);
    return store.transaction(async (unit) => {
      const organization = await unit.identities.findOrganization(user.orgId);
      if (!organization) throw new InvalidCredentials();
      const tokens = await issueTokenPair(unit, context, { user, organization, familyId: newId('fam') });
      unit.raise({
        type: 'auth.login.succeeded',
        subject: user.id,
        tenant: user.orgId,
        data: { userId: user.id, orgId: user.orgId, ip },
      });
      return tokens;
    });
  };
}
