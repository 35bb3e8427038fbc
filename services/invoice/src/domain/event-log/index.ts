import type { EventEnvelope } from '@fiscal/contracts';

/** One recorded event and its position in its shard's log. */
export interface LoggedEvent {
  id: string;
  envelope: EventEnvelope;
}

/**
 * Port: every event the invoice service recorded (its outboxes, published or not), shard by
 * shard, each shard in the order it committed them.
 */
export interface EventLogShards {
  readonly count: number;
  /** Up to `limit` events of `shard` after position `afterId` (`'0'`: from its start), in order. */
  readAfter(shard: number, afterId: string, limit: number): Promise<LoggedEvent[]>;
}
