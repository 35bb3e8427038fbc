import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { DeadLetters } from '../events/index.js';
import type { HealthRegistry } from '../lifecycle/index.js';
import { registerDeadLetterRoutes } from './admin-dead-letters.js';

export interface AdminServerOptions {
  health: HealthRegistry;
  registry: Registry;
  logger: Logger;
  /** The bus's dead letters, once the process has a bus (the admin port listens before). */
  deadLetters?: () => DeadLetters | undefined;
}

/**
 * The admin port of every process: probes and the Prometheus scrape, on plain HTTP/1.1 so they
 * never depend on the API protocol (gRPC) or its authentication.
 */
export function createAdminServer({
  health,
  registry,
  logger,
  deadLetters,
}: AdminServerOptions): FastifyInstance {
  const app = Fastify({ logger: false, forceCloseConnections: true });
  app.get('/healthz', async (_request, reply) => {
    const report = await health.liveness();
    return reply
      .code(report.ok ? 200 : 503)
      .send({ status: report.ok ? 'ok' : 'failing', checks: report.checks });
  });
  app.get('/readyz', async (_request, reply) => {
    const report = await health.readiness();
    return reply
      .code(report.ok ? 200 : 503)
      .send({ status: report.ok ? 'ready' : 'not_ready', checks: report.checks });
  });
  app.get('/metrics', async (_request, reply) => {
    const body = await registry.metrics();
    return reply.type(registry.contentType).send(body);
  });
  if (deadLetters) registerDeadLetterRoutes(app, deadLetters);
  app.setErrorHandler((error: Error & { statusCode?: number; validation?: unknown }, _request, reply) => {
    if (error.validation) return reply.code(400).send({ status: 'invalid', message: error.message });
    if (error.statusCode === 503)
      return reply.code(503).send({ status: 'unavailable', message: error.message });
    logger.error({ err: error }, 'admin endpoint failed');
    return reply.code(500).send({ status: 'error' });
  });
  return app;
}
