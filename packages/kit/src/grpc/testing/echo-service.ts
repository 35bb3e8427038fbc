import { Writable } from 'node:stream';
import type { ConnectRouter } from '@connectrpc/connect';
import { pino } from 'pino';
import { AppError } from '../../errors/index.js';
import { EchoService } from './gen/echo_pb.js';

export const invalidAmount = new AppError('invalid', 'invalid_amount', 'El importe no es un decimal válido', {
  errors: [
    { field: '/amount', code: 'not_decimal', message: 'Se esperaba una cadena decimal, p. ej. "1234.50"' },
    { field: '/currency', code: 'unknown_currency', message: 'Moneda desconocida: ¤' },
  ],
  retryAfterSeconds: 7,
});

export const leakyCrashMessage = 'connection to postgres://fiscal:hunter2@db failed';

/** What the handlers saw, for the tests to assert on. */
export interface EchoObservations {
  handlerSignals: AbortSignal[];
  /** Set by a "block" call, which answers only once the test calls it. */
  release?: () => void;
}

/**
 * A fake service: echoes the text with the traceparent it received, or misbehaves as told by
 * `behaviour` — throws an AppError, crashes, hangs until its signal aborts, or blocks until released.
 */
export function registerEchoService(observations: EchoObservations) {
  return (router: ConnectRouter) => {
    router.service(EchoService, {
      async echo(request, context) {
        observations.handlerSignals.push(context.signal);
        const traceparent = context.requestHeader.get('traceparent') ?? '';
        switch (request.behaviour) {
          case 'app_error':
            throw invalidAmount;
          case 'crash':
            throw new Error(leakyCrashMessage);
          case 'hang':
            await new Promise((resolve) => context.signal.addEventListener('abort', resolve, { once: true }));
            throw context.signal.reason;
          case 'block':
            await new Promise<void>((resolve) => {
              observations.release = resolve;
            });
            break;
        }
        return { text: request.text, traceparent, tags: ['echoed', request.text] };
      },
      async *echoStream(request) {
        yield { text: `${request.text} 1` };
        yield { text: `${request.text} 2` };
        if (request.behaviour === 'app_error') {
          throw new AppError('not_found', 'invoice_not_found', 'No such invoice');
        }
      },
    });
  };
}

export interface CapturedLog {
  level: number;
  msg: string;
  [field: string]: unknown;
}

/** A real pino logger whose JSON lines land in `lines`. */
export function capturingLogger() {
  const lines: CapturedLog[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as CapturedLog);
      done();
    },
  });
  return { logger: pino({ level: 'info' }, destination), lines };
}
