export { type ChannelSender, DeliveryFailure, type SmsProvider } from './channel-sender.js';
export type {
  ClaimedDelivery,
  Delivery,
  DeliveryAttempt,
  DeliveryStatus,
  NotificationPayload,
} from './delivery.js';
export { InvalidCursor, SubscriptionLimitReached, SubscriptionNotFound } from './errors.js';
export { describeEvent } from './message-text.js';
export type {
  AttemptRecord,
  FanOut,
  NewSubscription,
  Notification,
  NotificationStore,
} from './notification-store.js';
export { type AttemptVerdict, standardRetrySchedule, verdictAfter } from './retry-schedule.js';
export { newSigningSecret, signWebhook } from './signature.js';
export {
  type Channel,
  checkSubscriptionRequest,
  maxSubscriptionsPerOrganisation,
  notifiableEventTypes,
  recipientOf,
  type Subscription,
  type SubscriptionRequest,
  type SubscriptionStatus,
} from './subscription.js';
export {
  type DeadLetterPolicy,
  recordDeadLetter,
  recordDelivered,
  type SubscriptionChange,
  type SubscriptionEvent,
} from './subscription-dead-letters.js';
