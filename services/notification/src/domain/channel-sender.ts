import type { ClaimedDelivery } from './delivery.js';

/** Sends one delivery over its channel; throws `DeliveryFailure` (or any error) when it did not land. */
export interface ChannelSender {
  send(delivery: ClaimedDelivery, signal: AbortSignal): Promise<{ statusCode: number | null }>;
}

/**
 * A delivery the other side did not take. `statusCode` is the receiver's answer when there was one;
 * `status` mirrors it for the resilience policy, which treats 5xx and 429 as worth a breaker's notice.
 */
export class DeliveryFailure extends Error {
  readonly status: number | undefined;
  readonly detail: string | undefined;

  /**
   * `message` is what the tenant reads in its delivery log: general terms only. `detail` (an
   * address, a resolver's or a mail server's words) goes to the operators' log, never to the tenant.
   */
  constructor(
    message: string,
    readonly statusCode: number | null,
    options?: { cause?: unknown; detail?: string },
  ) {
    super(message, options);
    this.detail = options?.detail;
    this.name = 'DeliveryFailure';
    this.status = statusCode ?? undefined;
  }
}

/** Port of the SMS channel: an SMS gateway's API. */
export interface SmsProvider {
  send(to: string, text: string, signal?: AbortSignal): Promise<void>;
}
