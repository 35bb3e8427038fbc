import type { HealthRegistry, ShutdownOrchestrator } from '../lifecycle/index.js';
import type { ServiceModule } from './service-module.js';

/** What a process lends the services it runs: its readiness probe and its shutdown. */
export interface ModuleHost {
  health: Pick<HealthRegistry, 'addReadiness'>;
  shutdown: Pick<ShutdownOrchestrator, 'register'>;
}

export interface RunModulesOptions {
  /**
   * Whether shutdown hands over each module's pending outbox rows (`flush`) after the drain.
   * Distributed mode does: the broker outlives the process and takes them. Embedded mode does
   * not: its bus goes down with the process, so what is unpublished stays in the outboxes and is
   * published at the next start.
   */
  flushOnShutdown: boolean;
}

/**
 * The life of a process's services, the same in every topology: each module's readiness checks
 * join the probe, the modules start one after another in the order given, and shutdown drains
 * every started module (`stop`) together, then flushes them if asked. A module that fails to
 * start rejects with its own error and the later ones are not started; the ones that did start
 * are still drained when the process shuts down.
 */
export async function runModules(
  host: ModuleHost,
  modules: readonly ServiceModule[],
  options: RunModulesOptions,
): Promise<void> {
  for (const module of modules) {
    for (const [name, check] of Object.entries(module.readinessChecks ?? {}))
      host.health.addReadiness(name, check);
    await module.start();
    host.shutdown.register('drain', module.name, () => module.stop());
    if (options.flushOnShutdown && module.flush)
      host.shutdown.register('flush', `${module.name}-outbox`, async () => module.flush?.());
  }
}
