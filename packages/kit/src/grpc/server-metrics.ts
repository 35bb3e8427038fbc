import { Code, ConnectError, type Interceptor } from '@connectrpc/connect';
import { Counter, Histogram, type Registry } from 'prom-client';
import { observeResponse } from './response-end.js';

interface RpcServerMetrics {
  handled: Counter<'grpc_service' | 'grpc_method' | 'grpc_code'>;
  duration: Histogram<'grpc_service' | 'grpc_method'>;
}

const byRegistry = new WeakMap<Registry, RpcServerMetrics>();

function rpcServerMetrics(registry: Registry): RpcServerMetrics {
  let metrics = byRegistry.get(registry);
  if (!metrics) {
    metrics = {
      handled: new Counter({
        name: 'grpc_server_handled_total',
        help: 'gRPC calls a service answered, by service, method and status code',
        labelNames: ['grpc_service', 'grpc_method', 'grpc_code'],
        registers: [registry],
      }),
      duration: new Histogram({
        name: 'grpc_server_handling_seconds',
        help: 'Time a service took to answer a gRPC call, by service and method',
        labelNames: ['grpc_service', 'grpc_method'],
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
        registers: [registry],
      }),
    };
    byRegistry.set(registry, metrics);
  }
  return metrics;
}

/** Status codes as the gRPC specification spells them (`OK`, `INVALID_ARGUMENT`, ...). */
const codeNames = new Map<Code | 0, string>([
  [0, 'OK'],
  ...Object.entries(Code)
    .filter(([, value]) => typeof value === 'number')
    .map(([name, value]) => [value as Code, name.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase()] as const),
]);

/**
 * RED metrics of a gRPC server: calls by status code and their latency, per method. Outermost, so
 * the code counted is the one the caller receives.
 */
export function serverMetricsInterceptor(registry: Registry): Interceptor {
  const metrics = rpcServerMetrics(registry);
  return (next) => (request) => {
    const labels = { grpc_service: request.service.typeName, grpc_method: request.method.name };
    const started = performance.now();
    return observeResponse(next(request), {
      onEnd: (error) => {
        const code = error === undefined ? 0 : ConnectError.from(error).code;
        metrics.handled.inc({ ...labels, grpc_code: codeNames.get(code) ?? String(code) });
        metrics.duration.observe(labels, (performance.now() - started) / 1_000);
      },
    });
  };
}
