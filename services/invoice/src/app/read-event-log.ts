import type { EventEnvelope } from '@fiscal/contracts';
import type { EventLogShards } from '../domain/event-log/index.js';

export interface EventLogPage {
  events: EventEnvelope[];
  /** Where the next page starts; absent once the log is read to its end. */
  next?: string | undefined;
}

export interface ReadEventLogOptions {
  /** The `next` of the previous page. */
  after?: string | undefined;
  limit: number;
}

/**
 * A page of every event the invoice service recorded (its outboxes, published or not), shard by
 * shard, each shard in the order it committed its events. The order is the same on every read,
 * and an invoice's events live in one shard, so they come in their own order.
 */
export async function readEventLog(
  log: EventLogShards,
  { after, limit }: ReadEventLogOptions,
): Promise<EventLogPage> {
  if (!Number.isInteger(limit) || limit < 1)
    throw new RangeError(`event log page limit must be positive, got ${limit}`);
  const start = after === undefined ? { shard: 0, id: '0' } : positionOf(after, log.count);
  const events: EventEnvelope[] = [];
  for (let index = start.shard; index < log.count; index++) {
    const rows = await log.readAfter(index, index === start.shard ? start.id : '0', limit - events.length);
    events.push(...rows.map((row) => row.envelope));
    if (events.length === limit) return { events, next: `${index}:${rows.at(-1)!.id}` };
  }
  return { events };
}

/** The whole event log, read page by page. */
export async function* eventLogOf(
  log: EventLogShards,
  { pageSize = 1_000 }: { pageSize?: number } = {},
): AsyncIterable<EventEnvelope> {
  let after: string | undefined;
  do {
    const page = await readEventLog(log, { after, limit: pageSize });
    yield* page.events;
    after = page.next;
  } while (after !== undefined);
}

function positionOf(after: string, shardCount: number): { shard: number; id: string } {
  const match = /^(\d{1,4}):(\d{1,19})$/.exec(after);
  const shard = Number(match?.[1]);
  if (!match || shard >= shardCount) throw new RangeError(`not a position of this event log: ${after}`);
  return { shard, id: match[2]! };
}
