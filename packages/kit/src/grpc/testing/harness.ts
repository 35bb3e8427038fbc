import { type Client, createClient, type Transport } from '@connectrpc/connect';
import { createGrpcServer } from '../server.js';
import { createGrpcClientTransport, createInMemoryTransport } from '../transports.js';
import {
  type CapturedLog,
  capturingLogger,
  type EchoObservations,
  registerEchoService,
} from './echo-service.js';
import { EchoService } from './gen/echo_pb.js';

export interface Harness {
  client: Client<typeof EchoService>;
  observations: EchoObservations;
  logs: CapturedLog[];
  close(): Promise<void>;
}

export type HarnessFactory = (options: { timeoutMs?: number }) => Promise<Harness>;

/** The gateway's view in embedded mode: handlers behind an in-memory transport. */
export const inMemoryHarness: HarnessFactory = async ({ timeoutMs }) => {
  const observations: EchoObservations = { handlerSignals: [] };
  const { logger, lines } = capturingLogger();
  const transport: Transport = createInMemoryTransport(registerEchoService(observations), {
    logger,
    timeoutMs,
  });
  return {
    client: createClient(EchoService, transport),
    observations,
    logs: lines,
    close: async () => undefined,
  };
};

/** The gateway's view in distributed mode: a real HTTP/2 server on a free loopback port. */
export const http2Harness: HarnessFactory = async ({ timeoutMs }) => {
  const observations: EchoObservations = { handlerSignals: [] };
  const { logger, lines } = capturingLogger();
  const server = createGrpcServer({
    register: registerEchoService(observations),
    logger,
    closeGraceMs: 2_000,
  });
  const { port } = await server.listen({ host: '127.0.0.1', port: 0 });
  const transport = createGrpcClientTransport({ baseUrl: `http://127.0.0.1:${port}`, timeoutMs });
  return {
    client: createClient(EchoService, transport),
    observations,
    logs: lines,
    async close() {
      transport.close();
      await server.close();
    },
  };
};

export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}
