import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { DeadLetters } from '../events/index.js';
import type { HealthRegistry } from '../lifecycle/index.js';
import { registerDeadLetterRoutes } from './admin-dead-letters.js';
import { validationOptions } from './http-server.js';
import { requireOperatorToken } from './operator-token.js';
import { installProblemHandlers } from './problem-handler.js';
import { installNoSniff } from './security-headers.js';

export interface AdminServerOptions {
  health: HealthRegistry;
  registry: Registry;
  logger: Logger;
  /**
   * What operators authenticate with (`Authorization: Bearer …`) on everything but the probes and
   * metrics. Undefined: no token is configured, and those routes answer 403.
   */
  operatorToken: string | undefined;
  /** The bus's dead letters, once the process has a bus (the admin port listens before). */
  deadLetters?: () => DeadLetters | undefined;
}

/** Probes and the Prometheus scrape: what kubelets and scrapers call, without credentials. */
const openRoutes = ['/healthz', '/readyz', '/metrics'];

/**
 * The admin port of every process: probes and the Prometheus scrape, on plain HTTP/1.1 so they
 * never depend on the API protocol (gRPC) or its authentication; operators' endpoints beside them
 * need the operator token. Errors are problem+json, as on the public API.
 */
export function createAdminServer({
  health,
  registry,
  logger,
  operatorToken,
  deadLetters,
}: AdminServerOptions): FastifyInstance {
  const app = Fastify({ logger: false, forceCloseConnections: true, ...validationOptions });
  const observeReadiness = readinessMetrics(registry, health);
  installNoSniff(app);
  requireOperatorToken(app, { token: operatorToken, openRoutes });
  app.get('/healthz', async (_request, reply) => {
    const report = await health.liveness();
    return reply
      .code(report.ok ? 200 : 503)
      .send({ status: report.ok ? 'ok' : 'failing', checks: report.checks });
  });
  app.get('/readyz', async (_request, reply) => {
    const report = await health.readiness();
    observeReadiness(report.ok);
    return reply
      .code(report.ok ? 200 : 503)
      .send({ status: report.ok ? 'ready' : 'not_ready', checks: report.checks });
  });
  // `?name=a&name=b` serves those metrics alone, as Prometheus' own `match[]` narrows a federation
  // scrape: a caller polling a few counters does not make every gauge collect (some count rows).
  app.get<{ Querystring: { name?: string | string[] } }>(
    '/metrics',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: {
            name: {
              anyOf: [
                { type: 'string', maxLength: 200 },
                { type: 'array', items: { type: 'string', maxLength: 200 }, maxItems: 50 },
              ],
            },
          },
        },
      },
    },
    async (request, reply) => {
      const { name } = request.query;
      const body =
        name === undefined ? await registry.metrics() : await metricsNamed(registry, [name].flat());
      return reply.type(registry.contentType).send(body);
    },
  );
  if (deadLetters) registerDeadLetterRoutes(app, deadLetters);
  installProblemHandlers(app, logger);
  return app;
}

async function metricsNamed(registry: Registry, names: readonly string[]): Promise<string> {
  const texts = await Promise.all(
    names
      .filter((name) => registry.getSingleMetric(name))
      .map((name) => registry.getSingleMetricAsString(name)),
  );
  return texts.map((text) => `${text}\n`).join('');
}

/**
 * `readiness_status` (1 ready, 0 not) as the last probe or scrape found it, and
 * `readiness_changes_total`, counting each flip, so a process that keeps going in and out of
 * readiness shows even when every scrape happens to find it ready.
 */
function readinessMetrics(registry: Registry, health: HealthRegistry): (ready: boolean) => void {
  let last: boolean | undefined;
  const changes = new Counter({
    name: 'readiness_changes_total',
    help: 'Times the readiness of the process changed (ready to not ready or back), as probes and scrapes saw it',
    registers: [registry],
  });
  const observe = (ready: boolean) => {
    if (last !== undefined && last !== ready) changes.inc();
    last = ready;
  };
  new Gauge({
    name: 'readiness_status',
    help: 'Whether the process is ready for traffic (1) or not (0), evaluated at scrape time',
    registers: [registry],
    async collect() {
      const report = await health.readiness();
      observe(report.ok);
      this.set(report.ok ? 1 : 0);
    },
  });
  return observe;
}
