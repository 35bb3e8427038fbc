import { retentionConfig } from '@fiscal/invoice';
import { type ConfigOf, defineConfig, duration } from '@fiscal/kit/config';
import type { Database } from '@fiscal/kit/db';
import { pruneInbox } from '@fiscal/kit/inbox';
import type { Host } from './host.js';

/** Consumers forget the events they handled once no redelivery or redrive can bring them again. */
export const inboxRetentionConfig = defineConfig({
  inboxRetention: {
    env: 'FISCAL_INBOX_RETENTION',
    type: duration(),
    default: 7_776_000_000,
    doc: "How long a consumer remembers the events it handled (its inbox), e.g. 2160h (the default, 90 days); keep it well past the dead letters' redrive window.",
  },
  retentionInterval: retentionConfig.retentionInterval,
});

/** Prunes a consumer's inbox on the retention schedule; several replicas pruning at once is harmless. */
export function withInboxRetention<DB>(
  host: Host,
  settings: ConfigOf<typeof inboxRetentionConfig>,
  database: Database<DB>,
): Database<DB> {
  scheduleRetention(host, 'inbox', settings.retentionInterval, async () => {
    const removed = await pruneInbox(database, new Date(Date.now() - settings.inboxRetention));
    if (removed > 0) host.logger.info({ removed }, 'inbox: handled events past their retention forgotten');
  });
  return database;
}

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
