export * from './auth-events.js';
export {
  createEventCatalog,
  dataschemaOf,
  type EventCatalog,
  type EventDefinition,
  type EventVersion,
  type NewEvent,
} from './catalog.js';
export { EventContractError, type EventContractErrorCode } from './event-contract-error.js';
export {
  createEvent,
  domainOf,
  type FiscalEvent,
  type FiscalEventData,
  type FiscalEventType,
  fiscalEventDefinitions,
  isEventOfType,
  parseEvent,
} from './fiscal-catalog.js';
export * from './invoice-events.js';
export * from './notification-events.js';
