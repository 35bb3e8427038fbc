import { createClient, type Transport } from '@connectrpc/connect';
import {
  type ApiKey as ApiKeyMessage,
  AuthService,
  type Organization as OrganizationMessage,
  type TokenPair as TokenPairMessage,
  type User as UserMessage,
} from '@fiscal/contracts/rpc/auth';
import { AppError } from '@fiscal/kit/errors';
import type { Policy } from '@fiscal/kit/resilience';
import { type Caller, isRole, isScope, isTier, type Role, type Tier } from '../app/caller.js';
import type { ApiKey, Identity, Organization, TokenPair, User } from '../app/identity.js';
import { callUpstream } from './call-upstream.js';

/** The auth service over gRPC, behind the upstream's deadline, breaker and bulkhead. */
export function createGrpcIdentity(transport: Transport, policy: Policy): Identity {
  const client = createClient(AuthService, transport);
  const call = <T>(rpc: (signal: AbortSignal) => Promise<T>) => callUpstream(policy, rpc);
  return {
    async login(email, password, clientIp) {
      const { tokens } = await call((signal) => client.login({ email, password, clientIp }, { signal }));
      return tokenPairOf(tokens);
    },
    async refresh(refreshToken) {
      const { tokens } = await call((signal) => client.refresh({ refreshToken }, { signal }));
      return tokenPairOf(tokens);
    },
    async logout(refreshToken, accessTokenId) {
      await call((signal) => client.logout({ refreshToken, accessTokenId: accessTokenId ?? '' }, { signal }));
    },
    async jwks() {
      const { jwksJson } = await call((signal) => client.getJwks({}, { signal }));
      return jwksJson;
    },
    async verifyApiKey(apiKey) {
      const { caller } = await call((signal) => client.verifyApiKey({ apiKey }, { signal }));
      if (!caller) throw malformed('VerifyApiKey answered without a caller');
      return {
        subject: caller.userId,
        orgId: caller.orgId,
        role: roleOf(caller.role),
        scopes: caller.scopes.filter(isScope),
        tier: tierOf(caller.tier),
      };
    },
    async createOrganization(actor, name, tier) {
      const { organization } = await call((signal) =>
        client.createOrganization({ actor: actorOf(actor), name, tier }, { signal }),
      );
      return organizationOf(organization);
    },
    async listOrganizations(actor) {
      const { organizations } = await call((signal) =>
        client.listOrganizations({ actor: actorOf(actor) }, { signal }),
      );
      return organizations.map(organizationOf);
    },
    async createUser(actor, orgId, user) {
      const created = await call((signal) =>
        client.createUser({ actor: actorOf(actor), orgId, ...user }, { signal }),
      );
      return userOf(created.user);
    },
    async listUsers(actor, orgId) {
      const { users } = await call((signal) =>
        client.listUsers({ actor: actorOf(actor), orgId }, { signal }),
      );
      return users.map(userOf);
    },
    async createApiKey(actor, orgId, key) {
      const created = await call((signal) =>
        client.createApiKey({ actor: actorOf(actor), orgId, ...key }, { signal }),
      );
      return { apiKey: apiKeyOf(created.apiKey), secret: created.secret };
    },
    async listApiKeys(actor, orgId) {
      const { apiKeys } = await call((signal) =>
        client.listApiKeys({ actor: actorOf(actor), orgId }, { signal }),
      );
      return apiKeys.map(apiKeyOf);
    },
    async revokeApiKey(actor, orgId, id) {
      await call((signal) => client.revokeApiKey({ actor: actorOf(actor), orgId, id }, { signal }));
    },
  };
}

/** The verified caller, as the auth service's management calls expect it. */
function actorOf(caller: Caller) {
  return {
    userId: caller.subject,
    orgId: caller.orgId,
    role: caller.kind === 'user' ? caller.role : '',
    scopes: [...caller.scopes],
    tier: caller.tier,
    platformAdmin: caller.platformAdmin,
    subjectType: caller.kind,
  };
}

function tokenPairOf(tokens: TokenPairMessage | undefined): TokenPair {
  if (!tokens) throw malformed('the auth service answered without tokens');
  return {
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken,
    tokenType: 'Bearer',
    expiresIn: tokens.expiresIn,
  };
}

function organizationOf(organization: OrganizationMessage | undefined): Organization {
  if (!organization) throw malformed('the auth service answered without the organization');
  return {
    id: organization.id,
    name: organization.name,
    tier: tierOf(organization.tier),
    createdAt: organization.createdAt,
  };
}

function userOf(user: UserMessage | undefined): User {
  if (!user) throw malformed('the auth service answered without the user');
  return {
    id: user.id,
    orgId: user.orgId,
    email: user.email,
    role: roleOf(user.role),
    status: user.status,
    createdAt: user.createdAt,
  };
}

function apiKeyOf(key: ApiKeyMessage | undefined): ApiKey {
  if (!key) throw malformed('the auth service answered without the API key');
  return {
    id: key.id,
    orgId: key.orgId,
    name: key.name,
    scopes: key.scopes.filter(isScope),
    prefix: key.prefix,
    createdAt: key.createdAt,
    revokedAt: key.revokedAt ?? null,
  };
}

// A role or tier the gateway does not know grants the least, rather than failing the request.
const roleOf = (role: string): Role => (isRole(role) ? role : 'viewer');
const tierOf = (tier: string): Tier => (isTier(tier) ? tier : 'free');

function malformed(message: string): AppError {
  return new AppError('internal', 'upstream_malformed', message);
}
