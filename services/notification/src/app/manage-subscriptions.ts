import type { AllowList } from '@fiscal/kit/net';
import {
  checkSubscriptionRequest,
  InvalidCursor,
  type NotificationStore,
  newSigningSecret,
  type Subscription,
  SubscriptionNotFound,
  type SubscriptionRequest,
} from '../domain/index.js';

export interface CreatedSubscription {
  subscription: Subscription;
  /** Webhooks only, and shown this once. */
  secret: string | null;
}

export function createSubscriptionHandler(store: NotificationStore, allowed: AllowList) {
  return async (orgId: string, request: SubscriptionRequest): Promise<CreatedSubscription> => {
    const channel = checkSubscriptionRequest(request, allowed);
    const secret = channel === 'webhook' ? newSigningSecret() : null;
    const subscription = await store.createSubscription({
      orgId,
      channel,
      url: request.url,
      events: [...new Set(request.events)],
      secret,
    });
    return { subscription, secret };
  };
}

export function deleteSubscriptionHandler(store: NotificationStore) {
  return async (orgId: string, id: string): Promise<void> => {
    if (!(await store.deleteSubscription(orgId, id))) throw new SubscriptionNotFound(id);
  };
}

const defaultPageSize = 50;
const maxPageSize = 100;

/** The delivery log of one subscription, newest first, a page at a time (keyset on the delivery id). */
export function listDeliveriesHandler(store: NotificationStore) {
  return async (orgId: string, subscriptionId: string, page: { limit?: number; cursor?: string }) => {
    const limit = Math.min(Math.max(page.limit || defaultPageSize, 1), maxPageSize);
    const beforeId = page.cursor ? decodeCursor(page.cursor) : undefined;
    const deliveries = await store.listDeliveries(orgId, subscriptionId, { limit: limit + 1, beforeId });
    if (!deliveries) throw new SubscriptionNotFound(subscriptionId);
    const items = deliveries.slice(0, limit);
    const last = items.at(-1);
    const nextCursor = deliveries.length > limit && last ? encodeCursor(last.id) : undefined;
    return { deliveries: items, nextCursor };
  };
}

function encodeCursor(id: string): string {
  return Buffer.from(id, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): string {
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^[0-9a-f-]{36}$/.test(id)) throw new InvalidCursor();
  return id;
}
