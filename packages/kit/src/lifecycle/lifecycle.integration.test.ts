import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { HealthRegistry } from './health.js';
import { InFlightWork } from './in-flight.js';
import { ShutdownOrchestrator } from './shutdown.js';

const kitDir = fileURLToPath(new URL('../../', import.meta.url));
const sourceDir = fileURLToPath(new URL('./', import.meta.url));
const workerScript = fileURLToPath(new URL('./testing/worker-process.mjs', import.meta.url));
const silent = pino({ level: 'silent' });

/** The child process runs the built module, so it must not be older than the source. */
function builtLifecycleIsCurrent(): boolean {
  return readdirSync(sourceDir)
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
    .every((file) => {
      const built = `${kitDir}dist/lifecycle/${file.replace(/\.ts$/, '.js')}`;
      return existsSync(built) && statSync(built).mtimeMs >= statSync(`${sourceDir}${file}`).mtimeMs;
    });
}

interface WorkerRun {
  code: number | null;
  output: string;
  elapsedMs: number;
}

/** Starts the worker, sends SIGTERM once it is ready, and a second SIGTERM once `secondSignalAfter` shows up. */
function runWorker(workMs: number, budgetMs: number, secondSignalAfter?: string): Promise<WorkerRun> {
  return new Promise((resolve, reject) => {
    const startedAt = Date.now();
    const child = spawn(process.execPath, [workerScript, String(workMs), String(budgetMs)], { cwd: kitDir });
    let output = '';
    let signals = 0;
    child.stdout.on('data', (chunk) => {
      output += chunk;
      if (signals === 0 && output.includes('ready\n')) {
        signals = 1;
        child.kill('SIGTERM');
      }
      if (signals === 1 && secondSignalAfter && output.includes(secondSignalAfter)) {
        signals = 2;
        child.kill('SIGTERM');
      }
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, output, elapsedMs: Date.now() - startedAt }));
  });
}

describe('graceful shutdown of a real process', () => {
  beforeAll(async () => {
    if (builtLifecycleIsCurrent()) return;
    const tsc = fileURLToPath(new URL('../../../../node_modules/typescript/bin/tsc', import.meta.url));
    // Type errors elsewhere in the package do not stop tsc from emitting; what matters is a fresh build.
    await new Promise<void>((resolve, reject) => {
      spawn(process.execPath, [tsc, '-b', kitDir], { stdio: 'ignore' }).once('exit', () =>
        builtLifecycleIsCurrent() ? resolve() : reject(new Error('packages/kit did not build')),
      );
    });
  }, 180_000);

  it('on SIGTERM turns not ready, lets the work in flight finish, and exits 0', async () => {
    const { code, output } = await runWorker(300, 5_000);
    expect(output).toContain('readiness during drain: false');
    expect(output).toContain('work finished');
    expect(output.indexOf('work finished')).toBeLessThan(output.indexOf('closed'));
    expect(output).toContain('"msg":"shutdown complete"');
    expect(code).toBe(0);
  }, 15_000);

  it('exits 1 when the work outlasts the shutdown budget, naming the step', async () => {
    const { code, output, elapsedMs } = await runWorker(10_000, 300);
    expect(output).not.toContain('work finished');
    expect(output).toMatch(
      /"phase":"drain","step":"work".*"msg":"shutdown step did not finish within the budget"/,
    );
    expect(code).toBe(1);
    expect(elapsedMs).toBeLessThan(5_000);
  }, 15_000);

  it('exits 1 at once on a second signal', async () => {
    const { code, output, elapsedMs } = await runWorker(10_000, 10_000, 'readiness during drain');
    expect(output).toContain('second signal during shutdown');
    expect(output).not.toContain('work finished');
    expect(code).toBe(1);
    expect(elapsedMs).toBeLessThan(5_000);
  }, 15_000);
});

describe('ShutdownOrchestrator', () => {
  it('runs phases in order and steps of a phase together, once however often it is asked', async () => {
    const order: string[] = [];
    const exits: number[] = [];
    const shutdown = new ShutdownOrchestrator({
      logger: silent,
      budgetMs: 1_000,
      exit: (code) => exits.push(code),
    });
    shutdown.register('close', 'db', async () => order.push('close:db'));
    shutdown.register('drain', 'consumer', async () => order.push('drain:consumer'));
    shutdown.register('not-ready', 'readiness', async () => order.push('not-ready'));
    shutdown.register('stop-accepting', 'http', async () => order.push('stop-accepting:http'));
    const [first, second] = await Promise.all([shutdown.shutdown('test'), shutdown.shutdown('again')]);
    expect(order).toEqual(['not-ready', 'stop-accepting:http', 'drain:consumer', 'close:db']);
    expect([first, second, exits]).toEqual([0, 0, [0]]);
  });

  it('exits 1 when a step fails, but still runs the later phases', async () => {
    const order: string[] = [];
    const exits: number[] = [];
    const shutdown = new ShutdownOrchestrator({
      logger: silent,
      budgetMs: 1_000,
      exit: (code) => exits.push(code),
    });
    shutdown.register('flush', 'outbox', async () => {
      throw new Error('broker gone');
    });
    shutdown.register('close', 'db', async () => order.push('close:db'));
    expect(await shutdown.shutdown('test')).toBe(1);
    expect(order).toEqual(['close:db']);
    expect(exits).toEqual([1]);
  });
});

describe('HealthRegistry', () => {
  it('reports each failing or hung check by name', async () => {
    const health = new HealthRegistry(50);
    health.addReadiness('database', async () => {});
    health.addReadiness('broker', async () => {
      throw new Error('connection refused');
    });
    health.addReadiness('cache', () => new Promise(() => {}));
    const report = await health.readiness();
    expect(report).toEqual({
      ok: false,
      checks: {
        database: { ok: true },
        broker: { ok: false, error: 'connection refused' },
        cache: { ok: false, error: 'no answer within 50 ms' },
      },
    });
  });

  it('is not ready once shutting down, though every check passes', async () => {
    const health = new HealthRegistry();
    health.addReadiness('database', async () => {});
    expect((await health.readiness()).ok).toBe(true);
    health.setShuttingDown();
    expect((await health.readiness()).ok).toBe(false);
    expect((await health.liveness()).ok).toBe(true);
  });
});

describe('InFlightWork', () => {
  it('drains when the work settles, and reports a drain that runs out of time', async () => {
    const work = new InFlightWork();
    let release!: () => void;
    void work.run(() => new Promise<void>((resolve) => (release = resolve)));
    expect(await work.drain(20)).toBe(false);
    release();
    expect(await work.drain(1_000)).toBe(true);
    expect(work.size).toBe(0);
  });
});
