import { callerKeysConfig } from '@fiscal/kit/auth';
import { boolean, defineConfig, port, string, url } from '@fiscal/kit/config';

/**
 * Where the public REST API answers. One declaration for both topologies, the bind address's
 * default passed in: `fiscal start` keeps the API on loopback, where only this machine reaches
 * it; `fiscal serve gateway` binds every interface, as it runs in a container behind a load
 * balancer. The port is 8080 in both.
 */
export function gatewayHttpConfig(defaults: { host: string }) {
  return defineConfig({
    httpPort: { env: 'FISCAL_HTTP_PORT', type: port(), default: 8080, doc: 'Port of the public REST API.' },
    httpHost: {
      env: 'FISCAL_HTTP_HOST',
      type: string(),
      default: defaults.host,
      doc: 'Address the REST API binds to; `fiscal serve gateway` defaults to 0.0.0.0.',
    },
  });
}

/** A gateway of its own stands behind a load balancer, which says who the client is. */
export const gatewayProxyConfig = defineConfig({
  trustProxy: {
    env: 'FISCAL_TRUST_PROXY',
    type: boolean(),
    default: false,
    doc: 'Tell clients apart by the X-Forwarded-For of the load balancer in front (only behind one).',
  },
});

/** The services a gateway of its own calls over gRPC (in `fiscal start` they are in the process). */
export const gatewayUpstreamConfig = defineConfig({
  invoiceGrpcUrl: {
    env: 'FISCAL_INVOICE_GRPC_URL',
    type: url({ protocols: ['http'] }),
    doc: 'gRPC address of the invoice service (gateway, distributed mode).',
  },
  queryGrpcUrl: {
    env: 'FISCAL_QUERY_GRPC_URL',
    type: url({ protocols: ['http'] }),
    doc: 'gRPC address of the query service (gateway, distributed mode).',
  },
  ...callerKeysConfig,
  analyticsGrpcUrl: {
    env: 'FISCAL_ANALYTICS_GRPC_URL',
    type: url({ protocols: ['http'] }),
    doc: 'gRPC address of the analytics service (gateway, distributed mode).',
  },
  notificationGrpcUrl: {
    env: 'FISCAL_NOTIFICATION_GRPC_URL',
    type: url({ protocols: ['http'] }),
    doc: 'gRPC address of the notification service (gateway, distributed mode).',
  },
});
