import { createServer, constants as http2Constants, type ServerHttp2Session } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { createClient } from '@connectrpc/connect';
import { connectNodeAdapter } from '@connectrpc/connect-node';
import { afterEach, describe, expect, it } from 'vitest';
import { registerEchoService } from './testing/echo-service.js';
import { EchoService } from './testing/gen/echo_pb.js';
import { createGrpcClientTransport, type GrpcClientTransport } from './transports.js';

describe('a client transport whose server says GOAWAY on an idle connection', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  });

  it('keeps calling on a new connection, and the old one closing never crashes the process', async () => {
    const uncaught: unknown[] = [];
    const record = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', record);
    cleanups.push(() => process.off('uncaughtException', record));

    const sessions: ServerHttp2Session[] = [];
    const server = createServer(connectNodeAdapter({ routes: registerEchoService({ handlerSignals: [] }) }));
    server.on('session', (session) => sessions.push(session));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => {
      for (const session of sessions) session.destroy();
      server.close();
    });
    const transport: GrpcClientTransport = createGrpcClientTransport({
      baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    });
    cleanups.push(() => transport.close());
    const client = createClient(EchoService, transport);

    for (let round = 0; round < 5; round++) {
      expect((await client.echo({ text: `round ${round}` })).text).toBe(`round ${round}`);
      // A load balancer closing an idle connection: GOAWAY, the socket left to the client to close.
      for (const session of sessions.splice(0)) session.goaway(http2Constants.NGHTTP2_NO_ERROR);
      // Calls right behind it, while the old connection is still being torn down.
      const answers = await Promise.all(
        Array.from({ length: 5 }, (_, index) =>
          client.echo({ text: `after ${index}` }).then((answer) => answer.text),
        ),
      );
      expect(answers).toEqual(['after 0', 'after 1', 'after 2', 'after 3', 'after 4']);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(uncaught).toEqual([]);
  });
});
