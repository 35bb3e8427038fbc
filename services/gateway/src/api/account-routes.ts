import { AppError } from '@fiscal/kit/errors';
import type { FastifyInstance } from 'fastify';
import type { Caller } from '../app/caller.js';
import type { Identity } from '../app/identity.js';
import type { CallerOf } from './caller-of.js';
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
  callerOf: CallerOf;
  /** Told after an API key is revoked, so keys verified earlier are asked about again. */
  onApiKeyRevoked: (keyId: string) => Promise<void>;
}

/** Users and API keys of an organisation (its admins), and organisations (platform administrators). */
export function registerAccountRoutes(app: FastifyInstance, dependencies: AccountRoutesDependencies): void {
  const { identity, callerOf, onApiKeyRevoked } = dependencies;

  app.post<{ Body: CreateUserBody }>(
    '/api/v1/users',
    { schema: { body: CreateUserBody, response: { 201: User } } },
    async (request, reply) => {
      const caller = await callerOf(request, 'admin');
      const { orgId, ...user } = request.body;
      const created = await identity.createUser(caller, organizationFor(caller, orgId), user);
      return reply.code(201).send(created);
    },
  );

  app.get<{ Querystring: OrgIdQuery }>(
    '/api/v1/users',
    { schema: { querystring: OrgIdQuery, response: { 200: listOf(User) } } },
    async (request) => {
      const caller = await callerOf(request, 'admin');
      return { items: await identity.listUsers(caller, organizationFor(caller, request.query.orgId)) };
    },
  );

  app.post<{ Body: CreateApiKeyBody }>(
    '/api/v1/api-keys',
    { schema: { body: CreateApiKeyBody, response: { 201: CreatedApiKey } } },
    async (request, reply) => {
      const caller = await callerOf(request, 'admin');
      const missing = request.body.scopes.findIndex((scope) => !caller.scopes.includes(scope));
      if (missing >= 0) {
        // A key never does more than the one who made it.
        throw new AppError(
          'forbidden',
          'scope_not_held',
          'An API key cannot have a scope its creator lacks.',
          {
            errors: [
              { field: `/scopes/${missing}`, code: 'scope_not_held', message: 'is not a scope you hold' },
            ],
          },
        );
      }
      const { apiKey, secret } = await identity.createApiKey(caller, caller.orgId, request.body);
      return reply.code(201).send({ ...apiKey, secret });
    },
  );

  app.get('/api/v1/api-keys', { schema: { response: { 200: listOf(ApiKey) } } }, async (request) => {
    const caller = await callerOf(request, 'admin');
    return { items: await identity.listApiKeys(caller, caller.orgId) };
  });

  app.delete<{ Params: ApiKeyIdParams }>(
    '/api/v1/api-keys/:id',
    { schema: { params: ApiKeyIdParams } },
    async (request, reply) => {
      const caller = await callerOf(request, 'admin');
      await identity.revokeApiKey(caller, caller.orgId, request.params.id);
      await onApiKeyRevoked(request.params.id);
      return reply.code(204).send();
    },
  );

  app.post<{ Body: CreateOrganizationBody }>(
    '/api/v1/orgs',
    { schema: { body: CreateOrganizationBody, response: { 201: Organization } } },
    async (request, reply) => {
      const caller = requirePlatformAdmin(await callerOf(request, 'admin'));
      const { name, tier = 'free' } = request.body;
      return reply.code(201).send(await identity.createOrganization(caller, name, tier));
    },
  );

  app.get('/api/v1/orgs', { schema: { response: { 200: listOf(Organization) } } }, async (request) => {
    const caller = requirePlatformAdmin(await callerOf(request, 'admin'));
    return { items: await identity.listOrganizations(caller) };
  });
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
