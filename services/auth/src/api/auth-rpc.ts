import type { ConnectRouter, HandlerContext } from '@connectrpc/connect';
import {
  type ApiKey as ApiKeyMessage,
  AuthService,
  type Organization as OrganizationMessage,
  type TokenPair as TokenPairMessage,
  type User as UserMessage,
} from '@fiscal/contracts/rpc/auth';
import { optionalRpcCallerOf, rpcCallerOf } from '@fiscal/kit/auth';
import { AppError } from '@fiscal/kit/errors';
import type { TokenPair } from '../app/issue-token-pair.js';
import { type Actor, type ApiKey, isScope, type Organization, type User } from '../domain/index.js';
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
    async logout(request, context) {
      // The access token is revoked only when the call proves it holds it, not by naming its id.
      const caller = optionalRpcCallerOf(context);
      await useCases.logout({
        refreshToken: request.refreshToken,
        ...(caller ? { accessToken: { id: caller.tokenId, expiresAtSeconds: caller.expiresAtSeconds } } : {}),
      });
      return {};
    },
    async getJwks() {
      return { jwksJson: JSON.stringify(await useCases.jwks()) };
    },
    async verifyApiKey(request) {
      const { key, organization, accessToken } = await useCases.verifyApiKey(request.apiKey);
      return {
        accessToken: accessToken.token,
        expiresIn: accessToken.expiresInSeconds,
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
    async createOrganization(request, context) {
      const organization = await useCases.createOrganization(actorOf(context), {
        name: request.name,
        tier: request.tier,
      });
      return { organization: toOrganizationMessage(organization) };
    },
    async listOrganizations(_request, context) {
      const organizations = await useCases.listOrganizations(actorOf(context));
      return { organizations: organizations.map(toOrganizationMessage) };
    },
    async createUser(request, context) {
      const user = await useCases.createUser(actorOf(context), {
        orgId: request.orgId,
        email: request.email,
        password: request.password,
        role: request.role,
        platformAdmin: request.platformAdmin,
      });
      return { user: toUserMessage(user) };
    },
    async listUsers(request, context) {
      const users = await useCases.listUsers(actorOf(context), request.orgId);
      return { users: users.map(toUserMessage) };
    },
    async setUserStatus(request, context) {
      const user = await useCases.setUserStatus(actorOf(context), {
        orgId: request.orgId,
        userId: request.userId,
        status: request.status,
      });
      return { user: toUserMessage(user) };
    },
    async createApiKey(request, context) {
      const { apiKey, secret } = await useCases.createApiKey(actorOf(context), {
        orgId: request.orgId,
        name: request.name,
        scopes: request.scopes,
      });
      return { apiKey: toApiKeyMessage(apiKey), secret };
    },
    async listApiKeys(request, context) {
      const keys = await useCases.listApiKeys(actorOf(context), request.orgId);
      return { apiKeys: keys.map(toApiKeyMessage) };
    },
    async revokeApiKey(request, context) {
      if (!request.id) throw missing('/id');
      await useCases.revokeApiKey(actorOf(context), { orgId: request.orgId, id: request.id });
      return {};
    },
    async rotateKeys(_request, context) {
      const rotation = await useCases.rotateKeys(actorOf(context));
      return { keyId: rotation.keyId, previousKeyId: rotation.previousKeyId ?? '' };
    },
  });
}

/** The actor is whoever the call's verified access token names, never a field of the request. */
function actorOf(context: HandlerContext): Actor {
  const caller = rpcCallerOf(context);
  return {
    subject: caller.subject,
    subjectType: caller.kind,
    orgId: caller.orgId,
    role: caller.role,
    scopes: caller.scopes.filter(isScope),
    tier: caller.tier,
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
