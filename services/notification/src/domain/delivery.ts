import type { Channel } from './subscription.js';

export type DeliveryStatus = 'pending' | 'delivered' | 'dead_lettered';

/** One event on its way to one subscription, and what became of it so far. */
export interface Delivery {
  /** Also the `webhook-id`: the same across retries, so receivers deduplicate on it. */
  id: string;
  subscriptionId: string;
  eventId: string;
  eventType: string;
  status: DeliveryStatus;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  updatedAt: string;
  attemptLog: DeliveryAttempt[];
}

export interface DeliveryAttempt {
  attempt: number;
  attemptedAt: string;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

/** A due delivery a dispatcher holds a lease on, with what sending it needs. */
export interface ClaimedDelivery {
  id: string;
  subscriptionId: string;
  orgId: string;
  channel: Channel;
  url: string;
  /** Webhooks only. */
  secret: string | null;
  eventType: string;
  /** The JSON body, fixed when the delivery was created, so every retry sends the same bytes. */
  payload: string;
  /** Attempts made before this one. */
  attempts: number;
}

/** The body every channel starts from: Standard Webhooks' `{type, timestamp, data}`. */
export interface NotificationPayload {
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
}
