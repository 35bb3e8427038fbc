import { Writable } from 'node:stream';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runWithLogContext } from './log-context.js';
import { createLogger } from './logger.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, logger: createLogger({ service: 'invoice', destination }) };
}

describe('createLogger', () => {
  const contextManager = new AsyncLocalStorageContextManager();
  beforeAll(() => {
    context.setGlobalContextManager(contextManager.enable());
  });
  afterAll(() => {
    context.disable();
  });

  it('writes JSON with the service, level and message', () => {
    const { lines, logger } = capture();
    logger.info({ invoiceId: 'inv-1' }, 'invoice archived');
    expect(lines[0]).toMatchObject({
      service: 'invoice',
      level: 'info',
      message: 'invoice archived',
      invoiceId: 'inv-1',
    });
    expect(typeof lines[0]?.time).toBe('string');
  });

  it('carries the request id, tenant and subject of the request being handled', async () => {
    const { lines, logger } = capture();
    await runWithLogContext({ requestId: 'req-7', tenant: 'org-1', subject: 'usr-1' }, async () => {
      await Promise.resolve();
      logger.warn('slow upstream');
    });
    logger.info('outside');
    expect(lines[0]).toMatchObject({ request_id: 'req-7', tenant: 'org-1', subject: 'usr-1' });
    expect(lines[1]).not.toHaveProperty('request_id');
  });

  it('carries the active span trace and span ids', () => {
    const { lines, logger } = capture();
    const tracer = new BasicTracerProvider().getTracer('test');
    const span = tracer.startSpan('work');
    context.with(trace.setSpan(context.active(), span), () => logger.info('inside span'));
    span.end();
    expect(lines[0]).toMatchObject({
      trace_id: span.spanContext().traceId,
      span_id: span.spanContext().spanId,
    });
  });

  it('never writes secrets', () => {
    const { lines, logger } = capture();
    logger.info(
      { password: 'hunter2', user: { apiKey: 'fk_live_1' }, req: { headers: { authorization: 'Bearer x' } } },
      'login',
    );
    const text = JSON.stringify(lines[0]);
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('fk_live_1');
    expect(text).not.toContain('Bearer x');
    expect(lines[0]).toMatchObject({ password: '[redacted]' });
  });

  it.each(['authorization', 'password', 'token', 'accessToken', 'refreshToken', 'secret', 'apiKey'])(
    'censors %s at the top level and one object deep',
    (key) => {
      const { lines, logger } = capture();
      logger.info({ [key]: 'leak-top', body: { [key]: 'leak-nested' } }, 'call');
      expect(JSON.stringify(lines[0])).not.toContain('leak-');
      expect(lines[0]).toMatchObject({ [key]: '[redacted]', body: { [key]: '[redacted]' } });
    },
  );

  it("censors the headers of a logged request and leaves the caller's objects as they were", () => {
    const { lines, logger } = capture();
    const request = {
      method: 'GET',
      headers: { authorization: 'Bearer leak', cookie: 'sid=leak', accept: '*/*' },
    };
    logger.info({ req: request }, 'incoming');
    expect(JSON.stringify(lines[0])).not.toContain('leak');
    expect(lines[0]).toMatchObject({ req: { headers: { authorization: '[redacted]', accept: '*/*' } } });
    expect(request.headers.authorization).toBe('Bearer leak');
  });

  it.each(['err', 'error', 'cause'])(
    'writes an error under %s without the statement parameters its driver attached',
    (key) => {
      const { lines, logger } = capture();
      const database = Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), {
        code: '22021',
        query: 'insert into "subscriptions" ("secret") values ($1)',
        params: ['whsec_c2VjcmV0'],
      });
      logger.error({ [key]: new Error('could not subscribe', { cause: database }) }, 'unexpected error');
      expect(JSON.stringify(lines[0])).not.toContain('whsec_');
      expect(lines[0]).toMatchObject({ [key]: { message: 'could not subscribe', cause: { code: '22021' } } });
    },
  );

  it('writes an error logged on its own through the same serializer', () => {
    const { lines, logger } = capture();
    logger.error(Object.assign(new Error('boom'), { params: ['$argon2id$v=19$m=19456'] }));
    expect(JSON.stringify(lines[0])).not.toContain('argon2id');
    expect(lines[0]).toMatchObject({ err: { message: 'boom' } });
  });

  it('leaves out lines below the configured level', () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = createLogger({ service: 'invoice', level: 'warn', destination });
    logger.info('routine');
    logger.warn('unusual');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('unusual');
  });
});
