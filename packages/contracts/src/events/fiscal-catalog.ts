import type { EventEnvelope } from '../envelope.js';
import type {
  KeyRotatedData,
  LoginFailedData,
  LoginSucceededData,
  TokenRevokedData,
  UserCreatedData,
} from './auth-events.js';
import {
  AuthEventTypes,
  KeyRotatedV1,
  LoginFailedV1,
  LoginSucceededV1,
  TokenRevokedV1,
  UserCreatedV1,
} from './auth-events.js';
import { createEventCatalog, type EventDefinition, type NewEvent } from './catalog.js';
import type {
  InvoiceArchivedData,
  InvoiceCreatedData,
  InvoiceFailedData,
  InvoiceProcessingStartedData,
  InvoiceRejectedData,
  InvoiceRequeuedData,
  InvoiceValidatedData,
} from './invoice-events.js';
import {
  InvoiceArchivedV1,
  InvoiceCreatedV1,
  InvoiceEventTypes,
  InvoiceFailedV1,
  InvoiceProcessingStartedV1,
  InvoiceRejectedV1,
  InvoiceRejectedV1_1,
  InvoiceRequeuedV1,
  InvoiceValidatedV1,
} from './invoice-events.js';
import {
  NotificationEventTypes,
  type SubscriptionDisabledData,
  SubscriptionDisabledV1,
} from './notification-events.js';

/** Every event Fiscal publishes, with every version it was ever published in. */
export const fiscalEventDefinitions: readonly EventDefinition[] = [
  { type: InvoiceEventTypes.created, versions: [{ version: '1.0', schema: InvoiceCreatedV1 }] },
  { type: InvoiceEventTypes.validated, versions: [{ version: '1.0', schema: InvoiceValidatedV1 }] },
  {
    type: InvoiceEventTypes.rejected,
    versions: [
      { version: '1.0', schema: InvoiceRejectedV1 },
      { version: '1.1', schema: InvoiceRejectedV1_1 },
    ],
  },
  { type: InvoiceEventTypes.archived, versions: [{ version: '1.0', schema: InvoiceArchivedV1 }] },
  {
    type: InvoiceEventTypes.processingStarted,
    versions: [{ version: '1.0', schema: InvoiceProcessingStartedV1 }],
  },
  { type: InvoiceEventTypes.failed, versions: [{ version: '1.0', schema: InvoiceFailedV1 }] },
  { type: InvoiceEventTypes.requeued, versions: [{ version: '1.0', schema: InvoiceRequeuedV1 }] },
  { type: AuthEventTypes.loginSucceeded, versions: [{ version: '1.0', schema: LoginSucceededV1 }] },
  { type: AuthEventTypes.loginFailed, versions: [{ version: '1.0', schema: LoginFailedV1 }] },
  { type: AuthEventTypes.userCreated, versions: [{ version: '1.0', schema: UserCreatedV1 }] },
  { type: AuthEventTypes.tokenRevoked, versions: [{ version: '1.0', schema: TokenRevokedV1 }] },
  { type: AuthEventTypes.keyRotated, versions: [{ version: '1.0', schema: KeyRotatedV1 }] },
  {
    type: NotificationEventTypes.subscriptionDisabled,
    versions: [{ version: '1.0', schema: SubscriptionDisabledV1 }],
  },
];

/** The data each event type carries at its current version. */
export interface FiscalEventData {
  'fiscal.invoice.created': InvoiceCreatedData;
  'fiscal.invoice.validated': InvoiceValidatedData;
  'fiscal.invoice.rejected': InvoiceRejectedData;
  'fiscal.invoice.archived': InvoiceArchivedData;
  'fiscal.invoice.processing_started': InvoiceProcessingStartedData;
  'fiscal.invoice.failed': InvoiceFailedData;
  'fiscal.invoice.requeued': InvoiceRequeuedData;
  'auth.login.succeeded': LoginSucceededData;
  'auth.login.failed': LoginFailedData;
  'auth.user.created': UserCreatedData;
  'auth.token.revoked': TokenRevokedData;
  'auth.key.rotated': KeyRotatedData;
  'notification.subscription.disabled': SubscriptionDisabledData;
}

export type FiscalEventType = keyof FiscalEventData;

/** Any Fiscal event, discriminated by `type` so a `switch` narrows `data`. */
export type FiscalEvent = {
  [Type in FiscalEventType]: EventEnvelope<FiscalEventData[Type]> & { type: Type };
}[FiscalEventType];

const fiscalCatalog = createEventCatalog(fiscalEventDefinitions);

/**
 * Builds a complete envelope for a new event; throws `EventContractError` when data breaks its
 * schema. The compiler already holds `data` to the type's current schema.
 */
export function createEvent<Type extends FiscalEventType>(
  event: NewEvent<FiscalEventData[Type]> & { type: Type },
): EventEnvelope<FiscalEventData[Type]> {
  return fiscalCatalog.createEvent(event);
}

/** Narrows a parsed event to one type, so its `data` is typed. */
export function isEventOfType<Type extends FiscalEventType>(
  event: EventEnvelope,
  type: Type,
): event is EventEnvelope<FiscalEventData[Type]> & { type: Type } {
  return event.type === type;
}
/** Reads an event off the wire: envelope and data checked, old versions upcast to the current one. */
export const parseEvent = fiscalCatalog.parseEvent;

/** The exchange (domain) an event type belongs to: `fiscal.invoice.created` → `fiscal.invoice`. */
export function domainOf(type: string): string {
  const segments = type.split('.');
  return segments[0] === 'fiscal' ? segments.slice(0, 2).join('.') : (segments[0] ?? type);
}
