import type { EventEnvelope } from '@fiscal/contracts';
import { shownProblems } from '../invoice-summary/index.js';

/** One event in the life of an invoice, as its timeline shows it. */
export interface TimelineEntry {
  eventId: string;
  type: string;
  sequence: number;
  occurredAt: string;
  /** The event's data, as published; a verdict's problems held to what an invoice shows. */
  detail: unknown;
}

/**
 * Entries a timeline shows, oldest first. Reprocessing is limited, so an invoice's life stays far
 * shorter; this bounds the answer whatever the log holds.
 */
export const maxTimelineEntries = 500;

export function timelineEntryOf(event: EventEnvelope): TimelineEntry {
  return {
    eventId: event.id,
    type: event.type,
    sequence: event.sequence,
    occurredAt: event.time,
    detail: detailOf(event.data),
  };
}

function detailOf(data: unknown): unknown {
  const errors = (data as { errors?: unknown } | null)?.errors;
  if (!Array.isArray(errors)) return data;
  return { ...(data as object), errors: shownProblems(errors) };
}
