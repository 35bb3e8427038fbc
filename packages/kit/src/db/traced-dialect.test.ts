import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testing/databases.js';

describe('SQL spans', () => {
  const exporter = new InMemorySpanExporter();
  let test: TestDatabase<{ notes: { body: string } }>;

  beforeAll(async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    trace.setGlobalTracerProvider(
      new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
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
    await expect(sql`select * from missing_table`.execute(test.database.db)).rejects.toThrow();
    const failed = exporter.getFinishedSpans().find((span) => span.name === 'select ledger');
    expect(failed?.status.code).toBe(2);
  });
});
