import { type Context, type SpanKind, trace } from '@opentelemetry/api';
import { type Resource, resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

/** Which service a span that opens a unit of work belongs to, from what it says about itself. */
export type ServiceOfSpan = (span: {
  name: string;
  kind: SpanKind;
  attributes: Record<string, unknown>;
}) => string | undefined;

/**
 * The services of one process (`fiscal start`) each export under their own `service.name`, as they
 * would from processes of their own: a span that opens a unit of work (a request, an RPC, an event
 * delivery) is given its service by `serviceOf`, every other span its parent's, and the processors
 * behind see each span with its service's resource.
 */
export class ServiceAttributingProcessor implements SpanProcessor {
  private readonly serviceBySpan = new Map<string, string>();
  private readonly resources = new Map<string, Resource>();

  constructor(
    private readonly inner: SpanProcessor[],
    private readonly serviceOf: ServiceOfSpan,
    private readonly resourceAttributes: Record<string, string>,
  ) {}

  onStart(span: Span, parentContext: Context): void {
    const parent = trace.getSpanContext(parentContext);
    const own = this.serviceOf({ name: span.name, kind: span.kind, attributes: span.attributes });
    const inherited = parent ? this.serviceBySpan.get(parent.spanId) : undefined;
    const service = own ?? inherited;
    if (service) this.serviceBySpan.set(span.spanContext().spanId, service);
    for (const processor of this.inner) processor.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    const spanId = span.spanContext().spanId;
    const service = this.serviceBySpan.get(spanId);
    this.serviceBySpan.delete(spanId);
    const attributed = service ? withResource(span, this.resourceOf(service)) : span;
    for (const processor of this.inner) processor.onEnd(attributed);
  }

  async forceFlush(): Promise<void> {
    await Promise.all(this.inner.map((processor) => processor.forceFlush()));
  }

  async shutdown(): Promise<void> {
    await Promise.all(this.inner.map((processor) => processor.shutdown()));
  }

  private resourceOf(service: string): Resource {
    let resource = this.resources.get(service);
    if (!resource) {
      // One object per service: exporters group spans by their resource.
      resource = resourceFromAttributes({ ...this.resourceAttributes, [ATTR_SERVICE_NAME]: service });
      this.resources.set(service, resource);
    }
    return resource;
  }
}

function withResource(span: ReadableSpan, resource: Resource): ReadableSpan {
  return {
    name: span.name,
    kind: span.kind,
    spanContext: () => span.spanContext(),
    parentSpanContext: span.parentSpanContext,
    startTime: span.startTime,
    endTime: span.endTime,
    status: span.status,
    attributes: span.attributes,
    links: span.links,
    events: span.events,
    duration: span.duration,
    ended: span.ended,
    resource,
    instrumentationScope: span.instrumentationScope,
    droppedAttributesCount: span.droppedAttributesCount,
    droppedEventsCount: span.droppedEventsCount,
    droppedLinksCount: span.droppedLinksCount,
  };
}
