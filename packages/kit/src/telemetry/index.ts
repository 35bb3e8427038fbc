export { createMetricsRegistry } from './metrics.js';
export {
  currentTraceparent,
  extractTraceContext,
  injectTraceContext,
  type SpanOptions,
  startTelemetry,
  type Telemetry,
  type TelemetryOptions,
  withSpan,
} from './tracing.js';
