import { generateKeyPairSync, type KeyObject, randomUUID } from 'node:crypto';
import type { ConnectRouter } from '@connectrpc/connect';
import { accessTokenAudience, accessTokenIssuer } from '@fiscal/contracts';
import { AuthService, type Caller as CallerMessage } from '@fiscal/contracts/rpc/auth';
import { AppError } from '@fiscal/kit/errors';
import { type JWK, type JWTPayload, SignJWT } from 'jose';
import { apiKeyPrefix } from '../adapters/token-caller-resolver.js';
import { allScopes, type Role, type Scope } from '../app/caller.js';

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicJwk: JWK;
}

export interface FakeUser {
  id: string;
  orgId: string;
  email: string;
  password: string;
  role: Role;
  platformAdmin: boolean;
}

export interface TokenClaims {
  sub: string;
  org: string;
  role: Role;
  scopes: string[];
  tier: 'free' | 'pro' | 'enterprise';
  padm?: boolean;
  jti: string;
  iss: string;
  aud: string;
  iat: number;
  nbf?: number;
  exp: number;
}

export const accessTokenSeconds = 900;

const scopesOfRole: Record<Role, Scope[]> = {
  admin: [...allScopes],
  analyst: ['invoices:write', 'invoices:read', 'reports:read'],
  viewer: ['invoices:read', 'reports:read'],
};

/**
 * An auth service that signs real EdDSA access tokens and publishes their keys, with the clock
 * of the test, so the gateway's verification is attacked with the real thing.
 */
export class FakeAuthService {
  /** Published keys, the last one signing. */
  readonly keys: SigningKey[] = [];
  readonly users: FakeUser[] = [];
  /** Each logout, with the access token the call carried as its credential, if any. */
  readonly logouts: { refreshToken: string; accessToken: string | undefined }[] = [];
  readonly createdUsers: { orgId: string; email: string; role: string }[] = [];
  readonly loginAddresses: string[] = [];
  jwksFetches = 0;
  apiKeyVerifications = 0;
  /** When set, every call fails as an unreachable service would. */
  down = false;
  private readonly apiKeys = new Map<
    string,
    { id: string; name: string; caller: CallerMessage; revoked: boolean }
  >();
  private readonly refreshTokens = new Map<string, FakeUser>();

  constructor(readonly clock: { now: number }) {
    this.rotate();
  }

  get signingKey(): SigningKey {
    return this.keys.at(-1)!;
  }

  /** Publishes a new key and signs with it from now on; the previous keys stay published. */
  rotate(): SigningKey {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const kid = `key_${this.keys.length + 1}`;
    const publicJwk = { ...publicKey.export({ format: 'jwk' }), kid, alg: 'EdDSA', use: 'sig' } as JWK;
    const key = { kid, privateKey, publicJwk };
    this.keys.push(key);
    return key;
  }

  /** Stops publishing a key: tokens it signed must stop verifying. */
  retire(kid: string): void {
    this.keys.splice(
      this.keys.findIndex((key) => key.kid === kid),
      1,
    );
  }

  addUser(user: Omit<FakeUser, 'id'>): FakeUser {
    const added = { ...user, id: `usr_${this.users.length + 1}` };
    this.users.push(added);
    return added;
  }

  /** The claims of a fresh access token for `user`, to tamper with before `sign`. */
  claimsOf(user: FakeUser): TokenClaims {
    const iat = Math.floor(this.clock.now / 1_000);
    return {
      sub: user.id,
      org: user.orgId,
      role: user.role,
      scopes: scopesOfRole[user.role],
      tier: 'pro',
      ...(user.platformAdmin ? { padm: true } : {}),
      jti: randomUUID(),
      iss: accessTokenIssuer,
      aud: accessTokenAudience,
      iat,
      exp: iat + accessTokenSeconds,
    };
  }

