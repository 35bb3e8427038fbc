import type { EventEnvelope } from '@fiscal/contracts';
import type { DeadLetter, DeadLetterSelection } from '../event-bus.js';

export interface LeasedMessage {
  id: string;
  group: string;
  envelope: unknown;
  /** Deliveries so far, this one included. */
  deliveries: number;
}

/**
 * Durable queues of the in-process bus, one per consumer group, like a broker's: `enqueue`
 * commits before it resolves, a leased message that is never acknowledged (crash) becomes
 * available again when its lease expires.
 */
export interface QueueStore {
  /** Routes future events of these types to the group's queue (persisted, like a queue binding). */
  bind(group: string, types: readonly string[]): Promise<void>;
  /**
   * Fans each event out to every group bound to its type, in one commit (a group that has it queued
   * already keeps one copy). Answers, by event id, the groups whose queues hold it now.
   */
  enqueue(events: readonly EventEnvelope[]): Promise<Map<string, string[]>>;
  lease(group: string, limit: number, leaseMs: number): Promise<LeasedMessage[]>;
  /** Removes handled messages; one statement however many (a batch is acknowledged together). */
  ack(group: string, ids: readonly string[]): Promise<void>;
  retryLater(group: string, id: string, delayMs: number, error: string): Promise<void>;
  deadLetter(group: string, id: string, error: string): Promise<void>;
  /** Makes every leased message available again (single-process stores, at start-up). */
  releaseLeases(): Promise<void>;
  listDeadLetters(group: string, limit: number): Promise<DeadLetter[]>;
  /** All of the selection or none of it, as `DeadLetters` promises. */
  redrive(group: string, selection: DeadLetterSelection): Promise<number>;
  purge(group: string, selection: DeadLetterSelection): Promise<number>;
  deadLetterDepth(group: string): Promise<number>;
  close(): Promise<void>;
}
