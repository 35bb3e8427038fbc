import type { NotificationPayload } from './delivery.js';

/** A short human text of an event, for email subjects and bodies and SMS. */
export function describeEvent({ type, data }: NotificationPayload): { subject: string; text: string } {
  const field = (name: string) => (typeof data[name] === 'string' ? (data[name] as string) : '');
  switch (type) {
    case 'fiscal.invoice.archived':
      return {
        subject: `Invoice ${field('uuid')} archived`,
        text: `Invoice ${field('uuid')} from ${field('issuer')} for ${field('amount')} ${field('currency')} was validated and archived.`,
      };
    case 'fiscal.invoice.rejected':
      return {
        subject: `Invoice ${field('uuid')} rejected`,
        text: `Invoice ${field('uuid')} was rejected: ${field('reason')}.`,
      };
    case 'auth.user.created':
      return {
        subject: 'New user in your organisation',
        text: `User ${field('userId')} was created with the role ${field('role')}.`,
      };
    default:
      return { subject: type, text: `${type}: ${JSON.stringify(data)}` };
  }
}
