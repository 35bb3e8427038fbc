import { Code, ConnectError, createClient } from '@connectrpc/connect';
import { describe, expect, it, vi } from 'vitest';
import { PortInUseError } from '../net/index.js';
import { createGrpcServer } from './server.js';
import { capturingLogger, type EchoObservations, registerEchoService } from './testing/echo-service.js';
import { EchoService } from './testing/gen/echo_pb.js';
import { rejectionOf } from './testing/harness.js';
import { createGrpcClientTransport } from './transports.js';

function startServer(closeGraceMs: number) {
  const observations: EchoObservations = { handlerSignals: [] };
  const { logger } = capturingLogger();
  const server = createGrpcServer({ register: registerEchoService(observations), logger, closeGraceMs });
  return { server, observations };
}

describe('gRPC server', () => {
  it('lets a call in flight finish on close while refusing new connections', async () => {
    const { server, observations } = startServer(10_000);
    const { port } = await server.listen({ host: '127.0.0.1', port: 0 });
    const baseUrl = `http://127.0.0.1:${port}`;
    const transport = createGrpcClientTransport({ baseUrl, timeoutMs: 5_000 });
    const inFlight = createClient(EchoService, transport).echo({ text: 'slow', behaviour: 'block' });
    await vi.waitFor(() => expect(observations.release).toBeDefined(), { timeout: 2_000 });

    let closed = false;
    const closing = server.close().then(() => {
      closed = true;
    });
    const latecomer = createGrpcClientTransport({ baseUrl, timeoutMs: 2_000 });
    const refusal = await rejectionOf(createClient(EchoService, latecomer).echo({ text: 'too late' }));
    expect(ConnectError.from(refusal).code).toBe(Code.Unavailable);
    expect(closed).toBe(false);

    observations.release!();
    expect((await inFlight).text).toBe('slow');
    await closing;
    expect(closed).toBe(true);
    transport.close();
    latecomer.close();
  });

  it('cuts calls still running after the grace period, aborting their handlers', async () => {
    const { server, observations } = startServer(100);
    const { port } = await server.listen({ host: '127.0.0.1', port: 0 });
    const transport = createGrpcClientTransport({ baseUrl: `http://127.0.0.1:${port}`, timeoutMs: 10_000 });
    const stuck = rejectionOf(createClient(EchoService, transport).echo({ behaviour: 'hang' }));
    await vi.waitFor(() => expect(observations.handlerSignals).toHaveLength(1), { timeout: 2_000 });

    await server.close();
    expect(observations.handlerSignals[0]?.aborted).toBe(true);
    expect(ConnectError.from(await stuck).code).toBe(Code.Unavailable);
    transport.close();
  });

  it('closes even when a call ignores its abort signal, by cutting its connection', async () => {
    const { server, observations } = startServer(100);
    const { port } = await server.listen({ host: '127.0.0.1', port: 0 });
    const transport = createGrpcClientTransport({ baseUrl: `http://127.0.0.1:${port}`, timeoutMs: 10_000 });
    const stuck = rejectionOf(createClient(EchoService, transport).echo({ behaviour: 'block' }));
    await vi.waitFor(() => expect(observations.release).toBeDefined(), { timeout: 2_000 });

    await server.close();
    expect(await stuck).toBeInstanceOf(ConnectError);
    transport.close();
  });

  it('reports a port already taken instead of hanging', async () => {
    const first = startServer(1_000).server;
    const { port } = await first.listen({ host: '127.0.0.1', port: 0 });
    const second = startServer(1_000).server;
    await expect(second.listen({ host: '127.0.0.1', port })).rejects.toBeInstanceOf(PortInUseError);
    await first.close();
  });
});
