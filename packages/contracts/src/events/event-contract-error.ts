export type EventContractErrorCode =
  | 'unknown_event_type'
  | 'unknown_schema_version'
  | 'invalid_envelope'
  | 'invalid_event_data';

/**
 * An event that breaks its contract. Retrying cannot fix it, so it is `permanent`: the bus sends
 * it straight to the dead-letter queue instead of guessing what it means.
 */
export class EventContractError extends Error {
  readonly permanent = true;

  constructor(
    readonly code: EventContractErrorCode,
    message: string,
    readonly path = '',
  ) {
    super(path ? `${message} (at ${path})` : message);
    this.name = 'EventContractError';
  }
}
