import { once } from 'node:events';
import { connect } from 'node:net';
import Fastify from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { clientGoneSignal } from './client-gone.js';

describe('clientGoneSignal', () => {
  const app = Fastify({ logger: false });
  const seen: { early?: AbortSignal; late?: AbortSignal } = {};
  app.get('/slow', async (_request, reply) => {
    seen.early = clientGoneSignal(reply);
    await once(reply.raw, 'close');
    seen.late = clientGoneSignal(reply);
    return { too: 'late' };
  });

  afterAll(() => app.close());

  it('aborts when the client goes away, even when asked for after it went', async () => {
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as { port: number };
    const client = connect(port, '127.0.0.1');
    client.write('GET /slow HTTP/1.1\r\nHost: localhost\r\n\r\n');
    await expect.poll(() => seen.early).toBeDefined();
    client.destroy();

    await expect.poll(() => seen.late?.aborted).toBe(true);
    expect(seen.early?.aborted).toBe(true);
    expect(seen.late?.reason).toMatchObject({ code: 'client_closed_request' });
  });
});
