import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { HealthRegistry, ShutdownOrchestrator } from '../lifecycle/index.js';
import { runModules } from './run-modules.js';
import type { ServiceModule } from './service-module.js';

const silent = pino({ level: 'silent' });

/** A host's probe and shutdown, and a journal of what the modules were asked to do, in order. */
function fakeProcess() {
  const journal: string[] = [];
  const health = new HealthRegistry(50);
  const shutdown = new ShutdownOrchestrator({ logger: silent, budgetMs: 1_000, exit: () => {} });
  shutdown.register('stop-accepting', 'server', async () => journal.push('stop-accepting server'));
  shutdown.register('close', 'bus', async () => journal.push('close bus'));
  const module = (
    name: string,
    behaviour: { failToStart?: boolean; flush?: boolean; notReady?: boolean } = {},
  ): ServiceModule => ({
    name,
    start: async () => {
      journal.push(`start ${name}`);
      if (behaviour.failToStart) throw new Error(`${name} cannot reach its database`);
    },
    stop: async () => {
      journal.push(`stop ${name}`);
    },
    ...(behaviour.flush && {
      flush: async () => {
        journal.push(`flush ${name}`);
      },
    }),
    readinessChecks: {
      [`${name}-database`]: async () => {
        if (behaviour.notReady) throw new Error('no connection');
      },
    },
  });
  return { journal, host: { health, shutdown }, health, shutdown, module };
}

describe('runModules', () => {
  it('starts the modules one after another in the order given', async () => {
    const { journal, host, module } = fakeProcess();
    await runModules(host, [module('invoice'), module('query'), module('auth')], { flushOnShutdown: false });
    expect(journal).toEqual(['start invoice', 'start query', 'start auth']);
  });

  it("adds every module's readiness checks to the probe", async () => {
    const { host, health, module } = fakeProcess();
    await runModules(host, [module('invoice'), module('query', { notReady: true })], {
      flushOnShutdown: false,
    });
    const readiness = await health.readiness();
    expect(readiness.checks).toEqual({
      'invoice-database': { ok: true },
      'query-database': { ok: false, error: 'no connection' },
    });
  });

  it('on shutdown drains the modules after the servers stop accepting and before the bus closes', async () => {
    const { journal, host, shutdown, module } = fakeProcess();
    await runModules(host, [module('invoice', { flush: true }), module('query')], { flushOnShutdown: false });
    journal.length = 0;
    expect(await shutdown.shutdown('test')).toBe(0);
    expect(journal).toEqual(['stop-accepting server', 'stop invoice', 'stop query', 'close bus']);
  });

  it('flushes the outboxes between the drain and the close when asked to', async () => {
    const { journal, host, shutdown, module } = fakeProcess();
    await runModules(host, [module('invoice', { flush: true }), module('query')], { flushOnShutdown: true });
    journal.length = 0;
    await shutdown.shutdown('test');
    expect(journal).toEqual([
      'stop-accepting server',
      'stop invoice',
      'stop query',
      'flush invoice',
      'close bus',
    ]);
  });

  it('a module that fails to start rejects with its error, and the ones after it never start', async () => {
    const { journal, host, shutdown, module } = fakeProcess();
    const modules = [module('invoice'), module('query', { failToStart: true }), module('auth')];
    await expect(runModules(host, modules, { flushOnShutdown: true })).rejects.toThrow(
      'query cannot reach its database',
    );
    expect(journal).toEqual(['start invoice', 'start query']);
    journal.length = 0;
    await shutdown.shutdown('test');
    expect(journal).toEqual(['stop-accepting server', 'stop invoice', 'close bus']);
  });
});
