export { fromConnectError, toConnectError } from './error-mapping.js';
export { clientInterceptors, serverInterceptors } from './interceptors.js';
export { itemTraceparentsHeader, itemTraceparentsOf, itemTraceparentsValue } from './item-traces.js';
export { createGrpcServer, type GrpcServer, type GrpcServerOptions } from './server.js';
export { serverMetricsInterceptor } from './server-metrics.js';
export { grpcServerConfig } from './server-settings.js';
export {
  type ClientTransportOptions,
  createGrpcClientTransport,
  createInMemoryTransport,
  defaultCallTimeoutMs,
  type GrpcClientTransport,
  type InMemoryTransportOptions,
} from './transports.js';
