import { createMemoryCache } from '@fiscal/kit/cache';
import { createInMemoryTransport } from '@fiscal/kit/grpc';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { createGatewayServer } from '../main.js';

/**
 * The OpenAPI document of the public API, as a gateway serves it at `/docs/json`, without starting
 * one: routes are built, never called, so no upstream is needed. What the committed document and
 * the typed client in `@fiscal/contracts/http` are generated from.
 */
export async function openApiDocument(): Promise<Record<string, unknown>> {
  const logger = pino({ level: 'silent' });
  const registry = new Registry();
  const transport = createInMemoryTransport(() => {}, { logger });
  const app = createGatewayServer({
    logger,
    registry,
    invoiceTransport: transport,
    queryTransport: transport,
    authTransport: transport,
    analyticsTransport: transport,
    notificationTransport: transport,
    revocations: createMemoryCache({ name: 'revocations', registry, maxEntries: 1 }),
  });
  try {
    const response = await app.inject({ method: 'GET', url: '/docs/json' });
    if (response.statusCode !== 200) throw new Error(`/docs/json answered ${response.statusCode}`);
    return response.json();
  } finally {
    await app.close();
  }
}
