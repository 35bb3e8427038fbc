export { appendToOutbox, type OutboxSchema, type OutboxTable, outboxMigrations } from './outbox.js';
export {
  createOutboxRelay,
  type EventPublisher,
  type OutboxRelay,
  type OutboxRelayOptions,
} from './relay.js';
