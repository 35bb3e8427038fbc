import { trace } from '@opentelemetry/api';
import { type DestinationStream, type Logger, pino } from 'pino';
import { censorSecrets } from './censor-secrets.js';
import { serializeError } from './error-serializer.js';
import { currentLogContext } from './log-context.js';

export interface LoggerOptions {
  service: string;
  level?: string;
  /** Where lines go; the process's shared standard output by default. Tests pass an in-memory stream. */
  destination?: DestinationStream;
}

type StandardOutput = ReturnType<typeof pino.destination>;

/**
 * Lines waiting for standard output beyond this are dropped rather than held: a reader that stopped
 * reading must not grow the process without bound.
 */
const maxBufferedBytes = 16 * 1_048_576;
const defaultFlushTimeoutMs = 2_000;

let standardOutput: StandardOutput | undefined;

/**
 * One asynchronous destination for every logger of the process: a log call only appends to a
 * buffer, and lines go out in as few writes as standard output takes them, off the request's
 * path. Shared, so lines of the services of one process never interleave and one flush empties
 * them all. pino flushes it synchronously when the process exits, a fatal error's exit included.
 */
function sharedStandardOutput(): StandardOutput {
  standardOutput ??= pino.destination({
    dest: 1,
    sync: false,
    // Any line is written as soon as no write is in flight, as with 0; unlike 0, `flush(callback)`
    // waits for the lines in flight, which graceful shutdown needs.
    minLength: 1,
    maxLength: maxBufferedBytes,
  });
  return standardOutput;
}

/**
 * Writes every buffered line to standard output; graceful shutdown awaits it before the process
 * exits. Resolves after `timeoutMs` at the latest, so a blocked reader cannot hold the exit.
 */
export function flushLogs(timeoutMs = defaultFlushTimeoutMs): Promise<void> {
  const destination = standardOutput;
  if (!destination) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    timer.unref();
    try {
      // An error here (a pipe that does not fsync) comes after the lines were written.
      destination.flush(() => {
        clearTimeout(timer);
        resolve();
      });
    } catch {
      clearTimeout(timer);
      resolve();
    }
  });
}

/**
 * JSON lines with the service name, the active span's trace and span ids, and the request id and
 * tenant of the request being handled, so any line can be joined to its trace and its caller. Errors
 * are logged through serializeError, so no statement parameter or driver detail reaches a line;
 * secrets are censored by censorSecrets.
 */
export function createLogger({ service, level = 'info', destination }: LoggerOptions): Logger {
  return pino(
    {
      level,
      base: { service },
      messageKey: 'message',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }), log: censorSecrets },
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
    destination ?? sharedStandardOutput(),
  );
}
