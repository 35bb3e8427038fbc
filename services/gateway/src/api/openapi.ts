import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { type ErrorKind, statusByKind, titleByKind } from '@fiscal/kit/errors';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifySchema, RouteOptions } from 'fastify';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Problems a route answers beyond those its shape implies (see `problemsOf`), for its OpenAPI
     * operation: e.g. `conflict` where a state or a uniqueness rule can refuse it.
     */
    problems?: readonly ErrorKind[];
  }
}

export interface OpenApiOptions {
  version: string;
  /** Routes that need no credentials: documented without the bearer requirement. */
  anonymousRoutePrefixes: readonly string[];
}

export const docsPrefix = '/docs';
const wellKnown = '/.well-known/';
const publicPrefixes = ['/api/', wellKnown];

/** RFC 9457 problem details, as every error of the API is answered. */
const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.String({ description: 'Stable, machine-readable reason, e.g. `rate_limited`' }),
    instance: Type.Optional(Type.String()),
    errors: Type.Optional(
      Type.Array(
        Type.Object({
          field: Type.String({ description: 'JSON pointer of the offending input, e.g. `/amount`' }),
          code: Type.String(),
          message: Type.String(),
        }),
      ),
    ),
  },
  { title: 'Problem' },
);

const tags = [
  { name: 'auth', description: 'Log in, refresh and log out; the keys that verify access tokens.' },
  {
    name: 'invoices',
    description: 'Submit invoices, follow their processing, read them and their documents.',
  },
  { name: 'reports', description: 'Totals per day, from the analytics read model.' },
  { name: 'webhooks', description: 'Subscriptions to invoice events, and their deliveries.' },
  { name: 'users', description: "The users of an organisation (its administrators')." },
  { name: 'api-keys', description: 'API keys of an organisation, for machine clients.' },
  { name: 'orgs', description: 'Organisations (platform administrators).' },
];

/** On `429 rate_limited` and `503 unavailable`; written as a schema, which the generator wraps. */
const retryAfter = {
  'Retry-After': { type: 'integer', description: 'Seconds to wait before trying again' },
};

/**
 * OpenAPI 3.1 of the public API, built from the routes' TypeBox schemas as they are registered,
 * so every route file registered after this (in any plugin) is documented without a list to keep
 * up to date. Each route names its operation (`operationId`, `summary` in its schema); the problem
 * responses it can give are derived from its shape and `config.problems`. The document is at
 * `/docs/json`, the browsable UI at `/docs`, its assets served from the package itself (no CDN).
 * Register before any route.
 */
export function registerOpenApi(app: FastifyInstance, options: OpenApiOptions): void {
  // The signing keys are public too: anyone verifies tokens with them.
  const isAnonymous = (url: string) =>
    url.includes(wellKnown) || options.anonymousRoutePrefixes.some((prefix) => url.startsWith(prefix));
  // Anonymous routes other than the key set are charged per client address (`installRateLimits`).
  const isCharged = (url: string) => !url.includes(wellKnown);
  app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Fiscal API',
        version: options.version,
        description:
          'Submit, follow and read fiscal invoices (CFDI 4.0). Errors are RFC 9457 problem+json with a stable `code`; ' +
          'responses carry `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`, and `429 rate_limited` ' +
          'carries `Retry-After`.',
        license: { name: 'MIT', url: 'https://opensource.org/license/mit' },
      },
      // Relative: the API answers where this document is served, behind whatever host and proxy.
      servers: [{ url: '/', description: 'The gateway serving this document' }],
      tags,
      components: {
        schemas: { Problem },
        securitySchemes: {
          bearerAuth: {
            type: 'http',
            scheme: 'bearer',
            bearerFormat: 'JWT',
            description: 'An access token from `POST /api/v1/auth/login`, or an API key.',
          },
        },
      },
      security: [{ bearerAuth: [] }],
    },
    transform: ({ schema, url, route }) => {
      const documented: FastifySchema & Record<string, unknown> = { ...schema };
      if (!publicPrefixes.some((prefix) => url.startsWith(prefix))) documented.hide = true;
      const anonymous = isAnonymous(url);
      if (anonymous) documented.security = [];
      documented.tags ??= [tagOf(url)];
      const problems = problemsOf(route, { anonymous, charged: isCharged(url) });
      documented.response = {
        ...(schema?.response as Record<string, unknown> | undefined),
        ...Object.fromEntries(problems.map((kind) => [statusByKind[kind], problemResponse(kind)])),
        default: problemResponse('internal', 'Any other error, as problem+json'),
      };
      return { schema: documented, url };
    },
  });
  app.register(swaggerUi, { routePrefix: docsPrefix });
}

/**
 * The problems a route can answer, from its shape: input it validates (400), credentials and a
 * scope it checks (401, 403), an invoice or key it looks up by id (404), a body it parses (413,
 * 415), the quota it charges (429), an upstream behind a breaker (503); and what it declares.
 */
function problemsOf(
  route: RouteOptions | undefined,
  { anonymous, charged }: { anonymous: boolean; charged: boolean },
): ErrorKind[] {
  const schema = route?.schema ?? {};
  const kinds = new Set<ErrorKind>(route?.config?.problems ?? []);
  if (schema.body || schema.querystring || schema.params || schema.headers) kinds.add('invalid');
  if (!anonymous) kinds.add('unauthenticated').add('forbidden');
  if (route?.url.includes('/:id')) kinds.add('not_found');
  if (schema.body) kinds.add('payload_too_large').add('unsupported_media_type');
  if (charged) kinds.add('rate_limited');
  kinds.add('unavailable');
  return [...kinds].sort((left, right) => statusByKind[left] - statusByKind[right]);
}

function problemResponse(kind: ErrorKind, description = titleByKind[kind]) {
  return {
    description,
    ...(kind === 'rate_limited' || kind === 'unavailable' ? { headers: retryAfter } : {}),
    content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
  };
}

/** `/api/v1/invoices/:id/timeline` is tagged `invoices`; the signing keys belong with `auth`. */
function tagOf(url: string): string {
  if (url.includes(wellKnown)) return 'auth';
  const [, , , resource] = url.split('/');
  return resource || 'api';
}
