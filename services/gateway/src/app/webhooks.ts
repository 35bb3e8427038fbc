import type { Requester } from './caller.js';

/** What the gateway needs from the notification service (subscriptions and their delivery log). */
export interface Webhooks {
  create(requester: Requester, request: { url: string; events: readonly string[] }): Promise<CreatedWebhook>;
  list(requester: Requester): Promise<WebhookView[]>;
  delete(requester: Requester, id: string): Promise<void>;
  deliveries(
    requester: Requester,
    id: string,
    page: { limit?: number; cursor?: string },
  ): Promise<DeliveryPage>;
}

export interface WebhookView {
  id: string;
  url: string;
  /** webhook | email | sms, from the url's scheme. */
  channel: string;
  events: string[];
  status: string;
  createdAt: string;
}

export interface CreatedWebhook extends WebhookView {
  /** `whsec_...`, shown once; null for email and SMS. */
  secret: string | null;
}

export interface DeliveryAttemptView {
  attempt: number;
  attemptedAt: string;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

export interface DeliveryView {
  id: string;
  eventId: string;
  eventType: string;
  status: string;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  updatedAt: string;
  attemptLog: DeliveryAttemptView[];
}

export interface DeliveryPage {
  items: DeliveryView[];
  nextCursor: string | null;
}
