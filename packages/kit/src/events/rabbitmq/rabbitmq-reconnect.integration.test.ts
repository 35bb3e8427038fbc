import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { connect as connectTcp, createServer, type Server, type Socket } from 'node:net';
import type { EventEnvelope } from '@fiscal/contracts';
import amqp from 'amqplib';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeService, serviceUrls } from '../../testing/services.js';
import { createRabbitMqBus, type RabbitMqBus } from './rabbitmq-bus.js';

const available = await probeService('rabbitmq');
const logger = pino({ level: 'silent' });

/** A TCP hop between the bus and RabbitMQ that a test can cut and restore, like a broker restart. */
class BrokerLink {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly target: URL) {}

  async open(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connectTcp(Number(this.target.port || 5672), this.target.hostname);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => socket.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    server.listen(this.port, '127.0.0.1');
    await once(server, 'listening');
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    if (server) await new Promise((resolve) => server.close(resolve));
  }
}

function envelope(type: string): EventEnvelope {
  const id = randomUUID();
  return {
    specversion: '1.0',
    id,
    source: 'fiscal/test',
    type,
    subject: id,
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    dataschema: `urn:fiscal:schema:${type}:1.0`,
    data: {},
    sequence: 1,
    tenant: 'org-1',
    partitionkey: id,
  };
}

describe.skipIf(!available)('RabbitMQ bus across a broker outage', () => {
  const link = new BrokerLink(new URL(serviceUrls.rabbitmq));
  const namePrefix = `test-${randomUUID().slice(0, 8)}.`;
  const type = `reconnect.t${randomUUID().slice(0, 8)}.happened`;
  let bus: RabbitMqBus;

  beforeAll(async () => {
    await link.open();
    const url = new URL(serviceUrls.rabbitmq);
    url.host = `127.0.0.1:${link.port}`;
    bus = createRabbitMqBus({
      url: url.toString(),
      namePrefix,
      logger,
      registry: new Registry(),
      publishTimeoutMs: 1_500,
    });
  });

  afterAll(async () => {
    const declared = bus.declared();
    await bus.close();
    await link.cut();
    const connection = await amqp.connect(serviceUrls.rabbitmq);
    const channel = await connection.createChannel();
    for (const queue of declared.queues) await channel.deleteQueue(queue);
    for (const exchange of declared.exchanges) await channel.deleteExchange(exchange);
    await connection.close();
  });

  it('refuses to publish once the outage outlasts its bound, then reconnects and resumes consuming', async () => {
    const received: string[] = [];
    await bus.subscribe({
      group: `reconnect-${randomUUID().slice(0, 8)}`,
      types: [type],
      handler: async (event) => {
        received.push(event.id);
      },
    });
    const before = envelope(type);
    await bus.publish([before]);
    await expect.poll(() => received, { timeout: 10_000 }).toContain(before.id);

    await link.cut();
    await expect(bus.publish([envelope(type)])).rejects.toThrow(/unreachable|closed|connection/i);

    await link.open();
    const after = envelope(type);
    const deadline = Date.now() + 20_000;
    for (;;) {
      try {
        await bus.publish([after]);
        break;
      } catch (error) {
        if (Date.now() > deadline) throw error;
      }
    }
    await expect.poll(() => received, { timeout: 20_000 }).toContain(after.id);
    expect(received).toContain(before.id);
  });
});
