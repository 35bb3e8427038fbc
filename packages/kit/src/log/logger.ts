import { trace } from '@opentelemetry/api';
import { type DestinationStream, type Logger, pino } from 'pino';
import { serializeError } from './error-serializer.js';
import { currentLogContext } from './log-context.js';

export interface LoggerOptions {
  service: string;
  level?: string;
  /** Where lines go; stdout by default. Tests pass an in-memory stream. */
  destination?: DestinationStream;
}

const secretKeys = [
  'authorization',
  'password',
  'token',
  'accessToken',
  'refreshToken',
  'secret',
  'apiKey',
  'cookie',
];

/** Secrets are censored wherever a log call puts them: at the top level or one object deep. */
const redactPaths = [
  ...secretKeys,
  ...secretKeys.map((key) => `*.${key}`),
  'req.headers.authorization',
  'req.headers.cookie',
];

/**
 * JSON lines with the service name, the active span's trace and span ids, and the request id and
 * tenant of the request being handled, so any line can be joined to its trace and its caller. Errors
 * are logged through serializeError, so no statement parameter or driver detail reaches a line.
 */
export function createLogger({ service, level = 'info', destination }: LoggerOptions): Logger {
  return pino(
    {
      level,
      base: { service },
      messageKey: 'message',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: redactPaths, censor: '[redacted]' },
      // Errors keep what names the failure, never the statement and parameters drivers attach.
      serializers: { err: serializeError, error: serializeError, cause: serializeError },
      mixin() {
        const fields: Record<string, string> = {};
        const spanContext = trace.getActiveSpan()?.spanContext();
        if (spanContext) {
          fields.trace_id = spanContext.traceId;
          fields.span_id = spanContext.spanId;
        }
        const context = currentLogContext();
        if (context?.requestId) fields.request_id = context.requestId;
        if (context?.tenant) fields.tenant = context.tenant;
        if (context?.subject) fields.subject = context.subject;
        return fields;
      },
    },
    destination,
  );
}
