import { accessTokenAudience, accessTokenIssuer } from '@fiscal/contracts';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { type AccessTokens, createAccessTokens } from '../app/access-tokens.js';
import type { AuthContext } from '../app/auth-context.js';
import type { TokenPair } from '../app/issue-token-pair.js';
import { loginHandler } from '../app/login.js';
import { createUser } from '../app/manage-users.js';
import { rotateKeysHandler } from '../app/rotate-keys.js';
import {
  type Actor,
  type PasswordHasher,
  type PrivateKeyCipher,
  type Role,
  scopesOf,
  type User,
} from '../domain/index.js';
import { createMemoryAuthStore, type MemoryAuthStore } from './memory-auth-store.js';

/** Stands in for argon2 where a test is about the use case, not the hash. */
export const plainPasswords: PasswordHasher = {
  hash: async (password) => `plain:${password}`,
  verify: async (passwordHash, password) => passwordHash === `plain:${password}`,
};

/** Keeps private keys as they are: sealing is the cipher adapter's business, tested there. */
export const plainCipher: PrivateKeyCipher = {
  seal: (pem) => ({ privateKey: pem, encrypted: false }),
  open: (stored) => stored,
};

export const accessTokenTtlMs = 15 * 60_000;
export const refreshTokenTtlMs = 30 * 24 * 3_600_000;

/** The use cases' world in memory: a store with a signing key, and a clock the test moves. */
export interface MemoryAuth {
  store: MemoryAuthStore;
  context: AuthContext;
  accessTokens: AccessTokens;
  /** What the token use cases take beyond the context. */
  tokenDependencies: AuthContext & { accessTokens: AccessTokens; refreshTtlMs: number };
  rotateKeys: ReturnType<typeof rotateKeysHandler>;
  now(): Date;
  advance(ms: number): void;
  /** An organisation, created directly in the store. */
  addOrganization(id: string, tier?: 'free' | 'pro' | 'enterprise'): Promise<void>;
  /** A user created by the use case (so with its event), with `password`. */
  addUser(orgId: string, email: string, password: string, role?: Role): Promise<User>;
  /** The login use case, with no limit on attempts. */
  login(email: string, password: string): Promise<TokenPair>;
  /** The access token's claims, verified against the store's published keys. */
  verify(accessToken: string): Promise<Record<string, unknown>>;
}

export async function startMemoryAuth(start = new Date('2026-11-24T12:00:00.000Z')): Promise<MemoryAuth> {
  let now = start.getTime();
  const clock = () => new Date(now);
  const store = createMemoryAuthStore(clock);
  const context: AuthContext = { store, passwords: plainPasswords, clock };
  const accessTokens = createAccessTokens({
    signingKeys: store.signingKeys,
    cipher: plainCipher,
    ttlMs: accessTokenTtlMs,
    clock,
  });
  const rotateKeys = rotateKeysHandler({ store, cipher: plainCipher, clock });
  await rotateKeys();
  const tokenDependencies = { ...context, accessTokens, refreshTtlMs: refreshTokenTtlMs };
  const login = loginHandler({
    ...tokenDependencies,
    limiter: { attempt: async () => undefined, recordSuccess: async () => {} },
  });
  return {
    store,
    context,
    accessTokens,
    tokenDependencies,
    rotateKeys,
    now: clock,
    advance(ms) {
      now += ms;
    },
    async addOrganization(id, tier = 'pro') {
      await store.identities.addOrganization({ id, name: id, tier });
    },
    addUser: (orgId, email, password, role = 'viewer') =>
      createUser(context, { orgId, email, password, role }),
    login: (email, password) => login({ email, password, clientIp: '' }),
    async verify(accessToken) {
      const jwks = createLocalJWKSet(await accessTokens.jwks());
      const { payload } = await jwtVerify(accessToken, jwks, {
        issuer: accessTokenIssuer,
        audience: accessTokenAudience,
        currentDate: clock(),
      });
      return payload;
    },
  };
}

/** The actor a user's access token names. */
export function actorOf(user: User, tier: Actor['tier'] = 'pro'): Actor {
  return {
    subject: user.id,
    subjectType: 'user',
    orgId: user.orgId,
    role: user.role,
    scopes: scopesOf(user.role),
    tier,
    platformAdmin: user.platformAdmin,
  };
}

/** The events of one type the store committed, oldest first. */
export function eventsOf(store: MemoryAuthStore, type: string) {
  return store.events.filter((event) => event.type === type);
}
