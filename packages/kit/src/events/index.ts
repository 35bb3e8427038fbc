export {
  type BatchHandlerSubscription,
  type BatchItem,
  type DeadLetter,
  type DeadLetterSelection,
  type DeadLetters,
  DeadLettersNotFound,
  type Delivery,
  defaultRetryPolicy,
  type EventBus,
  type EventHandlerSubscription,
  isPermanent,
  PermanentError,
  type RetryPolicy,
  type Subscriber,
  type Subscription,
} from './event-bus.js';
export { backoffDelay, batchSizeOf } from './handle-delivery.js';
export {
  ConsumerStopped,
  createInProcessBus,
  type InProcessBus,
  type InProcessBusOptions,
} from './in-process/in-process-bus.js';
export {
  createMemoryDeadLetterShelf,
  createMemoryQueueStore,
  type DeadLetterShelf,
  type MemoryQueueStoreOptions,
} from './in-process/memory-queue-store.js';
export type { LeasedMessage, QueueStore } from './in-process/queue-store.js';
export { createSqlDeadLetterShelf } from './in-process/sql-dead-letter-shelf.js';
export { type BusSchema, busMigrations, createSqlQueueStore } from './in-process/sql-queue-store.js';
export { createRabbitMqBus, type RabbitMqBus, type RabbitMqBusOptions } from './rabbitmq/rabbitmq-bus.js';
export { rabbitMqConfig } from './rabbitmq/rabbitmq-settings.js';
export { domainOf, groupNames } from './rabbitmq/topology.js';
