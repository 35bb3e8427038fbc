// Publish N events in batches of 100 and consume them through one consumer group, on each event-bus
// adapter, and report events per second and CPU per event. On RabbitMQ the adapter is compared with
// raw amqplib doing the same work in the same run: a quorum queue, the same batches published with
// confirms, prefetch 64, one ack per message.
// Run after `npm run build`:
//   FISCAL_BENCH_RABBITMQ_URL=amqp://guest:guest@127.0.0.1:5672 node bench/event-bus-throughput.mjs [events=10000]
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import amqp from 'amqplib';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { createDatabase, openEmbeddedPostgres } from '../packages/kit/dist/db/index.js';
import {
  createInProcessBus,
  createMemoryQueueStore,
  createRabbitMqBus,
  createSqlQueueStore,
} from '../packages/kit/dist/events/index.js';

const total = Number(process.argv[2] ?? 10_000);
const batch = 100;
const prefetch = 64;
const logger = pino({ level: 'silent' });
const rabbitmqUrl = process.env.FISCAL_BENCH_RABBITMQ_URL;

function event(type) {
  const id = randomUUID();
  return {
    specversion: '1.0',
    id,
    source: 'bench',
    type,
    subject: id,
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    dataschema: `urn:fiscal:schema:${type}:1.0`,
    data: { invoiceId: id, amount: '1160.00', currency: 'MXN', issuer: 'EKU9003173C9' },
    sequence: 1,
    tenant: 'org',
    partitionkey: id,
  };
}

/** CPU ms of this process and of the broker (beam.smp), for per-event figures. */
function cpuMs() {
  const own = process.cpuUsage();
  let broker = 0;
  for (const pid of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    try {
      if (!readFileSync(`/proc/${pid}/comm`, 'utf8').startsWith('beam.smp')) continue;
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      broker += (Number(fields[11]) + Number(fields[12])) * 10;
    } catch {
      // Gone between listing and reading.
    }
  }
  return { node: (own.user + own.system) / 1_000, broker };
}

async function timed(name, run) {
  const cpuBefore = cpuMs();
  const start = performance.now();
  const publishedAt = await run();
  const end = performance.now();
  const cpuAfter = cpuMs();
  return {
    variant: name,
    'publish/s': Math.round(total / ((publishedAt - start) / 1_000)),
    'end to end/s': Math.round(total / ((end - start) / 1_000)),
    'node µs/event': Math.round(((cpuAfter.node - cpuBefore.node) / total) * 1_000),
    'broker µs/event': Math.round(((cpuAfter.broker - cpuBefore.broker) / total) * 1_000),
  };
}

async function throughBus(name, bus, handling) {
  const type = `bench.t${randomUUID().slice(0, 8)}.happened`;
  let handled = 0;
  let resolveDone;
  const done = new Promise((resolve) => {
    resolveDone = resolve;
  });
  const count = (events) => {
    handled += events;
    if (handled === total) resolveDone();
  };
  await bus.subscribe(
    handling === 'batch'
      ? {
          group: `bench-${randomUUID().slice(0, 8)}`,
          types: [type],
          prefetch,
          handleBatch: async (items) => count(items.length),
        }
      : {
          group: `bench-${randomUUID().slice(0, 8)}`,
          types: [type],
          prefetch,
          handler: async () => count(1),
        },
  );
  const row = await timed(name, async () => {
    for (let sent = 0; sent < total; sent += batch) {
      await bus.publish(Array.from({ length: Math.min(batch, total - sent) }, () => event(type)));
    }
    const published = performance.now();
    await done;
    return published;
  });
  await bus.close();
  return row;
}

/**
 * The same work with amqplib alone: what the adapter adds is the difference. `perMessage` events
 * travel in one message (CloudEvents' batched mode, as the adapter sends events published together).
 */
