import { Registry } from 'prom-client';
import { describe, expect, it, vi } from 'vitest';
import { createPolicy } from './policy.js';
import { PolicyRejection } from './rejection.js';
import { type Deferred, deferred, metricValue, rejectionOf } from './testing/helpers.js';

describe('bulkhead', () => {
  it('runs at most `limit` calls, queues up to `queue` more and refuses the rest at once', async () => {
    const registry = new Registry();
    const policy = createPolicy({ name: 'downloads', registry, bulkhead: { limit: 2, queue: 1 } });
    const releases: Deferred<void>[] = [];
    let running = 0;
    let mostRunning = 0;
    const blockingCall = () =>
      policy.execute(async () => {
        running++;
        mostRunning = Math.max(mostRunning, running);
        const release = deferred();
        releases.push(release);
        await release.promise;
        running--;
      });

    const calls = [blockingCall(), blockingCall(), blockingCall()];
    expect(releases).toHaveLength(2);
    expect(await metricValue(registry, 'resilience_bulkhead_active', { policy: 'downloads' })).toBe(2);
    expect(await metricValue(registry, 'resilience_bulkhead_queued', { policy: 'downloads' })).toBe(1);

    const refusedUpstream = vi.fn(async () => undefined);
    const refusal = await rejectionOf(policy.execute(refusedUpstream));
    expect(refusedUpstream).not.toHaveBeenCalled();
    expect(refusal).toBeInstanceOf(PolicyRejection);
    expect(refusal).toMatchObject({ kind: 'unavailable', code: 'bulkhead_full', retryAfterSeconds: 1 });
    expect(await metricValue(registry, 'resilience_bulkhead_rejected_total', { policy: 'downloads' })).toBe(
      1,
    );
    expect(
      await metricValue(registry, 'resilience_calls_total', {
        policy: 'downloads',
        outcome: 'bulkhead_full',
      }),
    ).toBe(1);

    releases[0]!.resolve();
    await vi.waitFor(() => expect(releases).toHaveLength(3), { timeout: 2_000 });
    expect(await metricValue(registry, 'resilience_bulkhead_queued', { policy: 'downloads' })).toBe(0);

    releases[1]!.resolve();
    releases[2]!.resolve();
    await Promise.all(calls);
    expect(mostRunning).toBe(2);
    expect(await metricValue(registry, 'resilience_bulkhead_active', { policy: 'downloads' })).toBe(0);
  });

  it('refuses immediately when there is no queue', async () => {
    const policy = createPolicy({
      name: 'downloads',
      registry: new Registry(),
      bulkhead: { limit: 1, queue: 0 },
    });
    const release = deferred();
    const first = policy.execute(() => release.promise);
    expect(await rejectionOf(policy.execute(async () => undefined))).toMatchObject({ code: 'bulkhead_full' });
    release.resolve();
    await first;
  });

  it('does not count its own refusals against the breaker', async () => {
    const policy = createPolicy({
      name: 'downloads',
      registry: new Registry(),
      bulkhead: { limit: 1, queue: 0 },
      breaker: { consecutiveFailures: 1, halfOpenAfterMs: 60_000 },
    });
    const release = deferred();
    const first = policy.execute(() => release.promise);
    await rejectionOf(policy.execute(async () => undefined));
    await rejectionOf(policy.execute(async () => undefined));
    release.resolve();
    await first;
    expect(policy.breakerState).toBe('closed');
  });
});
