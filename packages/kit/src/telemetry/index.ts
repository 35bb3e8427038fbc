export { createMetricsRegistry } from './metrics.js';
export { startProducerSpans } from './producer-spans.js';
export { ServiceAttributingProcessor, type ServiceOfSpan } from './service-attribution.js';
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
