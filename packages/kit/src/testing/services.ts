import { connect } from 'node:net';

/**
 * Integration tests run against the real engines on this machine. When one is absent the tests
 * skip with a clear message, except under `FISCAL_REQUIRE_SERVICES=1` (CI), where an absent
 * engine is a failure: a skipped suite must never pass for a tested one.
 */
export type ExternalService = 'postgres' | 'rabbitmq' | 'redis';

export const serviceUrls: Record<ExternalService, string> = {
  postgres: process.env.FISCAL_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  rabbitmq: process.env.FISCAL_TEST_RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
  redis: process.env.FISCAL_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
};

const defaultPorts: Record<ExternalService, number> = { postgres: 5432, rabbitmq: 5672, redis: 6379 };

/** Resolves true when the service accepts TCP connections; see the module comment for absence. */
export async function probeService(service: ExternalService, timeoutMs = 1_500): Promise<boolean> {
  const url = new URL(serviceUrls[service]);
  const port = Number(url.port || defaultPorts[service]);
  const reachable = await new Promise<boolean>((resolve) => {
    const socket = connect({ host: url.hostname, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
  if (!reachable) {
    const message = `${service} is not reachable at ${url.host}: its integration tests are skipped`;
    if (process.env.FISCAL_REQUIRE_SERVICES === '1') {
      throw new Error(`${message}, but FISCAL_REQUIRE_SERVICES=1 requires it`);
    }
    console.warn(message);
  }
  return reachable;
}
