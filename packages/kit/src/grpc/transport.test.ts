import { Code, ConnectError } from '@connectrpc/connect';
import { context, SpanKind, SpanStatusCode, TraceFlags, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AppError } from '../errors/index.js';
import { fromConnectError } from './error-mapping.js';
import { invalidAmount, leakyCrashMessage } from './testing/echo-service.js';
import {
  type Harness,
  type HarnessFactory,
  http2Harness,
  inMemoryHarness,
  rejectionOf,
} from './testing/harness.js';

const spans = new InMemorySpanExporter();
const tracing = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
tracing.register();
const procedure = 'fiscal.kit.testing.v1.EchoService/Echo';

afterAll(async () => {
  await tracing.shutdown();
});

describe.each<[string, HarnessFactory]>([
  ['in-memory', inMemoryHarness],
  ['HTTP/2', http2Harness],
])('service call over the %s transport', (_transport, openHarness) => {
  let harness: Harness;
  const open = async (options: { timeoutMs?: number } = {}) => {
    harness = await openHarness(options);
    return harness;
  };

  beforeEach(() => {
    spans.reset();
  });

  afterEach(async () => {
    await harness?.close();
  });

  it('returns the data the handler answered', async () => {
    const { client } = await open();
    const response = await client.echo({ text: 'factura 4.0' });
    expect(response.text).toBe('factura 4.0');
    expect(response.tags).toEqual(['echoed', 'factura 4.0']);
  });

  it('rebuilds the AppError the handler threw, with its kind, code, message and field problems', async () => {
    const { client } = await open();
    const error = await rejectionOf(client.echo({ behaviour: 'app_error' }));
    expect(ConnectError.from(error).code).toBe(Code.InvalidArgument);

    const rebuilt = fromConnectError(error);
    expect(rebuilt).toBeInstanceOf(AppError);
    expect(rebuilt).toMatchObject({
      kind: invalidAmount.kind,
      code: invalidAmount.code,
      message: invalidAmount.message,
      errors: invalidAmount.errors,
      retryAfterSeconds: invalidAmount.retryAfterSeconds,
    });
  });

  it('answers an unexpected error as a bare Internal and logs it once on the server', async () => {
    const { client, logs } = await open();
    const error = ConnectError.from(await rejectionOf(client.echo({ behaviour: 'crash' })));
    expect(error.code).toBe(Code.Internal);
    expect(error.message).not.toContain('hunter2');
    expect(JSON.stringify(error.metadata)).not.toContain('hunter2');
    expect(fromConnectError(error)).toMatchObject({ kind: 'internal' });

    const errorLines = logs.filter((line) => line.level >= 50);
    expect(errorLines).toHaveLength(1);
    expect(errorLines[0]).toMatchObject({ procedure, err: { message: leakyCrashMessage } });
  });

  it("carries the caller's trace into the handler and records a client and a server span", async () => {
    const { client } = await open();
    const caller = trace.getTracer('test');
    const { response, callerSpan } = await caller.startActiveSpan('gateway request', async (span) => {
      const answer = await client.echo({ text: 'traced' });
      span.end();
      return { response: answer, callerSpan: span.spanContext() };
    });

    await vi.waitFor(() =>
      expect(spans.getFinishedSpans().filter((span) => span.name === procedure)).toHaveLength(2),
    );
    const clientSpan = spans.getFinishedSpans().find((span) => span.kind === SpanKind.CLIENT)!;
    const serverSpan = spans.getFinishedSpans().find((span) => span.kind === SpanKind.SERVER)!;
    expect(response.traceparent).toBe(`00-${callerSpan.traceId}-${clientSpan.spanContext().spanId}-01`);
    expect(clientSpan.parentSpanContext?.spanId).toBe(callerSpan.spanId);
    expect(serverSpan.parentSpanContext?.spanId).toBe(clientSpan.spanContext().spanId);
    expect(serverSpan.spanContext().traceId).toBe(callerSpan.traceId);
    expect(serverSpan.attributes).toMatchObject({ 'rpc.system': 'grpc', 'rpc.grpc.status_code': 0 });
  });

  it('makes no span for a call of an unsampled trace and carries its context to the handler', async () => {
    const { client } = await open();
    const startSpan = vi.spyOn(tracing.getTracer('@fiscal/kit/grpc'), 'startSpan');
    const caller = { traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), traceFlags: TraceFlags.NONE };
    const unsampled = trace.setSpanContext(context.active(), { ...caller, isRemote: true });
    const response = await context.with(unsampled, () => client.echo({ text: 'quiet' }));
    expect(response.traceparent).toBe(`00-${caller.traceId}-${caller.spanId}-00`);
    expect(startSpan).not.toHaveBeenCalled();
    startSpan.mockRestore();
  });

  it('fails a call past its default deadline as an unavailable timeout and aborts the handler', async () => {
    const { client, observations } = await open({ timeoutMs: 100 });
    const error = await rejectionOf(client.echo({ behaviour: 'hang' }));
    expect(ConnectError.from(error).code).toBe(Code.DeadlineExceeded);
    expect(fromConnectError(error)).toMatchObject({ kind: 'unavailable', code: 'timeout' });
    await vi.waitFor(() => expect(observations.handlerSignals[0]?.aborted).toBe(true), { timeout: 2_000 });

    const clientSpan = spans.getFinishedSpans().find((span) => span.kind === SpanKind.CLIENT);
    expect(clientSpan?.status.code).toBe(SpanStatusCode.ERROR);
  });

  it('lets a call set a shorter deadline than the default', async () => {
    const { client } = await open({ timeoutMs: 10_000 });
    const startedAt = performance.now();
    const error = await rejectionOf(client.echo({ behaviour: 'hang' }, { timeoutMs: 50 }));
    expect(ConnectError.from(error).code).toBe(Code.DeadlineExceeded);
    expect(performance.now() - startedAt).toBeLessThan(5_000);
  });

  it('maps an AppError thrown in the middle of a stream after the messages sent before it', async () => {
    const { client } = await open();
    const received: string[] = [];
    const error = await rejectionOf(
      (async () => {
        for await (const message of client.echoStream({ text: 'page', behaviour: 'app_error' })) {
          received.push(message.text);
        }
      })(),
    );
    expect(received).toEqual(['page 1', 'page 2']);
    expect(fromConnectError(error)).toMatchObject({ kind: 'not_found', code: 'invoice_not_found' });
  });
});
