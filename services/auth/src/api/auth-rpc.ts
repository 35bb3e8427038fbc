import type { ConnectRouter } from '@connectrpc/connect';
import {
  type ApiKey as ApiKeyMessage,
  AuthService,
  type Caller,
  type Organization as OrganizationMessage,
  type TokenPair as TokenPairMessage,
  type User as UserMessage,
} from '@fiscal/contracts/rpc/auth';
import { AppError } from '@fiscal/kit/errors';
import type { TokenPair } from '../app/issue-token-pair.js';
import {
  type Actor,
  type ApiKey,
  isRole,
  isScope,
  isTier,
  type Organization,
  type User,
} from '../domain/index.js';
import type { AuthUseCases } from './auth-use-cases.js';

/** gRPC edge of the auth service: translate, call a use case, translate back. */
export function registerAuthRpc(router: ConnectRouter, useCases: AuthUseCases): void {
  router.service(AuthService, {
    async login(request) {
      if (!request.email) throw missing('/email');
      if (!request.password) throw missing('/password');
      const tokens = await useCases.login({
        email: request.email,
        password: request.password,
        clientIp: request.clientIp,
      });
      return { tokens: toTokenPairMessage(tokens) };
    },
    async refresh(request) {
      if (!request.refreshToken) throw missing('/refreshToken');
      return { tokens: toTokenPairMessage(await useCases.refresh(request.refreshToken)) };
    },
    async logout(request) {
      await useCases.logout({ refreshToken: request.refreshToken, accessTokenId: request.accessTokenId });
      return {};
    },
    async getJwks() {
      return { jwksJson: JSON.stringify(await useCases.jwks()) };
    },
    async verifyApiKey(request) {
      const { key, organization } = await useCases.verifyApiKey(request.apiKey);
      return {
        caller: {
          userId: key.id,
          orgId: key.orgId,
          role: '',
          scopes: key.scopes,
          tier: organization.tier,
          platformAdmin: false,
          subjectType: 'api_key',
        },
      };
    },
    async createOrganization(request) {
      const organization = await useCases.createOrganization(toActor(request.actor), {
        name: request.name,
        tier: request.tier,
      });
      return { organization: toOrganizationMessage(organization) };
    },
    async listOrganizations(request) {
      const organizations = await useCases.listOrganizations(toActor(request.actor));
      return { organizations: organizations.map(toOrganizationMessage) };
    },
    async createUser(request) {
      const user = await useCases.createUser(toActor(request.actor), {
        orgId: request.orgId,
        email: request.email,
        password: request.password,
        role: request.role,
        platformAdmin: request.platformAdmin,
      });
      return { user: toUserMessage(user) };
    },
    async listUsers(request) {
      const users = await useCases.listUsers(toActor(request.actor), request.orgId);
      return { users: users.map(toUserMessage) };
    },
    async setUserStatus(request) {
      const user = await useCases.setUserStatus(toActor(request.actor), {
        orgId: request.orgId,
        userId: request.userId,
        status: request.status,
      });
      return { user: toUserMessage(user) };
    },
    async createApiKey(request) {
      const { apiKey, secret } = await useCases.createApiKey(toActor(request.actor), {
        orgId: request.orgId,
        name: request.name,
        scopes: request.scopes,
      });
      return { apiKey: toApiKeyMessage(apiKey), secret };
    },
    async listApiKeys(request) {
      const keys = await useCases.listApiKeys(toActor(request.actor), request.orgId);
      return { apiKeys: keys.map(toApiKeyMessage) };
    },
    async revokeApiKey(request) {
      if (!request.id) throw missing('/id');
      await useCases.revokeApiKey(toActor(request.actor), { orgId: request.orgId, id: request.id });
      return {};
    },
    async rotateKeys(request) {
      const rotation = await useCases.rotateKeys(toActor(request.actor));
      return { keyId: rotation.keyId, previousKeyId: rotation.previousKeyId ?? '' };
    },
  });
}

/** The actor as the gateway passed it; fields it cannot have come from a real caller are dropped. */
function toActor(caller: Caller | undefined): Actor | undefined {
  if (!caller?.userId) return undefined;
  return {
    subject: caller.userId,
    subjectType: caller.subjectType === 'api_key' ? 'api_key' : 'user',
    orgId: caller.orgId,
    role: isRole(caller.role) ? caller.role : undefined,
    scopes: caller.scopes.filter(isScope),
    tier: isTier(caller.tier) ? caller.tier : 'free',
    platformAdmin: caller.platformAdmin,
  };
}

function toTokenPairMessage(tokens: TokenPair): Omit<TokenPairMessage, '$typeName'> {
  return {
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken,
    tokenType: tokens.tokenType,
    expiresIn: tokens.expiresIn,
  };
}

function toOrganizationMessage(organization: Organization): Omit<OrganizationMessage, '$typeName'> {
  return {
    id: organization.id,
    name: organization.name,
    tier: organization.tier,
    createdAt: organization.createdAt.toISOString(),
  };
}

function toUserMessage(user: User): Omit<UserMessage, '$typeName'> {
  return {
    id: user.id,
    orgId: user.orgId,
    email: user.email,
    role: user.role,
    status: user.status,
    platformAdmin: user.platformAdmin,
    createdAt: user.createdAt.toISOString(),
  };
}

function toApiKeyMessage(key: ApiKey): Omit<ApiKeyMessage, '$typeName'> {
  return {
    id: key.id,
    orgId: key.orgId,
    name: key.name,
    scopes: key.scopes,
    prefix: key.prefix,
    createdAt: key.createdAt.toISOString(),
    ...(key.revokedAt ? { revokedAt: key.revokedAt.toISOString() } : {}),
  };
}

function missing(field: string): AppError {
  return new AppError('invalid', 'validation_failed', 'A required field is missing.', {
    errors: [{ field, code: 'required', message: 'is required' }],
  });
}