  sign(claims: object, key: SigningKey = this.signingKey): Promise<string> {
    return new SignJWT(claims as JWTPayload)
      .setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ: 'JWT' })
      .sign(key.privateKey);
  }

  tokenFor(user: FakeUser): Promise<string> {
    return this.sign(this.claimsOf(user));
  }

  register(router: ConnectRouter): void {
    const guard = () => {
      if (this.down) throw new AppError('unavailable', 'upstream_unavailable', 'The auth service is down.');
    };
    const tokensFor = async (user: FakeUser) => {
      const refreshToken = `rt_${randomUUID()}`;
      this.refreshTokens.set(refreshToken, user);
      return {
        tokens: {
          accessToken: await this.tokenFor(user),
          refreshToken,
          tokenType: 'Bearer',
          expiresIn: accessTokenSeconds,
        },
      };
    };
    router.service(AuthService, {
      login: async ({ email, password, clientIp }) => {
        guard();
        this.loginAddresses.push(clientIp);
        const user = this.users.find((candidate) => candidate.email === email);
        if (!user || user.password !== password)
          throw new AppError('unauthenticated', 'invalid_credentials', 'Wrong email or password.');
        return tokensFor(user);
      },
      refresh: async ({ refreshToken }) => {
        guard();
        const user = this.refreshTokens.get(refreshToken);
        if (!user) throw new AppError('unauthenticated', 'invalid_refresh_token', 'Unknown refresh token.');
        this.refreshTokens.delete(refreshToken);
        return tokensFor(user);
      },
      logout: async ({ refreshToken }, context) => {
        guard();
        // Deliberately records nothing in the revocation cache: the gateway must revoke on its own.
        this.refreshTokens.delete(refreshToken);
        const credential = context.requestHeader.get('authorization')?.replace(/^Bearer /, '');
        this.logouts.push({ refreshToken, accessToken: credential });
        return {};
      },
      getJwks: async () => {
        guard();
        this.jwksFetches += 1;
        return { jwksJson: JSON.stringify({ keys: this.keys.map((key) => key.publicJwk) }) };
      },
      verifyApiKey: async ({ apiKey }) => {
        guard();
        this.apiKeyVerifications += 1;
        const known = this.apiKeys.get(apiKey);
        if (!known || known.revoked)
          throw new AppError('unauthenticated', 'invalid_api_key', 'Unknown API key.');
        // The token the real service mints for the key: good enough for fakes that only read claims.
        return { caller: known.caller, accessToken: `minted-for-${known.id}`, expiresIn: 300 };
      },
      createOrganization: async ({ name, tier }) => {
        guard();
        return { organization: { id: `org_${name}`, name, tier, createdAt: '2026-01-01T00:00:00.000Z' } };
      },
      listOrganizations: async () => {
        guard();
        return {
          organizations: [
            { id: 'org_default', name: 'default', tier: 'pro', createdAt: '2026-01-01T00:00:00.000Z' },
          ],
        };
      },
      createUser: async ({ orgId, email, role }) => {
        guard();
        this.createdUsers.push({ orgId, email, role });
        return {
          user: {
            id: `usr_new_${this.createdUsers.length}`,
            orgId,
            email,
            role,
            status: 'active',
            createdAt: '2026-01-01T00:00:00.000Z',
          },
        };
      },
      listUsers: async ({ orgId }) => {
        guard();
        const users = this.users.filter((user) => user.orgId === orgId);
        return {
          users: users.map(({ id, email, role }) => ({
            id,
            orgId,
            email,
            role,
            status: 'active',
            createdAt: '2026-01-01T00:00:00.000Z',
          })),
        };
      },
      createApiKey: async ({ orgId, name, scopes }) => {
        guard();
        const id = `key_${this.apiKeys.size + 1}`;
        const secret = `${apiKeyPrefix}${randomUUID().replaceAll('-', '')}`;
        this.apiKeys.set(secret, {
          id,
          name,
          caller: { userId: id, orgId, role: 'analyst', scopes, tier: 'pro' } as CallerMessage,
          revoked: false,
        });
        return { apiKey: this.apiKeyOf(secret), secret };
      },
      listApiKeys: async ({ orgId }) => {
        guard();
        return {
          apiKeys: [...this.apiKeys.keys()]
            .map((secret) => this.apiKeyOf(secret))
            .filter((key) => key.orgId === orgId),
        };
      },
      revokeApiKey: async ({ orgId, id }) => {
        guard();
        const known = [...this.apiKeys.values()].find((key) => key.id === id && key.caller.orgId === orgId);
        if (!known) throw new AppError('not_found', 'api_key_not_found', `API key ${id} does not exist.`);
        known.revoked = true;
        return {};
      },
    });
  }

  private apiKeyOf(secret: string) {
    const { id, name, caller, revoked } = this.apiKeys.get(secret)!;
    return {
      id,
      orgId: caller.orgId,
      name,
      scopes: caller.scopes,
      prefix: secret.slice(0, 8),
      createdAt: '2026-01-01T00:00:00.000Z',
      ...(revoked ? { revokedAt: '2026-01-02T00:00:00.000Z' } : {}),
    };
  }
}
