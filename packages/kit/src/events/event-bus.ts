import type { EventEnvelope } from '@fiscal/contracts';

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

export interface Subscription {
  /** Consumer group: one durable queue; the members of a group share its events. */
  group: string;
  types: readonly string[];
  handler(event: EventEnvelope, delivery: Delivery): Promise<void>;
  /** Handlers running at once (unacknowledged deliveries) per member. */
  prefetch?: number;
  retry?: RetryPolicy;
}

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

/** Operators' view of what kept failing: list, inspect, redrive (trace intact), purge. */
export interface DeadLetters {
  list(group: string, options?: { limit?: number }): Promise<DeadLetter[]>;
  redrive(group: string, ids?: readonly string[]): Promise<number>;
  purge(group: string, ids?: readonly string[]): Promise<number>;
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

export function isPermanent(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { permanent?: unknown }).permanent === true;
}
