// Publish N events and consume them through one consumer group, on each event-bus adapter, and
// report events per second. Ratios against the in-memory store (same run) are what to compare.
// Run after `npm run build`: node bench/event-bus-throughput.mjs [events=2000]
import { randomUUID } from 'node:crypto';
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

const total = Number(process.argv[2] ?? 2_000);
const batch = 100;
const logger = pino({ level: 'silent' });

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
    data: { amount: '1160.00' },
    sequence: 1,
    tenant: 'org',
    partitionkey: id,
  };
}

async function measure(name, bus) {
  const type = `bench.t${randomUUID().slice(0, 8)}.happened`;
  let handled = 0;
  let resolveDone;
  const done = new Promise((resolve) => {
    resolveDone = resolve;
  });
  await bus.subscribe({
    group: `bench-${randomUUID().slice(0, 8)}`,
    types: [type],
    prefetch: 64,
    handler: async () => {
      if (++handled === total) resolveDone();
    },
  });
  const start = performance.now();
  for (let sent = 0; sent < total; sent += batch) {
    await bus.publish(Array.from({ length: Math.min(batch, total - sent) }, () => event(type)));
  }
  const published = performance.now();
  await done;
  const end = performance.now();
  await bus.close();
  return {
    adapter: name,
    publishPerSecond: Math.round(total / ((published - start) / 1_000)),
    endToEndPerSecond: Math.round(total / ((end - start) / 1_000)),
  };
}

const rows = [];
rows.push(
  await measure(
    'in-process, memory store',
    createInProcessBus({
      store: createMemoryQueueStore(),
      logger,
      registry: new Registry(),
      pollIntervalMs: 50,
    }),
  ),
);
const embedded = await openEmbeddedPostgres();
const busDatabase = await createDatabase({ engine: 'pglite', embedded, schema: 'bus' });
rows.push(
  await measure(
    'in-process, PGlite store',
    createInProcessBus({
      store: await createSqlQueueStore(busDatabase),
      logger,
      registry: new Registry(),
      pollIntervalMs: 50,
    }),
  ),
);
await embedded.close();
const rabbitmqUrl = process.env.FISCAL_BENCH_RABBITMQ_URL;
if (rabbitmqUrl) {
  const bus = createRabbitMqBus({
    url: rabbitmqUrl,
    namePrefix: `bench-${randomUUID().slice(0, 8)}.`,
    logger,
    registry: new Registry(),
  });
  rows.push(await measure('RabbitMQ', bus));
  // The broker is shared: leave nothing behind.
  const { queues, exchanges } = bus.declared();
  const connection = await amqp.connect(rabbitmqUrl);
  const channel = await connection.createChannel();
  for (const queue of queues) await channel.deleteQueue(queue);
  for (const exchange of exchanges) await channel.deleteExchange(exchange);
  await connection.close();
}
const baseline = rows[0].endToEndPerSecond;
for (const row of rows) row.ratioToMemory = Math.round((row.endToEndPerSecond / baseline) * 100) / 100;
console.table(rows);
