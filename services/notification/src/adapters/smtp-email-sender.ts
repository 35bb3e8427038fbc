import nodemailer from 'nodemailer';
import {
  type ChannelSender,
  DeliveryFailure,
  describeEvent,
  type NotificationPayload,
  recipientOf,
} from '../domain/index.js';

export interface SmtpEmailSenderOptions {
  /** `FISCAL_SMTP_URL`: `smtp://user:pass@host:587`, `smtps://host:465`. */
  smtpUrl: string;
  /** `FISCAL_EMAIL_FROM`. */
  from: string;
}

export interface SmtpEmailSender extends ChannelSender {
  close(): void;
}

/** Emails a delivery's event, in words, to the subscription's `mailto:` address. */
export function createSmtpEmailSender(options: SmtpEmailSenderOptions): SmtpEmailSender {
  const transport = nodemailer.createTransport(options.smtpUrl);
  return {
    async send(delivery) {
      const payload = JSON.parse(delivery.payload) as NotificationPayload;
      const { subject, text } = describeEvent(payload);
      try {
        await transport.sendMail({
          from: options.from,
          to: recipientOf(delivery.url),
          subject,
          text,
          headers: { 'x-fiscal-delivery-id': delivery.id },
        });
      } catch (error) {
        const responseCode = (error as { responseCode?: unknown }).responseCode;
        // SMTP 4xx says "later" (like HTTP 5xx); 5xx says "never" (like HTTP 4xx).
        const status = typeof responseCode === 'number' ? (responseCode >= 500 ? 400 : 503) : null;
        // The mail server's words (host names, addresses) are for the operators' log only.
        const told =
          typeof responseCode === 'number'
            ? `the mail server answered ${responseCode}`
            : 'no mail server answered';
        throw new DeliveryFailure(`smtp: ${told}`, status, {
          cause: error,
          detail: (error as Error).message,
        });
      }
      return { statusCode: null };
    },
    close: () => transport.close(),
  };
}
