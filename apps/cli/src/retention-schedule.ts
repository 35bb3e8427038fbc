import type { Host } from './host.js';

/**
 * Runs `work` every `intervalMs` (0: never) while the process runs, the first time a minute after
 * start-up or sooner, never twice at once; shutdown waits for a run in progress. The work itself
 * opens no span unless it finds something to do, so an idle schedule exports nothing.
 */
export function scheduleRetention(
  host: Host,
  name: string,
  intervalMs: number,
  work: () => Promise<void>,
): void {
  if (intervalMs <= 0) return;
  let running: Promise<void> | undefined;
  const run = () => {
    running ??= work()
      .catch((error: unknown) =>
        host.logger.warn({ err: error, schedule: name }, 'retention run failed; next run retries'),
      )
      .finally(() => {
        running = undefined;
      });
  };
  let interval: NodeJS.Timeout | undefined;
  const first = setTimeout(
    () => {
      run();
      interval = setInterval(run, intervalMs);
      interval.unref();
    },
    Math.min(intervalMs, 60_000),
  );
  first.unref();
  host.shutdown.register('drain', `${name}-retention`, async () => {
    clearTimeout(first);
    clearInterval(interval);
    await running;
  });
}
