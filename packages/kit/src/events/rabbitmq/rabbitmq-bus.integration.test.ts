import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { probeService, serviceUrls } from '../../testing/services.js';
import type { EventBus } from '../event-bus.js';
import { runEventBusConformance } from '../testing/bus-conformance.js';
import { createRabbitMqBus, type RabbitMqBus } from './rabbitmq-bus.js';

const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
const available = await probeService('rabbitmq');

/** Deletes what a test run declared: the broker is shared with other runs. */
async function deleteTopology(buses: RabbitMqBus[]) {
  const exchanges = new Set(buses.flatMap((bus) => bus.declared().exchanges));
  const queues = new Set(buses.flatMap((bus) => bus.declared().queues));
  const connection = await amqp.connect(serviceUrls.rabbitmq);
  const channel = await connection.createChannel();
  for (const queue of queues) await channel.deleteQueue(queue);
  for (const exchange of exchanges) await channel.deleteExchange(exchange);
  await connection.close();
}

if (available) {
  runEventBusConformance(
    'RabbitMQ',
    async () => {
      const namePrefix = `test-${randomUUID().slice(0, 8)}.`;
      const created: RabbitMqBus[] = [];
      return {
        async newBus() {
          const bus = createRabbitMqBus({
            url: serviceUrls.rabbitmq,
            namePrefix,
            logger,
            registry: new Registry(),
          });
          created.push(bus);
          return bus;
        },
        async crash(bus: EventBus) {
          await (bus as RabbitMqBus).halt();
        },
        dispose: () => deleteTopology(created),
      };
    },
    { redeliveryWithinMs: 2_000 },
  );
}
