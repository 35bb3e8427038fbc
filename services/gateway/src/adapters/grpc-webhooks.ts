import { createClient, type Transport } from '@connectrpc/connect';
import { type Delivery, NotificationService, type Webhook } from '@fiscal/contracts/rpc/notification';
import type { Policy } from '@fiscal/kit/resilience';
import type { DeliveryView, Webhooks, WebhookView } from '../app/webhooks.js';
import { callUpstream } from './call-upstream.js';

/** The notification service's subscriptions over gRPC, behind the upstream's breaker and bulkhead. */
export function createGrpcWebhooks(transport: Transport, policy: Policy): Webhooks {
  const client = createClient(NotificationService, transport);
  return {
    async create(requester, { url, events }) {
      const { webhook, secret } = await callUpstream(policy, requester, (options) =>
        client.createWebhook({ url, events: [...events] }, options),
      );
      return { ...toWebhookView(webhook!), secret: secret || null };
    },
    async list(requester) {
      const { webhooks } = await callUpstream(policy, requester, (options) =>
        client.listWebhooks({}, options),
      );
      return webhooks.map(toWebhookView);
    },
    async delete(requester, id) {
      await callUpstream(policy, requester, (options) => client.deleteWebhook({ id }, options));
    },
    async deliveries(requester, id, { limit, cursor }) {
      const page = await callUpstream(policy, requester, (options) =>
        client.listDeliveries({ webhookId: id, limit: limit ?? 0, cursor }, options),
      );
      return { items: page.deliveries.map(toDeliveryView), nextCursor: page.nextCursor ?? null };
    },
  };
}

function toWebhookView(webhook: Webhook): WebhookView {
  return {
    id: webhook.id,
    url: webhook.url,
    channel: webhook.channel,
    events: [...webhook.events],
    status: webhook.status,
    createdAt: webhook.createdAt,
  };
}

function toDeliveryView(delivery: Delivery): DeliveryView {
  return {
    id: delivery.id,
    eventId: delivery.eventId,
    eventType: delivery.eventType,
    status: delivery.status,
    attempts: delivery.attempts,
    lastStatusCode: delivery.lastStatusCode ?? null,
    lastError: delivery.lastError ?? null,
    updatedAt: delivery.updatedAt,
    attemptLog: delivery.attemptLog.map((attempt) => ({
      attempt: attempt.attempt,
      attemptedAt: attempt.attemptedAt,
      statusCode: attempt.statusCode ?? null,
      error: attempt.error ?? null,
      durationMs: attempt.durationMs,
    })),
  };
}
