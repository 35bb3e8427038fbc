import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Webhooks } from '../app/webhooks.js';
import { requesterOf } from './authentication.js';

export interface WebhookRoutesDependencies {
  webhooks: Webhooks;
}

const WebhookBody = Type.Object(
  {
    url: Type.String({
      minLength: 1,
      maxLength: 2048,
      description: 'https:/http: for a webhook, mailto: for email, tel: (E.164) for SMS',
    }),
    events: Type.Array(Type.String({ maxLength: 128 }), { minItems: 1, maxItems: 20, uniqueItems: true }),
  },
  { additionalProperties: false },
);
type WebhookBody = Static<typeof WebhookBody>;

const WebhookIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
type WebhookIdParams = Static<typeof WebhookIdParams>;

const DeliveriesQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  cursor: Type.Optional(Type.String({ maxLength: 256 })),
});
type DeliveriesQuery = Static<typeof DeliveriesQuery>;

const WebhookView = Type.Object({
  id: Type.String(),
  url: Type.String(),
  channel: Type.String(),
  events: Type.Array(Type.String()),
  status: Type.String(),
  createdAt: Type.String(),
});
const CreatedWebhook = Type.Composite([
  WebhookView,
  Type.Object({ secret: Type.Union([Type.String(), Type.Null()], { description: 'Shown once' }) }),
]);
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);
const DeliveryPage = Type.Object({
  items: Type.Array(
    Type.Object({
      id: Type.String({ description: 'Also the webhook-id header, the same on every retry' }),
      eventId: Type.String(),
      eventType: Type.String(),
      status: Type.String(),
      attempts: Type.Integer(),
      lastStatusCode: Nullable(Type.Integer()),
      lastError: Nullable(Type.String()),
      updatedAt: Type.String(),
      attemptLog: Type.Array(
        Type.Object({
          attempt: Type.Integer(),
          attemptedAt: Type.String(),
          statusCode: Nullable(Type.Integer()),
          error: Nullable(Type.String()),
          durationMs: Type.Integer(),
        }),
      ),
    }),
  ),
  nextCursor: Nullable(Type.String()),
});

/** `/api/v1/webhooks`: an organisation's notification subscriptions (admin scope) and their delivery log. */
export function registerWebhookRoutes(app: FastifyInstance, { webhooks }: WebhookRoutesDependencies): void {
  app.post<{ Body: WebhookBody }>(
    '/api/v1/webhooks',
    {
      config: { scope: 'admin', problems: ['conflict'] },
      schema: {
        operationId: 'createWebhook',
        summary: 'Subscribe a URL to invoice events; the signing secret is shown once',
        body: WebhookBody,
        response: { 201: CreatedWebhook },
      },
    },
    async (request, reply) => {
      const requester = requesterOf(request);
      const created = await webhooks.create(requester, request.body);
      return reply.code(201).header('location', `/api/v1/webhooks/${created.id}`).send(created);
    },
  );

  app.get(
    '/api/v1/webhooks',
    {
      config: { scope: 'admin' },
      schema: {
        operationId: 'listWebhooks',
        summary: "List the organisation's webhooks",
        response: { 200: Type.Object({ items: Type.Array(WebhookView) }) },
      },
    },
    async (request) => {
      const requester = requesterOf(request);
      return { items: await webhooks.list(requester) };
    },
  );

  app.delete<{ Params: WebhookIdParams }>(
    '/api/v1/webhooks/:id',
    {
      config: { scope: 'admin' },
      schema: {
        operationId: 'deleteWebhook',
        summary: 'Delete a webhook',
        params: WebhookIdParams,
        response: { 204: { type: 'null', description: 'Deleted' } },
      },
    },
    async (request, reply) => {
      const requester = requesterOf(request);
      await webhooks.delete(requester, request.params.id);
      return reply.code(204).send();
    },
  );

  app.get<{ Params: WebhookIdParams; Querystring: DeliveriesQuery }>(
    '/api/v1/webhooks/:id/deliveries',
    {
      config: { scope: 'admin' },
      schema: {
        operationId: 'listWebhookDeliveries',
        summary: "A webhook's deliveries, newest first, with their attempts and outcome",
        params: WebhookIdParams,
        querystring: DeliveriesQuery,
        response: { 200: DeliveryPage },
      },
    },
    async (request) => {
      const requester = requesterOf(request);
      const { limit, cursor } = request.query;
      return webhooks.deliveries(requester, request.params.id, {
        ...(limit === undefined ? {} : { limit }),
        ...(cursor === undefined ? {} : { cursor }),
      });
    },
  );
}
