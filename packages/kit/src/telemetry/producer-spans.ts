import type { EventEnvelope } from '@fiscal/contracts';
import { propagation, ROOT_CONTEXT, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';

/** The sampled flag of a W3C `traceparent` (`00-<trace>-<span>-<flags>`). */
const sampled = (traceparent: string) => (Number.parseInt(traceparent.slice(-2), 16) & 1) === 1;

/**
 * Opens a producer span for each event of a sampled trace, as a child of the span that raised it,
 * and gives back the events carrying that span's context: the hop from the outbox to the broker is
 * then a span of the event's trace, and its consumers continue from it. Events of unsampled traces
 * pass unchanged and cost a look at their flags.
 */
export function startProducerSpans(
  name: string,
  events: readonly EventEnvelope[],
): { events: EventEnvelope[]; end(error?: unknown): void } {
  const tracer = trace.getTracer('fiscal');
  const spans: Span[] = [];
  const carried = events.map((event) => {
    if (!event.traceparent || !sampled(event.traceparent)) return event;
    const parent = propagation.extract(ROOT_CONTEXT, {
      traceparent: event.traceparent,
      tracestate: event.tracestate,
    });
    const span = tracer.startSpan(
      `${name} ${event.type}`,
      {
        kind: SpanKind.PRODUCER,
        attributes: {
          'messaging.operation.type': 'publish',
          'messaging.message.id': event.id,
          'cloudevents.event_source': event.source,
        },
      },
      parent,
    );
    if (!span.isRecording()) {
      span.end();
      return event;
    }
    spans.push(span);
    const carrier: Record<string, string> = {};
    propagation.inject(trace.setSpan(ROOT_CONTEXT, span), carrier);
    return { ...event, traceparent: carrier.traceparent, tracestate: carrier.tracestate ?? event.tracestate };
  });
  return {
    events: carried,
    end(error) {
      for (const span of spans) {
        if (error !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: String(error) });
        span.end();
      }
    },
  };
}
