import { type Static, Type } from '@sinclair/typebox';
import { Identifier, Timestamp } from './formats.js';

export const NotificationEventTypes = {
  subscriptionDisabled: 'notification.subscription.disabled',
} as const;

/**
 * A subscription stopped receiving events because its deliveries kept being dead-lettered. The
 * target is not included: a URL's path and query can be credentials.
 */
export const SubscriptionDisabledV1 = Type.Object({
  subscriptionId: Identifier,
  orgId: Identifier,
  channel: Type.Union([Type.Literal('webhook'), Type.Literal('email'), Type.Literal('sms')]),
  reason: Type.Literal('consecutive_dead_letters'),
  deadLetteredDeliveries: Type.Integer({ minimum: 1 }),
  disabledAt: Timestamp,
});
export type SubscriptionDisabledData = Static<typeof SubscriptionDisabledV1>;
