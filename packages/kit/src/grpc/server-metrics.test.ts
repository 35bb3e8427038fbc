import { createClient } from '@connectrpc/connect';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createGrpcServer } from './server.js';
import { capturingLogger, registerEchoService } from './testing/echo-service.js';
import { EchoService } from './testing/gen/echo_pb.js';
import { rejectionOf } from './testing/harness.js';
import { createGrpcClientTransport } from './transports.js';

describe('gRPC server metrics', () => {
  it('counts each call by method and the status code the caller received, and times it', async () => {
    const registry = new Registry();
    const server = createGrpcServer({
      register: registerEchoService({ handlerSignals: [] }),
      logger: capturingLogger().logger,
      registry,
    });
    const { port } = await server.listen({ host: '127.0.0.1', port: 0 });
    const transport = createGrpcClientTransport({ baseUrl: `http://127.0.0.1:${port}`, timeoutMs: 5_000 });
    const client = createClient(EchoService, transport);
    await client.echo({ text: 'one' });
    await client.echo({ text: 'two' });
    await rejectionOf(client.echo({ behaviour: 'crash' }));
    transport.close();
    await server.close();

    const text = await registry.metrics();
    const service = EchoService.typeName;
    expect(text).toContain(
      `grpc_server_handled_total{grpc_service="${service}",grpc_method="Echo",grpc_code="OK"} 2`,
    );
    expect(text).toContain(
      `grpc_server_handled_total{grpc_service="${service}",grpc_method="Echo",grpc_code="INTERNAL"} 1`,
    );
    expect(text).toContain(
      `grpc_server_handling_seconds_count{grpc_service="${service}",grpc_method="Echo"} 3`,
    );
  });
});
