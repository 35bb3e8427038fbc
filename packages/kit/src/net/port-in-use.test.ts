import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGrpcServer } from '../grpc/index.js';
import { createHttpServer, listen } from '../http/index.js';
import { ensurePortFree, type ListenAddress, PortInUseError } from './port-in-use.js';

const logger = pino({ level: 'silent' });

/** Every way a process binds a port, each refusing one that is taken the same way. */
const binders: [string, (address: ListenAddress) => Promise<unknown>][] = [
  ['the probe before a slow start', ensurePortFree],
  [
    'an HTTP server',
    (address) => listen(createHttpServer({ service: 'test', logger, registry: new Registry() }), address),
  ],
  ['a gRPC server', (address) => createGrpcServer({ register: () => {}, logger }).listen(address)],
];

describe('a port another process holds', () => {
  let holder: Server;
  let taken: number;
  beforeAll(async () => {
    holder = createServer().listen(0, '127.0.0.1');
    await once(holder, 'listening');
    taken = (holder.address() as { port: number }).port;
  });
  afterAll(() => {
    holder.close();
  });

  it.each(binders)('is refused by %s in one sentence naming the setting that moves it', async (_, bind) => {
    const refusal = await bind({ host: '127.0.0.1', port: taken, setting: 'FISCAL_HTTP_PORT' }).then(
      () => undefined,
      (error: unknown) => error,
    );

    expect(refusal).toBeInstanceOf(PortInUseError);
    expect((refusal as Error).message).toBe(
      `127.0.0.1:${taken} is already in use; set FISCAL_HTTP_PORT to a free port (0 picks one)`,
    );
  });

  it('leaves a free port free after probing it, and port 0 is always free', async () => {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const free = (server.address() as { port: number }).port;
    await new Promise((resolve) => server.close(resolve));

    await ensurePortFree({ host: '127.0.0.1', port: free });
    await ensurePortFree({ host: '127.0.0.1', port: 0 });
    const again = createServer().listen(free, '127.0.0.1');
    await once(again, 'listening');
    again.close();
  });
});
