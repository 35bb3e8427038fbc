import { type ConfigOf, commonConfig } from '@fiscal/kit/config';
import type { DeadLetters } from '@fiscal/kit/events';
import { createAdminServer, listen } from '@fiscal/kit/http';
import { HealthRegistry, ShutdownOrchestrator } from '@fiscal/kit/lifecycle';
import { createLogger, flushLogs } from '@fiscal/kit/log';
import { createMetricsRegistry, startTelemetry } from '@fiscal/kit/telemetry';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { ensureAdminToken } from './admin-token.js';
import { embeddedServiceOfSpan } from './embedded-services.js';

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

export interface HostOptions {
  /**
   * Embedded mode's data directory: without FISCAL_ADMIN_TOKEN, the operator token is the one
   * kept there (generated at the first start). Absent: no token unless configured.
   */
  adminTokenDir?: string | undefined;
}

export async function startHost(
  service: string,
  settings: HostSettings,
  options: HostOptions = {},
): Promise<Host> {
  const telemetry = startTelemetry({
    service: settings.otelServiceName ?? service,
    otlpEndpoint: settings.otlpEndpoint ?? settings.otelExporterOtlpEndpoint,
    sampleRatio: settings.otelTracesSamplerArg ?? settings.traceSampleRatio,
    sampler: settings.otelTracesSampler,
    resourceAttributes: settings.otelResourceAttributes,
    // `fiscal start` (the process named fiscal) runs every service: each exports under its own
    // name, unless OTEL_SERVICE_NAME names them all.
    serviceOfSpan: service === 'fiscal' && !settings.otelServiceName ? embeddedServiceOfSpan : undefined,
  });
  const logger = createLogger({ service, level: settings.logLevel });
  const registry = createMetricsRegistry({ service });
  const health = new HealthRegistry();
  const shutdown = new ShutdownOrchestrator({
    logger,
    budgetMs: settings.shutdownTimeout,
    // Log lines are written asynchronously: the last ones, "shutdown complete" among them, go out first.
    exit: (code) => void flushLogs().finally(() => process.exit(code)),
  });

  let started = false;
  health.addReadiness('started', async () => {
    if (!started) throw new Error('still starting');
  });

  let deadLetters: DeadLetters | undefined;
  const operatorToken = await operatorTokenOf(settings, options, logger);
  const admin = createAdminServer({
    health,
    registry,
    logger,
    operatorToken,
    deadLetters: () => deadLetters,
  });
  const adminPort = await listen(admin, {
    host: settings.adminHost,
    port: settings.adminPort,
    setting: commonConfig.adminPort.env,
  });
  logger.info(
    { host: settings.adminHost, port: adminPort },
    'admin endpoints listening (/healthz, /readyz, /metrics; /dead-letters with the operator token)',
  );

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

/** FISCAL_ADMIN_TOKEN, else embedded mode's own; the token itself is never logged. */
async function operatorTokenOf(
  settings: HostSettings,
  options: HostOptions,
  logger: Logger,
): Promise<string | undefined> {
  if (settings.adminToken) return settings.adminToken;
  if (options.adminTokenDir) {
    const { token, file } = await ensureAdminToken(options.adminTokenDir);
    logger.info({ file }, 'operator token of the admin port (fiscal dlq reads it from there)');
    return token;
  }
  logger.info('no operator token (FISCAL_ADMIN_TOKEN): the admin port serves probes and metrics only');
  return undefined;
}
