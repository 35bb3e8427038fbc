import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifySchema } from 'fastify';

export interface OpenApiOptions {
  version: string;
  /** Routes that need no credentials: documented without the bearer requirement. */
  anonymousRoutePrefixes: readonly string[];
}

export const docsPrefix = '/docs';
const wellKnown = '/.well-known/';
const publicPrefixes = ['/api/', wellKnown];

/** RFC 9457 problem details, as every error of the API is answered. */
const Problem = Type.Object({
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
});

/**
 * OpenAPI 3.1 of the public API, built from the routes' TypeBox schemas as they are registered,
 * so every route file registered after this (in any plugin) is documented without a list to keep
 * up to date. The document is at `/docs/json`, the browsable UI at `/docs`, its assets served from
 * the package itself (no CDN). Register before any route.
 */
export function registerOpenApi(app: FastifyInstance, options: OpenApiOptions): void {
  // The signing keys are public too: anyone verifies tokens with them.
  const isAnonymous = (url: string) =>
    url.includes(wellKnown) || options.anonymousRoutePrefixes.some((prefix) => url.startsWith(prefix));
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
      },
      components: {
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
    transform: ({ schema, url }) => {
      const documented: FastifySchema & Record<string, unknown> = { ...schema };
      if (!publicPrefixes.some((prefix) => url.startsWith(prefix))) documented.hide = true;
      if (isAnonymous(url)) documented.security = [];
      documented.tags ??= [tagOf(url)];
      documented.response = {
        default: {
          description: 'An error, as problem+json',
          content: { 'application/problem+json': { schema: Problem } },
        },
        ...(schema?.response as Record<string, unknown> | undefined),
      };
      return { schema: documented, url };
    },
  });
  app.register(swaggerUi, { routePrefix: docsPrefix });
}

/** `/api/v1/invoices/:id/timeline` is tagged `invoices`; the signing keys belong with `auth`. */
function tagOf(url: string): string {
  if (url.includes(wellKnown)) return 'auth';
  const [, , , resource] = url.split('/');
  return resource || 'api';
}
