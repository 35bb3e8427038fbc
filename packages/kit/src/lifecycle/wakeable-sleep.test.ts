import { describe, expect, it } from 'vitest';
import { createWakeableSleep } from './wakeable-sleep.js';

describe('createWakeableSleep', () => {
  it('sleeps the whole interval when nobody wakes it', async () => {
    const pause = createWakeableSleep();
    const started = Date.now();
    await pause.sleep(30);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
  });

  it('ends a pending sleep on wake', async () => {
    const pause = createWakeableSleep();
    const sleeping = pause.sleep(60_000);
    pause.wake();
    await expect(sleeping).resolves.toBeUndefined();
  });

  it('remembers a wake-up that came while busy, for the next sleep only', async () => {
    const pause = createWakeableSleep();
    pause.wake();
    await pause.sleep(60_000);
    let slept = false;
    const next = pause.sleep(20).then(() => {
      slept = true;
    });
    expect(slept).toBe(false);
    await next;
    expect(slept).toBe(true);
  });
});