async function rawAmqplib(prefix, perMessage) {
  const connection = await amqp.connect(rabbitmqUrl, { noDelay: true });
  const publisher = await connection.createConfirmChannel();
  const consumer = await connection.createChannel();
  const exchange = `${prefix}raw`;
  const queue = `${prefix}raw.queue`;
  const type = 'bench.raw.happened';
  await publisher.assertExchange(exchange, 'topic', { durable: true });
  await consumer.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  await consumer.bindQueue(queue, exchange, type);
  await consumer.prefetch(prefetch);
  let handled = 0;
  let resolveDone;
  const done = new Promise((resolve) => {
    resolveDone = resolve;
  });
  await consumer.consume(queue, (message) => {
    // The queue's deletion at the end cancels the consumer with a null message.
    if (!message) return;
    const body = JSON.parse(message.content.toString('utf8'));
    consumer.ack(message);
    handled += Array.isArray(body) ? body.length : 1;
    if (handled === total) resolveDone();
  });
  const label =
    perMessage === 1
      ? 'RabbitMQ, raw amqplib, an event a message'
      : `RabbitMQ, raw amqplib, ${perMessage} events a message`;
  const row = await timed(label, async () => {
    for (let sent = 0; sent < total; sent += batch) {
      const events = Array.from({ length: Math.min(batch, total - sent) }, () => event(type));
      const messages = [];
      for (let first = 0; first < events.length; first += perMessage) {
        const slice = events.slice(first, first + perMessage);
        messages.push(perMessage === 1 ? slice[0] : slice);
      }
      await Promise.all(
        messages.map(
          (body) =>
            new Promise((resolve, reject) =>
              publisher.publish(
                exchange,
                type,
                Buffer.from(JSON.stringify(body)),
                {
                  persistent: true,
                  contentType:
                    perMessage === 1 ? 'application/cloudevents+json' : 'application/cloudevents-batch+json',
                },
                (error) => (error ? reject(error) : resolve()),
              ),
            ),
        ),
      );
    }
    const published = performance.now();
    await done;
    return published;
  });
  await consumer.deleteQueue(queue);
  await publisher.deleteExchange(exchange);
  await connection.close();
  return row;
}

async function removeTopology(bus) {
  const { queues, exchanges } = bus.declared();
  const connection = await amqp.connect(rabbitmqUrl);
  const channel = await connection.createChannel();
  for (const queue of queues) await channel.deleteQueue(queue);
  for (const exchange of exchanges) await channel.deleteExchange(exchange);
  await connection.close();
}

const rows = [];
rows.push(
  await throughBus(
    'in-process, memory store',
    createInProcessBus({
      store: createMemoryQueueStore(),
      logger,
      registry: new Registry(),
      pollIntervalMs: 50,
    }),
    'single',
  ),
);
for (const handling of ['single', 'batch']) {
  const embedded = await openEmbeddedPostgres();
  const busDatabase = await createDatabase({ engine: 'pglite', embedded, schema: 'bus' });
  rows.push(
    await throughBus(
      `in-process, PGlite store, ${handling} handler`,
      createInProcessBus({
        store: await createSqlQueueStore(busDatabase),
        logger,
        registry: new Registry(),
        pollIntervalMs: 50,
      }),
      handling,
    ),
  );
  await embedded.close();
}
if (rabbitmqUrl) {
  rows.push(await rawAmqplib(`bench-${randomUUID().slice(0, 8)}.`, 1));
  // What the adapter sends for 100 events of a type published together.
  const raw = await rawAmqplib(`bench-${randomUUID().slice(0, 8)}.`, 16);
  rows.push(raw);
  for (const handling of ['single', 'batch']) {
    const bus = createRabbitMqBus({
      url: rabbitmqUrl,
      namePrefix: `bench-${randomUUID().slice(0, 8)}.`,
      logger,
      registry: new Registry(),
    });
    const row = await throughBus(`RabbitMQ adapter, ${handling} handler`, bus, handling);
    row['ratio to raw'] = Math.round((row['end to end/s'] / raw['end to end/s']) * 100) / 100;
    rows.push(row);
    await removeTopology(bus);
  }
}
console.table(rows);
