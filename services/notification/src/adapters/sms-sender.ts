import {
  type ChannelSender,
  describeEvent,
  type NotificationPayload,
  recipientOf,
  type SmsProvider,
} from '../domain/index.js';

/** Texts a delivery's event, in a few words, to the subscription's `tel:` number. */
export function createSmsSender(provider: SmsProvider): ChannelSender {
  return {
    async send(delivery, signal) {
      const payload = JSON.parse(delivery.payload) as NotificationPayload;
      const { text } = describeEvent(payload);
      await provider.send(recipientOf(delivery.url), text, signal);
      return { statusCode: null };
    },
  };
}
