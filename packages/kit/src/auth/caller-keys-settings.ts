import { defineConfig, url } from '../config/index.js';

/** Where a service of its own fetches the keys that verify its callers' access tokens. */
export const callerKeysConfig = defineConfig({
  authGrpcUrl: {
    env: 'FISCAL_AUTH_GRPC_URL',
    type: url({ protocols: ['http'] }),
    doc: 'gRPC address of the auth service: the gateway calls it, every other service fetches the keys that verify its callers from it.',
  },
});
