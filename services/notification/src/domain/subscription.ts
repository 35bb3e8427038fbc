import { AppError, type FieldProblem } from '@fiscal/kit/errors';
import { type AllowList, isForbiddenAddress } from '@fiscal/kit/net';

export type Channel = 'webhook' | 'email' | 'sms';

export type SubscriptionStatus = 'active' | 'disabled';

/**
 * An organisation's wish to hear about some events at one target. The target's URL scheme names the
 * channel: `https:`/`http:` a webhook, `mailto:` an email address, `tel:` a phone number for SMS.
 */
export interface Subscription {
  id: string;
  orgId: string;
  channel: Channel;
  /** The URL as given: `https://erp.example/hooks`, `mailto:ops@example.com`, `tel:+525512345678`. */
  url: string;
  events: string[];
  status: SubscriptionStatus;
  /** Deliveries dead-lettered since the last one that landed (see `recordDeadLetter`). */
  consecutiveDeadLetters: number;
  /** Starts at 1, +1 when the status changes; the sequence of the events the subscription raises. */
  version: number;
  createdAt: string;
}

/** The events an organisation may subscribe to; each is about one tenant's own data. */
export const notifiableEventTypes = [
  'fiscal.invoice.archived',
  'fiscal.invoice.rejected',
  'auth.user.created',
] as const;

/** Subscriptions one organisation may hold, so a client cannot grow them (and each event's fan-out) without end. */
export const maxSubscriptionsPerOrganisation = 50;

const maxUrlLength = 2_048;
const emailPattern = /^[^\s@<>(),;:"]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,63}$/;
/** E.164: a plus, a country code and at most 15 digits in all. */
const phonePattern = /^\+[1-9]\d{6,14}$/;

export interface SubscriptionRequest {
  url: string;
  events: readonly string[];
}

/**
 * Checks a new subscription and tells its channel. A webhook to an IP literal or name that is
 * obviously internal is refused here, with the field; names that resolve inside are refused at
 * delivery time, where the address actually connected to is judged.
 */
export function checkSubscriptionRequest(request: SubscriptionRequest, allowed: AllowList): Channel {
  const problems: FieldProblem[] = [];
  const channel = checkUrl(request.url, allowed, problems);
  checkEvents(request.events, problems);
  if (problems.length > 0 || channel === undefined) {
    throw new AppError('invalid', 'invalid_subscription', 'The subscription is not valid.', {
      errors: problems,
    });
  }
  return channel;
}

function checkUrl(raw: string, allowed: AllowList, problems: FieldProblem[]): Channel | undefined {
  const refuse = (code: string, message: string) => {
    problems.push({ field: '/url', code, message });
    return undefined;
  };
  if (raw.length > maxUrlLength) return refuse('too_long', `At most ${maxUrlLength} characters.`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refuse('invalid_url', 'Not a valid URL.');
  }
  switch (url.protocol) {
    case 'http:':
    case 'https:': {
      if (allowed.allows(url)) return 'webhook';
      const host = url.hostname.toLowerCase();
      if (isForbiddenAddress(host) || host === 'localhost' || host.endsWith('.localhost')) {
        return refuse('forbidden_address', 'Private, loopback and link-local addresses are not allowed.');
      }
      return 'webhook';
    }
    case 'mailto:':
      return emailPattern.test(decodeURIComponent(url.pathname))
        ? 'email'
        : refuse('invalid_email', 'mailto: must name one email address.');
    case 'tel:':
      return phonePattern.test(url.pathname)
        ? 'sms'
        : refuse('invalid_phone', 'tel: must be a phone number in E.164 form, e.g. tel:+525512345678.');
    default:
      return refuse('unsupported_scheme', 'Use https:, http:, mailto: or tel:.');
  }
}

function checkEvents(events: readonly string[], problems: FieldProblem[]): void {
  if (events.length === 0) {
    problems.push({ field: '/events', code: 'required', message: 'Name at least one event type.' });
  }
  events.forEach((type, index) => {
    if (!(notifiableEventTypes as readonly string[]).includes(type)) {
      problems.push({
        field: `/events/${index}`,
        code: 'unknown_event_type',
        message: `One of ${notifiableEventTypes.join(', ')}.`,
      });
    }
  });
}

/** Where an email or SMS goes: the address or number after the scheme. */
export function recipientOf(url: string): string {
  return decodeURIComponent(new URL(url).pathname);
}
