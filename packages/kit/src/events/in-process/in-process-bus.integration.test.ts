import { pino } from 'pino';
import { Registry } from 'prom-client';
import { createTestDatabase } from '../../testing/databases.js';
import { probeService } from '../../testing/services.js';
import type { EventBus } from '../event-bus.js';
import { runEventBusConformance } from '../testing/bus-conformance.js';
import { createInProcessBus, type InProcessBus } from './in-process-bus.js';
import { createMemoryQueueStore } from './memory-queue-store.js';
import type { QueueStore } from './queue-store.js';
import { createSqlDeadLetterShelf } from './sql-dead-letter-shelf.js';
import { type BusSchema, createSqlQueueStore } from './sql-queue-store.js';

const logger = pino({ level: 'silent' });
const leaseMs = 500;

function environmentOn(store: QueueStore, dispose: () => Promise<void>) {
  return {
    async newBus() {
      return createInProcessBus({ store, logger, registry: new Registry(), leaseMs, pollIntervalMs: 25 });
    },
    // A crashed process simply stops: its leases expire and the messages come back.
    async crash(bus: EventBus) {
      (bus as InProcessBus).halt();
    },
    dispose,
  };
}

runEventBusConformance(
  'in-process bus, memory store',
  async () => environmentOn(createMemoryQueueStore(), async () => {}),
  {
    redeliveryWithinMs: leaseMs,
  },
);

runEventBusConformance(
  'in-process bus, memory store with its dead letters on PGlite',
  async () => {
    const test = await createTestDatabase<BusSchema>('pglite', 'bus');
    const store = createMemoryQueueStore({ deadLetters: await createSqlDeadLetterShelf(test.database) });
    return environmentOn(store, () => test.dispose());
  },
  { redeliveryWithinMs: leaseMs },
);

runEventBusConformance(
  'in-process bus, SQL store on PGlite',
  async () => {
    const test = await createTestDatabase<BusSchema>('pglite', 'bus');
    return environmentOn(await createSqlQueueStore(test.database), () => test.dispose());
  },
  { redeliveryWithinMs: leaseMs },
);

if (await probeService('postgres')) {
  runEventBusConformance(
    'in-process bus, SQL store on PostgreSQL',
    async () => {
      const test = await createTestDatabase<BusSchema>('postgres', 'bus');
      return environmentOn(await createSqlQueueStore(test.database), () => test.dispose());
    },
    { redeliveryWithinMs: leaseMs },
  );
}
