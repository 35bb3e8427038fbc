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
import { isRole, isScope, isTier, type Role, type Tier } from '../app/caller.js';
import type { ApiKey, Identity, Organization, TokenPair, User } from '../app/identity.js';
import { callUpstream, callUpstreamAnonymously } from './call-upstream.js';

/** The auth service over gRPC, behind the upstream's deadline, breaker and bulkhead. */
export function createGrpcIdentity(transport: Transport, policy: Policy): Identity {
  const client = createClient(AuthService, transport);
  const anonymously = <T>(rpc: (signal: AbortSignal) => Promise<T>) => callUpstreamAnonymously(policy, rpc);
  return {
    async login(email, password, clientIp) {
      const { tokens } = await anonymously((signal) =>
        client.login({ email, password, clientIp }, { signal }),
      );
      return tokenPairOf(tokens);
    },
    async refresh(refreshToken) {
      const { tokens } = await anonymously((signal) => client.refresh({ refreshToken }, { signal }));
      return tokenPairOf(tokens);
    },
    async logout(refreshToken, requester) {
      if (!requester) {
        await anonymously((signal) => client.logout({ refreshToken }, { signal }));
        return;
      }
      // The access token travels as the call's credential: the auth service revokes what it verified.
      await callUpstream(policy, requester, (options) => client.logout({ refreshToken }, options));
    },
    async jwks() {
      const { jwksJson } = await anonymously((signal) => client.getJwks({}, { signal }));
      return jwksJson;
    },
    async verifyApiKey(apiKey) {
      const { caller, accessToken, expiresIn } = await anonymously((signal) =>
        client.verifyApiKey({ apiKey }, { signal }),
      );
      if (!caller || !accessToken) throw malformed('VerifyApiKey answered without a caller and its token');
      return {
        subject: caller.userId,
        orgId: caller.orgId,
        role: roleOf(caller.role),
        scopes: caller.scopes.filter(isScope),
        tier: tierOf(caller.tier),
        credential: accessToken,
        credentialExpiresInSeconds: expiresIn,
      };
    },
    async createOrganization(requester, name, tier) {
      const { organization } = await callUpstream(policy, requester, (options) =>
        client.createOrganization({ name, tier }, options),
      );
      return organizationOf(organization);
    },
    async listOrganizations(requester) {
      const { organizations } = await callUpstream(policy, requester, (options) =>
        client.listOrganizations({}, options),
      );
      return organizations.map(organizationOf);
    },
    async createUser(requester, orgId, user) {
      const created = await callUpstream(policy, requester, (options) =>
        client.createUser({ orgId, ...user }, options),
      );
      return userOf(created.user);
    },
    async listUsers(requester, orgId) {
      const { users } = await callUpstream(policy, requester, (options) =>
        client.listUsers({ orgId }, options),
      );
      return users.map(userOf);
    },
    async createApiKey(requester, orgId, key) {
      const created = await callUpstream(policy, requester, (options) =>
        client.createApiKey({ orgId, ...key }, options),
      );
      return { apiKey: apiKeyOf(created.apiKey), secret: created.secret };
    },
    async listApiKeys(requester, orgId) {
      const { apiKeys } = await callUpstream(policy, requester, (options) =>
        client.listApiKeys({ orgId }, options),
      );
      return apiKeys.map(apiKeyOf);
    },
    async revokeApiKey(requester, orgId, id) {
      await callUpstream(policy, requester, (options) => client.revokeApiKey({ orgId, id }, options));
    },
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
