import { create } from '@bufbuild/protobuf';
import type { ConnectRouter } from '@connectrpc/connect';
import { DeliverySchema, NotificationService, WebhookSchema } from '@fiscal/contracts/rpc/notification';
import { rpcCallerOf } from '@fiscal/kit/auth';
import type { CreatedSubscription } from '../app/manage-subscriptions.js';
import type { Delivery, Subscription, SubscriptionRequest } from '../domain/index.js';

export interface NotificationRpcHandlers {
  create(orgId: string, request: SubscriptionRequest): Promise<CreatedSubscription>;
  list(orgId: string): Promise<Subscription[]>;
  delete(orgId: string, id: string): Promise<void>;
  deliveries(
    orgId: string,
    subscriptionId: string,
    page: { limit?: number; cursor?: string },
  ): Promise<{ deliveries: Delivery[]; nextCursor: string | undefined }>;
}

/** gRPC edge of the notification service: subscriptions of the verified caller's organisation (admins). */
export function registerNotificationRpc(router: ConnectRouter, handlers: NotificationRpcHandlers): void {
  router.service(NotificationService, {
    async createWebhook(request, context) {
      const { orgId } = rpcCallerOf(context, 'admin');
      const { subscription, secret } = await handlers.create(orgId, {
        url: request.url,
        events: request.events,
      });
      return { webhook: toWebhookMessage(subscription), secret: secret ?? '' };
    },
    async listWebhooks(_request, context) {
      const { orgId } = rpcCallerOf(context, 'admin');
      const subscriptions = await handlers.list(orgId);
      return { webhooks: subscriptions.map(toWebhookMessage) };
    },
    async deleteWebhook(request, context) {
      const { orgId } = rpcCallerOf(context, 'admin');
      await handlers.delete(orgId, request.id);
      return {};
    },
    async listDeliveries(request, context) {
      const { orgId } = rpcCallerOf(context, 'admin');
      const page = await handlers.deliveries(orgId, request.webhookId, {
        limit: request.limit,
        ...(request.cursor ? { cursor: request.cursor } : {}),
      });
      return {
        deliveries: page.deliveries.map(toDeliveryMessage),
        ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
      };
    },
  });
}

function toWebhookMessage(subscription: Subscription) {
  return create(WebhookSchema, {
    id: subscription.id,
    orgId: subscription.orgId,
    url: subscription.url,
    events: subscription.events,
    status: subscription.status,
    createdAt: subscription.createdAt,
    channel: subscription.channel,
  });
}

function toDeliveryMessage(delivery: Delivery) {
  return create(DeliverySchema, {
    id: delivery.id,
    eventId: delivery.eventId,
    eventType: delivery.eventType,
    status: delivery.status,
    attempts: delivery.attempts,
    lastStatusCode: delivery.lastStatusCode ?? undefined,
    lastError: delivery.lastError ?? undefined,
    updatedAt: delivery.updatedAt,
    attemptLog: delivery.attemptLog.map((attempt) => ({
      attempt: attempt.attempt,
      attemptedAt: attempt.attemptedAt,
      statusCode: attempt.statusCode ?? undefined,
      error: attempt.error ?? undefined,
      durationMs: attempt.durationMs,
    })),
  });
}
