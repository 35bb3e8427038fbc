import { defineConfig, port, string } from '../config/index.js';

/** Where a service of its own serves its gRPC API. */
export const grpcServerConfig = defineConfig({
  grpcHost: {
    env: 'FISCAL_GRPC_HOST',
    type: string(),
    default: '127.0.0.1',
    doc: 'Address the gRPC API binds to: loopback unless set (0.0.0.0 in a container, where the gateway reaches it).',
  },
  grpcPort: { env: 'FISCAL_GRPC_PORT', type: port(), default: 50051, doc: 'Port of the service gRPC API.' },
});
