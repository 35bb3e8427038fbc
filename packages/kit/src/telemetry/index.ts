export { createMetricsRegistry } from './metrics.js';
export {
  activeTraceSampled,
  currentTraceparent,
  extractTraceContext,
  injectTraceContext,
  runInTrace,
  type SamplerName,
  type SpanOptions,
  startTelemetry,
  type Telemetry,
  type TelemetryOptions,
  withSpan,
} from './tracing.js';
