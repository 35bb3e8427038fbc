import type { EventEnvelope } from '@fiscal/contracts';

/** One event in the life of an invoice, as its timeline shows it. */
export interface TimelineEntry {
  eventId: string;
  type: string;
  sequence: number;
  occurredAt: string;
  /** The event's data, as published. */
  detail: unknown;
}

export function timelineEntryOf(event: EventEnvelope): TimelineEntry {
  return {
    eventId: event.id,
    type: event.type,
    sequence: event.sequence,
    occurredAt: event.time,
    detail: event.data,
  };
}
