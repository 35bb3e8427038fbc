import type { ConfigOf, commonConfig } from '@fiscal/kit/config';
import type { DeadLetters } from '@fiscal/kit/events';
import { createAdminServer, listen } from '@fiscal/kit/http';
import { HealthRegistry, ShutdownOrchestrator } from '@fiscal/kit/lifecycle';
import { createLogger } from '@fiscal/kit/log';
import { createMetricsRegistry, startTelemetry } from '@fiscal/kit/telemetry';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';

export type HostSettings = ConfigOf<typeof commonConfig>;

/** What every Fiscal process has, whichever services it runs: logs, traces, metrics, probes, shutdown. */
export interface Host {
  logger: Logger;
  registry: Registry;
  health: HealthRegistry;
  shutdown: ShutdownOrchestrator;
  /** Readiness stays false until the process has started everything and listens. */
  markStarted(): void;
  /** Exposes the bus's dead letters on the admin port (`/dead-letters/:group`). */
  provideDeadLetters(deadLetters: DeadLetters): void;
}

export async function startHost(service: string, settings: HostSettings): Promise<Host> {
  const telemetry = startTelemetry({
    service,
    otlpEndpoint: settings.otlpEndpoint,
    sampleRatio: settings.traceSampleRatio,
  });
  const logger = createLogger({ service, level: settings.logLevel });
  const registry = createMetricsRegistry({ service });
  const health = new HealthRegistry();
  const shutdown = new ShutdownOrchestrator({ logger, budgetMs: settings.shutdownTimeout });

  let started = false;
  health.addReadiness('started', async () => {
    if (!started) throw new Error('still starting');
  });

  let deadLetters: DeadLetters | undefined;
  const admin = createAdminServer({ health, registry, logger, deadLetters: () => deadLetters });
  const adminPort = await listen(admin, { host: settings.adminHost, port: settings.adminPort });
  logger.info({ port: adminPort }, 'admin endpoints listening (/healthz, /readyz, /metrics)');

  shutdown.register('not-ready', 'readiness', async () => health.setShuttingDown());
  shutdown.register('flush', 'telemetry', () => telemetry.shutdown());
  shutdown.register('close', 'admin-server', () => admin.close());
  shutdown.listen();
  return {
    logger,
    registry,
    health,
    shutdown,
    markStarted: () => {
      started = true;
    },
    provideDeadLetters: (port) => {
      deadLetters = port;
    },
  };
}
