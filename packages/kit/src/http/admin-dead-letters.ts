import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { DeadLetters } from '../events/index.js';

const GroupParams = Type.Object({ group: Type.String({ pattern: '^[A-Za-z0-9._-]{1,128}$' }) });
const ListQuery = Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000 })) });
const Selection = Type.Union([
  Type.Object({ ids: Type.Optional(Type.Array(Type.String(), { maxItems: 10_000 })) }),
  Type.Null(),
]);

/**
 * Operators' handle on what kept failing, per consumer group: list and inspect dead letters,
 * redrive them (their trace context intact) or purge them. On the admin port, which is never
 * exposed publicly; `fiscal dlq` is its command-line client.
 */
export function registerDeadLetterRoutes(
  app: FastifyInstance,
  deadLetters: () => DeadLetters | undefined,
): void {
  const available = () => {
    const port = deadLetters();
    if (!port) throw Object.assign(new Error('the event bus is not started yet'), { statusCode: 503 });
    return port;
  };

  app.get<{ Params: { group: string }; Querystring: { limit?: number } }>(
    '/dead-letters/:group',
    { schema: { params: GroupParams, querystring: ListQuery } },
    async (request) => ({
      group: request.params.group,
      deadLetters: await available().list(request.params.group, { limit: request.query.limit ?? 100 }),
    }),
  );

  app.post<{ Params: { group: string }; Body: { ids?: string[] } | null }>(
    '/dead-letters/:group/redrive',
    { schema: { params: GroupParams, body: Selection } },
    async (request) => ({ redriven: await available().redrive(request.params.group, request.body?.ids) }),
  );

  app.post<{ Params: { group: string }; Body: { ids?: string[] } | null }>(
    '/dead-letters/:group/purge',
    { schema: { params: GroupParams, body: Selection } },
    async (request) => ({ purged: await available().purge(request.params.group, request.body?.ids) }),
  );
}
