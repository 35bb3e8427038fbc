import {
  AuthEventTypes,
  KeyRotatedV1,
  LoginFailedV1,
  LoginSucceededV1,
  TokenRevokedV1,
  UserCreatedV1,
} from './auth-events.js';
import { createEventCatalog, type EventDefinition } from './catalog.js';
import {
  InvoiceArchivedV1,
  InvoiceCreatedV1,
  InvoiceEventTypes,
  InvoiceRejectedV1,
  InvoiceValidatedV1,
} from './invoice-events.js';

/** Every event Fiscal publishes, with every version it was ever published in. */
export const fiscalEventDefinitions: readonly EventDefinition[] = [
  { type: InvoiceEventTypes.created, versions: [{ version: '1.0', schema: InvoiceCreatedV1 }] },
  { type: InvoiceEventTypes.validated, versions: [{ version: '1.0', schema: InvoiceValidatedV1 }] },
  { type: InvoiceEventTypes.rejected, versions: [{ version: '1.0', schema: InvoiceRejectedV1 }] },
  { type: InvoiceEventTypes.archived, versions: [{ version: '1.0', schema: InvoiceArchivedV1 }] },
  { type: AuthEventTypes.loginSucceeded, versions: [{ version: '1.0', schema: LoginSucceededV1 }] },
  { type: AuthEventTypes.loginFailed, versions: [{ version: '1.0', schema: LoginFailedV1 }] },
  { type: AuthEventTypes.userCreated, versions: [{ version: '1.0', schema: UserCreatedV1 }] },
  { type: AuthEventTypes.tokenRevoked, versions: [{ version: '1.0', schema: TokenRevokedV1 }] },
  { type: AuthEventTypes.keyRotated, versions: [{ version: '1.0', schema: KeyRotatedV1 }] },
];

const fiscalCatalog = createEventCatalog(fiscalEventDefinitions);

/** Builds a complete envelope for a new event; throws `EventContractError` when data breaks its schema. */
export const createEvent = fiscalCatalog.createEvent;
/** Reads an event off the wire: envelope and data checked, old versions upcast to the current one. */
export const parseEvent = fiscalCatalog.parseEvent;

/** The exchange (domain) an event type belongs to: `fiscal.invoice.created` → `fiscal.invoice`. */
export function domainOf(type: string): string {
  const segments = type.split('.');
  return segments[0] === 'fiscal' ? segments.slice(0, 2).join('.') : (segments[0] ?? type);
}
