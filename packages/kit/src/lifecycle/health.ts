export type HealthCheck = () => Promise<void>;

export interface HealthReport {
  ok: boolean;
  checks: Record<string, { ok: boolean; error?: string }>;
}

/**
 * Liveness says the process should not be restarted; readiness says it should get traffic. Each
 * check is bounded so a hung dependency reads as "not ready" instead of a hung probe.
 */
export class HealthRegistry {
  private readonly livenessChecks = new Map<string, HealthCheck>();
  private readonly readinessChecks = new Map<string, HealthCheck>();
  private shuttingDown = false;

  constructor(private readonly checkTimeoutMs = 2_000) {}

  addLiveness(name: string, check: HealthCheck): void {
    this.livenessChecks.set(name, check);
  }

  addReadiness(name: string, check: HealthCheck): void {
    this.readinessChecks.set(name, check);
  }

  /** From now on readiness is false, so load balancers stop sending traffic before we stop listening. */
  setShuttingDown(): void {
    this.shuttingDown = true;
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  liveness(): Promise<HealthReport> {
    return this.run(this.livenessChecks);
  }

  async readiness(): Promise<HealthReport> {
    const report = await this.run(this.readinessChecks);
    if (!this.shuttingDown) return report;
    return { ok: false, checks: { ...report.checks, shutdown: { ok: false, error: 'shutting down' } } };
  }

  private async run(checks: Map<string, HealthCheck>): Promise<HealthReport> {
    const entries = await Promise.all(
      [...checks].map(async ([name, check]) => [name, await this.runOne(check)] as const),
    );
    return { ok: entries.every(([, result]) => result.ok), checks: Object.fromEntries(entries) };
  }

  private async runOne(check: HealthCheck): Promise<{ ok: boolean; error?: string }> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${this.checkTimeoutMs} ms`)),
        this.checkTimeoutMs,
      );
    });
    try {
      await Promise.race([check(), timeout]);
      return { ok: true };
    } catch (error) {
      return { ok: false, error: error instanceof Error ? error.message : String(error) };
    } finally {
      clearTimeout(timer);
    }
  }
}
