import {
  Code,
  ConnectError,
  type Interceptor,
  type StreamRequest,
  type UnaryRequest,
} from '@connectrpc/connect';
import {
  context,
  isSpanContextValid,
  propagation,
  ROOT_CONTEXT,
  type Span,
  type SpanContext,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  type TextMapSetter,
  TraceFlags,
  trace,
} from '@opentelemetry/api';
import { observeResponse } from './response-end.js';

const tracer = trace.getTracer('@fiscal/kit/grpc');

const headerSetter: TextMapSetter<Headers> = {
  set: (headers, key, value) => headers.set(key, value),
};
const headerGetter: TextMapGetter<Headers> = {
  get: (headers, key) => headers.get(key) ?? undefined,
  keys: (headers) => [...headers.keys()],
};

/** Connect's `Code` has no member for success. */
const okStatusCode = 0;

/** Per OpenTelemetry's RPC conventions, a server span fails only for codes that mean a server fault. */
const serverFaultCodes = new Set([
  Code.Unknown,
  Code.DeadlineExceeded,
  Code.Unimplemented,
  Code.Internal,
  Code.Unavailable,
  Code.DataLoss,
]);

function spanStart(request: UnaryRequest | StreamRequest, kind: SpanKind) {
  const service = request.service.typeName;
  const method = request.method.name;
  return {
    name: `${service}/${method}`,
    options: { kind, attributes: { 'rpc.system': 'grpc', 'rpc.service': service, 'rpc.method': method } },
  };
}

function endSpan(span: Span, error: unknown, isFailure: (code: Code) => boolean): void {
  if (error === undefined) {
    span.setAttribute('rpc.grpc.status_code', okStatusCode);
  } else {
    const { code, rawMessage } = ConnectError.from(error);
    span.setAttribute('rpc.grpc.status_code', code);
    if (isFailure(code)) span.setStatus({ code: SpanStatusCode.ERROR, message: rawMessage });
  }
  span.end();
}

/**
 * A trace someone decided not to sample: it carries ids for logs and downstream calls, but no
 * process records spans for it, so none is created for it here either.
 */
function isUnsampledTrace(spanContext: SpanContext | undefined): boolean {
  return (
    spanContext !== undefined &&
    isSpanContextValid(spanContext) &&
    (spanContext.traceFlags & TraceFlags.SAMPLED) === 0
  );
}

/**
 * Client side: a CLIENT span per call, whose context travels in the `traceparent` header so the
 * callee's spans join the caller's trace. In an unsampled trace the caller's own context travels
 * instead, and no span is made.
 */
export function clientTraceInterceptor(): Interceptor {
  return (next) => (request) => {
    const active = context.active();
    if (isUnsampledTrace(trace.getSpanContext(active))) {
      propagation.inject(active, request.header, headerSetter);
      return next(request);
    }
    const { name, options } = spanStart(request, SpanKind.CLIENT);
    const span = tracer.startSpan(name, options);
    const callContext = trace.setSpan(active, span);
    propagation.inject(callContext, request.header, headerSetter);
    return context.with(callContext, () =>
      observeResponse(next(request), { onEnd: (error) => endSpan(span, error, () => true) }),
    );
  };
}

/**
 * Server side: a SERVER span per call, child of the caller's span found in the request headers;
 * a call of an unsampled trace runs in the caller's context, which its logs and calls carry on.
 */
export function serverTraceInterceptor(): Interceptor {
  return (next) => (request) => {
    const callerContext = propagation.extract(ROOT_CONTEXT, request.header, headerGetter);
    if (isUnsampledTrace(trace.getSpanContext(callerContext))) {
      return context.with(callerContext, () => next(request));
    }
    const { name, options } = spanStart(request, SpanKind.SERVER);
    const span = tracer.startSpan(name, options, callerContext);
    return context.with(trace.setSpan(callerContext, span), () =>
      observeResponse(next(request), {
        onEnd: (error) => endSpan(span, error, (code) => serverFaultCodes.has(code)),
      }),
    );
  };
}
