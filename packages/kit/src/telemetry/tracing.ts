import {
  type Context,
  context,
  isSpanContextValid,
  propagation,
  ROOT_CONTEXT,
  type Span,
  type SpanKind,
  SpanStatusCode,
  TraceFlags,
  trace,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  type Sampler,
  type SpanProcessor,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { ServiceAttributingProcessor, type ServiceOfSpan } from './service-attribution.js';

export interface TelemetryOptions {
  service: string;
  /**
   * OTLP/HTTP collector base URL. Without it (and without `spanProcessors`) no span is recorded:
   * trace and span ids are still made and propagated, as an unsampled trace's.
   */
  otlpEndpoint?: string | undefined;
  sampleRatio?: number;
  /** OpenTelemetry's sampler names (OTEL_TRACES_SAMPLER); default parentbased_traceidratio. */
  sampler?: SamplerName;
  /** Added to the resource of every span (OTEL_RESOURCE_ATTRIBUTES); `service.name` is `service`. */
  resourceAttributes?: Record<string, string>;
  /** Extra processors (tests use an in-memory exporter). */
  spanProcessors?: SpanProcessor[];
  /**
   * Several services in one process: the service each span belongs to, exported as its
   * `service.name` (`service` names the spans it attributes to none).
   */
  serviceOfSpan?: ServiceOfSpan;
}

export type SamplerName =
  | 'always_on'
  | 'always_off'
  | 'traceidratio'
  | 'parentbased_always_on'
  | 'parentbased_always_off'
  | 'parentbased_traceidratio';

function samplerOf(name: SamplerName, ratio: number): Sampler {
  const root = name.endsWith('always_on')
    ? new AlwaysOnSampler()
    : name.endsWith('always_off')
      ? new AlwaysOffSampler()
      : new TraceIdRatioBasedSampler(ratio);
  return name.startsWith('parentbased_') ? new ParentBasedSampler({ root }) : root;
}

export interface Telemetry {
  /** Exports what is buffered and stops; part of graceful shutdown. */
  shutdown(): Promise<void>;
}

const tracerName = 'fiscal';

/**
 * Registers the process-wide tracer provider, the async context manager and the W3C trace-context
 * propagator, so spans started anywhere (HTTP, gRPC, SQL, the bus) join one trace per request.
 */
export function startTelemetry(options: TelemetryOptions): Telemetry {
  const processors: SpanProcessor[] = [...(options.spanProcessors ?? [])];
  if (options.otlpEndpoint) {
    const url = new URL(
      'v1/traces',
      options.otlpEndpoint.endsWith('/') ? options.otlpEndpoint : `${options.otlpEndpoint}/`,
    );
    processors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url: url.toString() })));
  }
  // Spans no processor would see cost as much to record as exported ones: with nowhere to send
  // them, every trace is unsampled, and the kit's HTTP, gRPC and SQL tracing makes none.
  const sampler: Sampler =
    processors.length === 0
      ? new AlwaysOffSampler()
      : samplerOf(options.sampler ?? 'parentbased_traceidratio', options.sampleRatio ?? 1);
  const attributed =
    options.serviceOfSpan && processors.length > 0
      ? [new ServiceAttributingProcessor(processors, options.serviceOfSpan, options.resourceAttributes ?? {})]
      : processors;
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ ...options.resourceAttributes, [ATTR_SERVICE_NAME]: options.service }),
    sampler,
    spanProcessors: attributed,
  });
  provider.register({
    contextManager: new AsyncLocalStorageContextManager(),
    propagator: new W3CTraceContextPropagator(),
  });
  return {
    async shutdown() {
      await provider.shutdown();
    },
  };
}

export interface SpanOptions {
  kind?: SpanKind;
  attributes?: Record<string, string | number | boolean>;
  /** Parent context; the active one by default. */
  parent?: Context;
}

/** Runs `work` in a new active span that records a thrown error and always ends. */
export async function withSpan<T>(
  name: string,
  options: SpanOptions,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = options.parent ?? context.active();
  // A trace someone decided not to sample: no process records its spans, and a span made for it
  // (ids, attributes, a context switch) is as dear as a recorded one; the work runs in the
  // caller's, which keeps the trace's ids for logs and downstream calls.
  const parentSpan = trace.getSpan(parent);
  const parentContext = parentSpan?.spanContext();
  if (
    parentSpan &&
    parentContext &&
    isSpanContextValid(parentContext) &&
    !(parentContext.traceFlags & TraceFlags.SAMPLED)
  )
    return context.with(parent, () => work(parentSpan));
  const tracer = trace.getTracer(tracerName);
  return tracer.startActiveSpan(
    name,
    { kind: options.kind, attributes: options.attributes },
    parent,
    async (span) => {
      try {
        return await work(span);
      } catch (error) {
        span.recordException(error as Error);
        span.setStatus({
          code: SpanStatusCode.ERROR,
          message: error instanceof Error ? error.message : String(error),
        });
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

/** Writes the active trace context into `carrier` (`traceparent`, `tracestate`). */
export function injectTraceContext(carrier: Record<string, string>, from: Context = context.active()): void {
  propagation.inject(from, carrier);
}

export function extractTraceContext(carrier: Record<string, string | undefined>): Context {
  return propagation.extract(context.active(), carrier);
}

/** The active span's `traceparent`, stored in event envelopes so consumers continue the trace. */
export function currentTraceparent(): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent;
}

/** Whether the active trace is recorded somewhere; false outside any trace. */
export function activeTraceSampled(): boolean {
  const spanContext = trace.getSpanContext(context.active());
  return spanContext !== undefined && (spanContext.traceFlags & TraceFlags.SAMPLED) !== 0;
}

/**
 * Runs `work` in the trace a `traceparent` names (as a remote parent), so its logs, calls and
 * events continue that trace; without one, in no trace at all.
 */
export function runInTrace<T>(traceparent: string | undefined, work: () => T): T {
  const parent = traceparent ? propagation.extract(ROOT_CONTEXT, { traceparent }) : ROOT_CONTEXT;
  return context.with(parent, work);
}
