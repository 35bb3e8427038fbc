import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { HealthRegistry } from '../lifecycle/index.js';

export interface AdminServerOptions {
  health: HealthRegistry;
  registry: Registry;
  logger: Logger;
}

/**
 * The admin port of every process: probes and the Prometheus scrape, on plain HTTP/1.1 so they
 * never depend on the API protocol (gRPC) or its authentication.
 */
export function createAdminServer({ health, registry, logger }: AdminServerOptions): FastifyInstance {
  const app = Fastify({ logger: false, forceCloseConnections: true });
  app.get('/healthz', async (_request, reply) => {
    const report = await health.checkLiveness();
    return reply
      .code(report.ok ? 200 : 503)
      .send({ status: report.ok ? 'ok' : 'failing', checks: report.checks });
  });
  app.get('/readyz', async (_request, reply) => {
    const report = await health.checkReadiness();
    return reply
      .code(report.ok ? 200 : 503)
      .send({ status: report.ok ? 'ready' : 'not_ready', checks: report.checks });
  });
  app.get('/metrics', async (_request, reply) => {
    const body = await registry.metrics();
    return reply.type(registry.contentType).send(body);
  });
  app.setErrorHandler((error, _request, reply) => {
    logger.error({ err: error }, 'admin endpoint failed');
    return reply.code(500).send({ status: 'error' });
  });
  return app;
}
