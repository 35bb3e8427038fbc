import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import AjvCompiler, { type BuildCompilerFromPool } from '@fastify/ajv-compiler';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  context,
  isSpanContextValid,
  propagation,
  type Span,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  trace,
} from '@opentelemetry/api';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { currentLogContext, type LogContext, runWithLogContext } from '../log/index.js';
import { type ListenAddress, portInUseOr } from '../net/port-in-use.js';
import { type AccessLogOptions, accessLogSampler } from './access-log.js';
import { refuseControlCharacters } from './control-characters.js';
import { httpMetrics } from './http-metrics.js';
import { installProblemHandlers } from './problem-handler.js';
import { pathOf } from './request-facts.js';
import { installNoSniff } from './security-headers.js';

export interface HttpServerOptions {
  service: string;
  logger: Logger;
  registry: Registry;
  bodyLimitBytes?: number | undefined;
  /** Trust X-Forwarded-* from a proxy in front (ingress). */
  trustProxy?: boolean;
  /** Which requests get an access-log line; all of them by default. */
  accessLog?: AccessLogOptions | undefined;
}

export type HttpServer = FastifyInstance;

const requestIdPattern = /^[A-Za-z0-9._:-]{1,128}$/;

declare module 'fastify' {
  interface FastifyRequest {
    /** The request's server span; none when the caller's trace is not sampled. */
    span?: Span;
    /** The trace the request belongs to, sampled or not; none when tracing is off. */
    traceId?: string;
    /** The request's log context, kept so the access-log line names the caller handlers found. */
    logContext?: LogContext;
  }
}

function requestIdOf(request: IncomingMessage): string {
  const header = request.headers['x-request-id'];
  return typeof header === 'string' && requestIdPattern.test(header) ? header : randomUUID();
}

/** What the compiler Fastify builds from the pool is called with (its published types say otherwise). */
type CompileRouteSchema = (route: { schema: unknown; httpPart?: string }) => unknown;

const buildAjvValidator = AjvCompiler();

/**
 * Query strings, parameters and headers are text, so their schemas coerce (`?limit=10` is a number).
 * A JSON body already has types: `"amount": 1160.5` must not become the string "1160.5" (a float
 * in disguise), so bodies are validated as sent.
 */
const strictBodyValidators = ((externalSchemas, options) => {
  const coercing = buildAjvValidator(externalSchemas, options) as unknown as CompileRouteSchema;
  const strict = buildAjvValidator(externalSchemas, {
    ...options,
    mode: undefined,
    customOptions: { ...options?.customOptions, coerceTypes: false },
  }) as unknown as CompileRouteSchema;
  const compile: CompileRouteSchema = (route) =>
    route.httpPart === 'body' ? strict(route) : coercing(route);
  return compile;
}) as BuildCompilerFromPool;

/**
 * How Fiscal's HTTP servers validate requests (the admin port too): every offending field
 * reported, unknown fields refused rather than dropped, defaults applied, bodies as sent.
 */
export const validationOptions = {
  ajv: {
    customOptions: { allErrors: true, removeAdditional: false, coerceTypes: 'array', useDefaults: true },
  },
  schemaController: { compilersFactory: { buildValidator: strictBodyValidators } },
} satisfies FastifyServerOptions;

/**
 * A Fastify server with what every Fiscal HTTP API has: request ids, a server span per request
 * joined to the caller's trace, RED metrics per route, an access-log line per request (or a sample
 * of the successful fast ones), body
 * limits, no control characters in parameters, query values or JSON strings, RFC 9457
 * problem+json for every error, and `X-Content-Type-Options: nosniff` on every response.
 */
export function createHttpServer(options: HttpServerOptions): FastifyInstance {
  const { logger, registry } = options;
  const metrics = httpMetrics(registry);
  const tracer = trace.getTracer('fiscal-http');
  const logAccess = accessLogSampler(options.accessLog);
  const app = Fastify({
    logger: false,
    bodyLimit: options.bodyLimitBytes ?? 1_048_576,
    genReqId: requestIdOf,
    requestIdHeader: false,
    trustProxy: options.trustProxy ?? false,
    forceCloseConnections: 'idle',
    ...validationOptions,
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    let active = propagation.extract(context.active(), request.headers);
    const caller = trace.getSpanContext(active);
    // A trace the caller chose not to sample gets no span here: the request runs in the caller's
    // context, whose ids its logs and upstream calls carry on.
    if (!caller || !isSpanContextValid(caller) || caller.traceFlags & TraceFlags.SAMPLED) {
      const span = tracer.startSpan(
        `${request.method} ${request.routeOptions.url ?? 'unmatched'}`,
        { kind: SpanKind.SERVER },
        active,
      );
      // Set on a recorded span only: an unsampled one would copy and check them for nothing.
      if (span.isRecording()) {
        // The path only: a query string may carry tokens.
        span.setAttributes({ 'http.request.method': request.method, 'url.path': pathOf(request.url) });
      }
      request.span = span;
      active = trace.setSpan(active, span);
    }
    const spanContext = trace.getSpanContext(active);
    if (spanContext && isSpanContextValid(spanContext)) request.traceId = spanContext.traceId;
    // Continue the request inside the span and the log context, so handlers, their logs and
    // their outgoing calls all carry the same trace and request id.
    context.with(active, () =>
      runWithLogContext({ requestId: request.id }, () => {
        request.logContext = currentLogContext();
        done();
      }),
    );
  });

  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const status = String(reply.statusCode);
    const seconds = reply.elapsedTime / 1_000;
    metrics.requests.inc({ method: request.method, route, status });
    metrics.duration.observe({ method: request.method, route, status }, seconds);
    const span = request.span;
    if (span?.isRecording()) {
      span.updateName(`${request.method} ${route}`);
      span.setAttribute('http.route', route);
      span.setAttribute('http.response.status_code', reply.statusCode);
      if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }
    if (logAccess(reply.statusCode, reply.elapsedTime)) {
      logger.info(
        {
          method: request.method,
          route,
          status: reply.statusCode,
          latency_ms: Math.round(reply.elapsedTime * 10) / 10,
          request_id: request.id,
          trace_id: request.traceId,
          tenant: request.logContext?.tenant,
          subject: request.logContext?.subject,
        },
        'request',
      );
    }
    done();
  });

  refuseControlCharacters(app);
  installNoSniff(app);
  installProblemHandlers(app, logger);
  return app as unknown as FastifyInstance;
}

/**
 * Starts listening and returns the bound port (useful with port 0). A port another process holds is
 * a `PortInUseError` naming `setting`.
 */
export async function listen(server: FastifyInstance, address: ListenAddress): Promise<number> {
  try {
    await server.listen({ host: address.host, port: address.port });
  } catch (error) {
    throw portInUseOr(error, address);
  }
  const bound = server.server.address();
  if (bound === null || typeof bound === 'string') throw new Error('server is not listening on a TCP port');
  return bound.port;
}
