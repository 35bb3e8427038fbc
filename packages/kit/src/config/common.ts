import { defineConfig } from './config.js';
import { duration, keyValues, number, oneOf, port, secret, string, url } from './parsers.js';

/** Settings every Fiscal process reads, whichever services it runs. */
export const commonConfig = defineConfig({
  logLevel: {
    env: 'FISCAL_LOG_LEVEL',
    type: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const),
    default: 'info',
    doc: 'Minimum level of the JSON log lines written to stdout.',
  },
  otlpEndpoint: {
    env: 'FISCAL_OTLP_ENDPOINT',
    type: url({ protocols: ['http', 'https'] }),
    default: undefined,
    doc: 'OTLP/HTTP collector for traces (e.g. http://jaeger:4318); unset: traces are not exported.',
  },
  traceSampleRatio: {
    env: 'FISCAL_TRACE_SAMPLE_RATIO',
    type: number({ min: 0, max: 1 }),
    default: 1,
    doc: 'Share of new traces that are sampled (0-1); child spans follow their parent.',
  },
  otelExporterOtlpEndpoint: {
    env: 'OTEL_EXPORTER_OTLP_ENDPOINT',
    type: url({ protocols: ['http', 'https'] }),
    default: undefined,
    doc: "OpenTelemetry's standard variable: the OTLP/HTTP collector (traces go to <endpoint>/v1/traces) when FISCAL_OTLP_ENDPOINT is unset.",
  },
  otelServiceName: {
    env: 'OTEL_SERVICE_NAME',
    type: string({ minLength: 1 }),
    default: undefined,
    doc: "service.name of the process's spans; unset: the service it runs (in `fiscal start`, each service its own).",
  },
  otelTracesSampler: {
    env: 'OTEL_TRACES_SAMPLER',
    type: oneOf([
      'always_on',
      'always_off',
      'traceidratio',
      'parentbased_always_on',
      'parentbased_always_off',
      'parentbased_traceidratio',
    ] as const),
    default: undefined,
    doc: "OpenTelemetry's standard sampler; unset: parentbased_traceidratio with FISCAL_TRACE_SAMPLE_RATIO.",
  },
  otelTracesSamplerArg: {
    env: 'OTEL_TRACES_SAMPLER_ARG',
    type: number({ min: 0, max: 1 }),
    default: undefined,
    doc: 'Ratio of the traceidratio samplers (0-1); unset: FISCAL_TRACE_SAMPLE_RATIO.',
  },
  otelResourceAttributes: {
    env: 'OTEL_RESOURCE_ATTRIBUTES',
    type: keyValues(),
    default: undefined,
    doc: 'Resource attributes added to every span, e.g. `deployment.environment=production,service.namespace=fiscal`.',
  },
  shutdownTimeout: {
    env: 'FISCAL_SHUTDOWN_TIMEOUT',
    type: duration(),
    default: 30_000,
    doc: 'Budget for graceful shutdown (250ms, 30s, 5m): in-flight work gets this long, then the process exits 1.',
  },
  adminHost: {
    env: 'FISCAL_ADMIN_HOST',
    type: string(),
    default: '127.0.0.1',
    doc: 'Address of the admin endpoints (/healthz, /readyz, /metrics, /dead-letters): loopback, this machine only, unless set; 0.0.0.0 for Kubernetes probes and Prometheus scrapers.',
  },
  adminPort: {
    env: 'FISCAL_ADMIN_PORT',
    type: port(),
    default: 9090,
    doc: 'Port of the admin endpoints (0 picks a free one).',
  },
  adminToken: {
    env: 'FISCAL_ADMIN_TOKEN',
    type: secret({ minLength: 32 }),
    default: undefined,
    doc: 'Operator token the admin port asks for on all but /healthz, /readyz and /metrics (Authorization: Bearer …; at least 32 characters); unset: `fiscal start` keeps one it generates in <data dir>/admin-token, and with --memory or in `fiscal serve` those endpoints answer 403.',
  },
});
