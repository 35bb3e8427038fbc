// A process with work in flight, for the graceful-shutdown tests: node worker-process.mjs <workMs> <budgetMs>
// It prints "ready" once the work has started; shutdown log lines go to stdout as JSON.
import { pino } from 'pino';
import { HealthRegistry, InFlightWork, ShutdownOrchestrator } from '../../../dist/lifecycle/index.js';

const [workMs, budgetMs] = process.argv.slice(2).map(Number);
const logger = pino({ level: 'info' });
const health = new HealthRegistry();
const work = new InFlightWork();
const shutdown = new ShutdownOrchestrator({ logger, budgetMs });

shutdown.register('not-ready', 'readiness', async () => health.setShuttingDown());
shutdown.register('drain', 'work', async () => {
  const readiness = await health.readiness();
  console.log(`readiness during drain: ${readiness.ok}`);
  await work.drain(budgetMs);
});
shutdown.register('close', 'resources', async () => console.log('closed'));
shutdown.listen();

void work.run(
  () =>
    new Promise((resolve) =>
      setTimeout(() => {
        console.log('work finished');
        resolve();
      }, workMs),
    ),
);
console.log('ready');
