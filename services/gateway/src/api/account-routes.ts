import { AppError } from '@fiscal/kit/errors';
import type { FastifyInstance } from 'fastify';
import type { Caller } from '../app/caller.js';
import type { Identity } from '../app/identity.js';
import { requesterOf } from './authentication.js';
import {
  ApiKey,
  ApiKeyIdParams,
  CreateApiKeyBody,
  CreatedApiKey,
  CreateOrganizationBody,
  CreateUserBody,
  listOf,
  Organization,
  OrgIdQuery,
  User,
} from './identity-schemas.js';

export interface AccountRoutesDependencies {
  identity: Identity;
  /** Told after an API key is revoked, so keys verified earlier are asked about again. */
  onApiKeyRevoked: (keyId: string) => Promise<void>;
}

/** Users and API keys of an organisation (its admins), and organisations (platform administrators). */
export function registerAccountRoutes(app: FastifyInstance, dependencies: AccountRoutesDependencies): void {
  const { identity, onApiKeyRevoked } = dependencies;

  app.post<{ Body: CreateUserBody }>(
    '/api/v1/users',
    {
      config: { scope: 'admin', problems: ['conflict'] },
      schema: {
        operationId: 'createUser',
        summary: 'Add a user to an organisation',
        body: CreateUserBody,
        response: { 201: User },
      },
    },
    async (request, reply) => {
      const requester = requesterOf(request);
      const { orgId, ...user } = request.body;
      const created = await identity.createUser(requester, organizationFor(requester.caller, orgId), user);
      return reply.code(201).send(created);
    },
  );

  app.get<{ Querystring: OrgIdQuery }>(
    '/api/v1/users',
    {
      config: { scope: 'admin' },
      schema: {
        operationId: 'listUsers',
        summary: 'List the users of an organisation',
        querystring: OrgIdQuery,
        response: { 200: listOf(User) },
      },
    },
    async (request) => {
      const requester = requesterOf(request);
      const orgId = organizationFor(requester.caller, request.query.orgId);
      return { items: await identity.listUsers(requester, orgId) };
    },
  );

  app.post<{ Body: CreateApiKeyBody }>(
    '/api/v1/api-keys',
    {
      config: { scope: 'admin', problems: ['conflict'] },
      schema: {
        operationId: 'createApiKey',
        summary: 'Create an API key; its secret is shown once',
        body: CreateApiKeyBody,
        response: { 201: CreatedApiKey },
      },
    },
    async (request, reply) => {
      const requester = requesterOf(request);
      // The auth service decides what the requester may grant (never more than it holds).
      const { apiKey, secret } = await identity.createApiKey(requester, requester.caller.orgId, request.body);
      return reply.code(201).send({ ...apiKey, secret });
    },
  );

  app.get(
    '/api/v1/api-keys',
    {
      config: { scope: 'admin' },
      schema: {
        operationId: 'listApiKeys',
        summary: "List the organisation's API keys",
        response: { 200: listOf(ApiKey) },
      },
    },
    async (request) => {
      const requester = requesterOf(request);
      return { items: await identity.listApiKeys(requester, requester.caller.orgId) };
    },
  );

  app.delete<{ Params: ApiKeyIdParams }>(
    '/api/v1/api-keys/:id',
    {
      config: { scope: 'admin' },
      schema: {
        operationId: 'revokeApiKey',
        summary: 'Revoke an API key',
        params: ApiKeyIdParams,
        response: { 204: { type: 'null', description: 'Revoked' } },
      },
    },
    async (request, reply) => {
      const requester = requesterOf(request);
      await identity.revokeApiKey(requester, requester.caller.orgId, request.params.id);
      await onApiKeyRevoked(request.params.id);
      return reply.code(204).send();
    },
  );

  app.post<{ Body: CreateOrganizationBody }>(
    '/api/v1/orgs',
    {
      config: { scope: 'admin' },
      schema: {
        operationId: 'createOrganization',
        summary: 'Create an organisation',
        body: CreateOrganizationBody,
        response: { 201: Organization },
      },
    },
    async (request, reply) => {
      const requester = requesterOf(request);
      requirePlatformAdmin(requester.caller);
      const { name, tier = 'free' } = request.body;
      return reply.code(201).send(await identity.createOrganization(requester, name, tier));
    },
  );

  app.get(
    '/api/v1/orgs',
    {
      config: { scope: 'admin' },
      schema: {
        operationId: 'listOrganizations',
        summary: 'List organisations',
        response: { 200: listOf(Organization) },
      },
    },
    async (request) => {
      const requester = requesterOf(request);
      requirePlatformAdmin(requester.caller);
      return { items: await identity.listOrganizations(requester) };
    },
  );
}

/** The caller's own organisation, or another one for a platform administrator. */
function organizationFor(caller: Caller, requested: string | undefined): string {
  if (requested === undefined || requested === caller.orgId) return caller.orgId;
  if (caller.platformAdmin) return requested;
  throw new AppError(
    'forbidden',
    'organization_forbidden',
    'Only platform administrators act in another organisation.',
    {
      errors: [{ field: '/orgId', code: 'organization_forbidden', message: 'is not your organisation' }],
    },
  );
}

function requirePlatformAdmin(caller: Caller): Caller {
  if (!caller.platformAdmin) {
    throw new AppError(
      'forbidden',
      'platform_admin_required',
      'Only platform administrators manage organisations.',
    );
  }
  return caller;
}
