import { context, type Tracer, type TracerProvider, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  ParentBasedSampler,
  type Sampler,
  SamplingDecision,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testing/databases.js';

/** Counts the spans the kit's SQL tracer is asked for, recording or not. */
const startedSpans = { count: 0 };

function countingSqlSpans(provider: TracerProvider): TracerProvider {
  return {
    getTracer(name, version, options) {
      const tracer = provider.getTracer(name, version, options);
      if (name !== 'fiscal-db') return tracer;
      return {
        startSpan(...args: Parameters<Tracer['startSpan']>) {
          startedSpans.count++;
          return tracer.startSpan(...args);
        },
        startActiveSpan(...args: unknown[]) {
          startedSpans.count++;
          return (tracer.startActiveSpan as (...all: unknown[]) => unknown)(...args);
        },
      } as Tracer;
    },
  };
}

/** Samples every trace but those whose root span is named `unsampled`. */
const sampledUnlessNamedUnsampled: Sampler = {
  shouldSample: (_context, _traceId, spanName) => ({
    decision: spanName === 'unsampled' ? SamplingDecision.NOT_RECORD : SamplingDecision.RECORD_AND_SAMPLED,
  }),
  toString: () => 'SampledUnlessNamedUnsampled',
};

describe('SQL spans', () => {
  const exporter = new InMemorySpanExporter();
  let test: TestDatabase<{ notes: { body: string } }>;

  beforeAll(async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    trace.setGlobalTracerProvider(
      countingSqlSpans(
        new BasicTracerProvider({
          // Traces named `unsampled` are not sampled; the rest are.
          sampler: new ParentBasedSampler({ root: sampledUnlessNamedUnsampled }),
          spanProcessors: [new SimpleSpanProcessor(exporter)],
        }),
      ),
    );
    test = await createTestDatabase('pglite', 'ledger');
    await sql`create table notes (body text)`.execute(test.database.db);
  });
  afterAll(async () => {
    await test.dispose();
    trace.disable();
    context.disable();
  });

  it('records each statement as a client span without its parameter values', async () => {
    exporter.reset();
    const tracer = trace.getTracer('test');
    await tracer.startActiveSpan('request', async (parent) => {
      await test.database.transaction((trx) =>
        trx.insertInto('notes').values({ body: 'RFC EKU9003173C9' }).execute(),
      );
      parent.end();
    });
    const spans = exporter.getFinishedSpans();
    const insert = spans.find((span) => span.name === 'insert ledger');
    expect(insert?.attributes).toMatchObject({ 'db.namespace': 'ledger', 'db.operation.name': 'insert' });
    expect(String(insert?.attributes['db.query.text'])).toContain('$1');
    expect(JSON.stringify(spans.map((span) => span.attributes))).not.toContain('EKU9003173C9');
    const request = spans.find((span) => span.name === 'request');
    expect(insert?.parentSpanContext?.spanId).toBe(request?.spanContext().spanId);
  });

  it('marks a failing statement as an error', async () => {
    exporter.reset();
    await trace.getTracer('test').startActiveSpan('request', async (parent) => {
      await expect(sql`select * from missing_table`.execute(test.database.db)).rejects.toThrow();
      parent.end();
    });
    const failed = exporter.getFinishedSpans().find((span) => span.name === 'select ledger');
    expect(failed?.status.code).toBe(2);
  });

  it('creates no span for a statement of an unsampled trace', async () => {
    startedSpans.count = 0;
    await trace.getTracer('test').startActiveSpan('unsampled', async (parent) => {
      expect(parent.isRecording()).toBe(false);
      await test.database.transaction((trx) => trx.insertInto('notes').values({ body: 'quiet' }).execute());
      await expect(sql`select * from missing_table`.execute(test.database.db)).rejects.toThrow();
      parent.end();
    });
    expect(startedSpans.count).toBe(0);
  });

  it('creates no span for a statement outside any trace, such as a background poll', async () => {
    startedSpans.count = 0;
    await sql`select count(*) from notes`.execute(test.database.db);
    expect(startedSpans.count).toBe(0);
  });
});
