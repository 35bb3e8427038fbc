import type { EventEnvelope } from '@fiscal/contracts';
import { AppError, isAppError } from '../errors/index.js';

/**
 * The event bus port. Delivery is at least once; a delivery is acknowledged only after the
 * handler resolved (and so after its transaction, inbox row included, committed).
 */
export interface EventBus {
  /** Resolves only once the broker durably accepted every event (confirms / committed). */
  publish(events: readonly EventEnvelope[]): Promise<void>;
  subscribe(subscription: Subscription): Promise<Subscriber>;
  readonly deadLetters: DeadLetters;
  /** Stops every subscriber (in-flight handlers finish), then releases connections. */
  close(): Promise<void>;
}

export interface Delivery {
  /** 1 on the first delivery, 2 on the first retry or redelivery, ... */
  attempt: number;
  redelivered: boolean;
}

export interface RetryPolicy {
  /** Deliveries before the message is dead-lettered (the first one included). */
  maxAttempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
}

/** One event of a batch, with its delivery. */
export interface BatchItem {
  event: EventEnvelope;
  delivery: Delivery;
}

interface SubscriptionOptions {
  /** Consumer group: one durable queue; the members of a group share its events. */
  group: string;
  types: readonly string[];
  /**
   * Unacknowledged deliveries per member: the events in handlers, batched or not. On RabbitMQ a
   * delivery is a message, and events published together travel together (up to 16 to a message),
   * so a member may hold more events than this while many arrive at once.
   */
  prefetch?: number;
  retry?: RetryPolicy;
}

/** A handler of one event at a time; up to `prefetch` of them run at once. */
export interface EventHandlerSubscription extends SubscriptionOptions {
  handler(event: EventEnvelope, delivery: Delivery): Promise<void>;
  handleBatch?: never;
  batchSize?: never;
}

/**
 * A handler of the events at hand together, all or nothing (one transaction, typically): the bus
 * acknowledges them after it resolved. When it throws, the bus hands each event of the batch to it
 * again on its own, so one poison event goes to retry and then to the dead letters while the others
 * are acknowledged. Events of a batch are in delivery order.
 */
export interface BatchHandlerSubscription extends SubscriptionOptions {
  handleBatch(batch: readonly BatchItem[]): Promise<void>;
  /** Most events in one call (default: `prefetch`). */
  batchSize?: number;
  handler?: never;
}

export type Subscription = EventHandlerSubscription | BatchHandlerSubscription;

export interface Subscriber {
  /** Takes no new deliveries and waits for the handlers in flight. */
  stop(): Promise<void>;
}

export interface DeadLetter {
  id: string;
  group: string;
  envelope: EventEnvelope;
  error: string;
  attempts: number;
  failedAt: string;
}

/**
 * Which dead letters of a group an operation acts on: the named ones, or every one. There is no
 * default, so forgetting to name the letters can never mean all of them.
 */
export type DeadLetterSelection = { readonly ids: readonly string[] } | { readonly all: true };

/**
 * Operators' view of what kept failing: list, inspect, redrive (trace intact), purge. Redrive and
 * purge act on all of a selection or none of it: a named id that is not a dead letter of the group
 * throws `DeadLettersNotFound` and leaves every letter where it was.
 */
export interface DeadLetters {
  /**
   * The consumer groups subscribed on this bus, in the order they subscribed: the groups whose dead
   * letters this process is the one to ask about.
   */
  groups(): readonly string[];
  list(group: string, options?: { limit?: number }): Promise<DeadLetter[]>;
  redrive(group: string, selection: DeadLetterSelection): Promise<number>;
  purge(group: string, selection: DeadLetterSelection): Promise<number>;
}

/** Named ids listed in a `DeadLettersNotFound`; the message counts them all. */
const listedMissingIds = 20;

/** Some named ids are not dead letters of the group (never were, or already redriven or purged). */
export class DeadLettersNotFound extends AppError {
  constructor(
    readonly group: string,
    readonly missing: readonly string[],
    named: readonly string[],
  ) {
    super(
      'not_found',
      'dead_letter_not_found',
      `${missing.length === 1 ? '1 id is' : `${missing.length} ids are`} not dead letters of ${group}; nothing was changed.`,
      {
        errors: missing.slice(0, listedMissingIds).map((id) => ({
          field: `/ids/${named.indexOf(id)}`,
          code: 'not_found',
          message: `is not a dead letter of ${group}`,
        })),
      },
    );
  }
}

/** The distinct ids a selection names, or undefined for all. */
export function selectedIds(selection: DeadLetterSelection): readonly string[] | undefined {
  return 'ids' in selection ? [...new Set(selection.ids)] : undefined;
}

/** Throws `DeadLettersNotFound` unless every id the selection names was found. */
export function requireFound(group: string, selection: DeadLetterSelection, found: Iterable<string>): void {
  if (!('ids' in selection)) return;
  const present = new Set(found);
  const missing = [...new Set(selection.ids)].filter((id) => !present.has(id));
  if (missing.length > 0) throw new DeadLettersNotFound(group, missing, selection.ids);
}

export const defaultRetryPolicy: RetryPolicy = { maxAttempts: 5, initialDelayMs: 1_000, maxDelayMs: 60_000 };
export const defaultPrefetch = 16;

/** A handler error that retrying cannot fix: the message is dead-lettered at once. */
export class PermanentError extends Error {
  readonly permanent = true;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentError';
  }
}

/**
 * Whether no retry can cure the failure: a `PermanentError`, or an `invalid` AppError — a value
 * the handler or its database refuses (a NUL in a text, a malformed id) is refused every time.
 */
export function isPermanent(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  if (isAppError(error)) return error.kind === 'invalid';
  return (error as { permanent?: unknown }).permanent === true;
}
