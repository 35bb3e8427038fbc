import type { Logger } from 'pino';

/** The order in which a process winds down; every step of a phase finishes before the next phase. */
export const shutdownPhases = ['not-ready', 'stop-accepting', 'drain', 'flush', 'close'] as const;
export type ShutdownPhase = (typeof shutdownPhases)[number];

export interface ShutdownOptions {
  logger: Logger;
  /** Time the whole shutdown may take before the process gives up and exits 1. */
  budgetMs: number;
  exit?: (code: number) => void;
}

interface Step {
  phase: ShutdownPhase;
  name: string;
  run: () => Promise<unknown>;
}

/**
 * Graceful shutdown on SIGTERM/SIGINT: readiness turns false, servers stop accepting, in-flight
 * work drains, outboxes and telemetry flush, connections close, exit 0 — all within one budget.
 * A step that fails or a budget that runs out is logged by name and the process exits 1; a second
 * signal exits at once.
 */
export class ShutdownOrchestrator {
  private readonly steps: Step[] = [];
  private running: Promise<number> | undefined;
  private readonly exit: (code: number) => void;

  constructor(private readonly options: ShutdownOptions) {
    this.exit = options.exit ?? ((code) => process.exit(code));
  }

  register(phase: ShutdownPhase, name: string, run: () => Promise<unknown>): void {
    this.steps.push({ phase, name, run });
  }

  listen(): void {
    const onSignal = (signal: NodeJS.Signals) => {
      if (this.running) {
        this.options.logger.warn({ signal }, 'second signal during shutdown: exiting now');
        this.exit(1);
        return;
      }
      void this.shutdown(signal);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  }

  /** Runs the shutdown once; later calls return the same outcome. Resolves with the exit code. */
  shutdown(reason: string): Promise<number> {
    this.running ??= this.run(reason).then((code) => {
      this.exit(code);
      return code;
    });
    return this.running;
  }

  private async run(reason: string): Promise<number> {
    const { logger, budgetMs } = this.options;
    const deadline = Date.now() + budgetMs;
    logger.info({ reason, budgetMs }, 'shutting down');
    let code = 0;
    for (const phase of shutdownPhases) {
      const steps = this.steps.filter((step) => step.phase === phase);
      const results = await Promise.all(steps.map((step) => this.runStep(step, deadline - Date.now())));
      if (results.includes(false)) code = 1;
    }
    logger.info({ exitCode: code }, code === 0 ? 'shutdown complete' : 'shutdown finished with failures');
    return code;
  }

  private async runStep(step: Step, remainingMs: number): Promise<boolean> {
    const { logger } = this.options;
    if (remainingMs <= 0) {
      logger.error({ phase: step.phase, step: step.name }, 'shutdown budget exhausted before this step');
      return false;
    }
    let timer: NodeJS.Timeout | undefined;
    const overBudget = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), remainingMs);
    });
    try {
      const outcome = await Promise.race([step.run().then(() => 'done' as const), overBudget]);
      if (outcome === 'timeout') {
        logger.error(
          { phase: step.phase, step: step.name },
          'shutdown step did not finish within the budget',
        );
        return false;
      }
      logger.debug({ phase: step.phase, step: step.name }, 'shutdown step done');
      return true;
    } catch (error) {
      logger.error({ phase: step.phase, step: step.name, err: error }, 'shutdown step failed');
      return false;
    } finally {
      clearTimeout(timer);
    }
  }
}
