/** The pause of a poll loop, which a notification of new work cuts short. */
export interface WakeableSleep {
  /** Resolves after `ms`, or at once on `wake()`. */
  sleep(ms: number): Promise<void>;
  /**
   * Ends the pending sleep. A wake-up that comes while the loop is busy (no sleep pending) ends the
   * next sleep at once instead, so work announced mid-pass is never left waiting a whole interval.
   */
  wake(): void;
}

export function createWakeableSleep(): WakeableSleep {
  let wakePending: (() => void) | undefined;
  let wokenWhileBusy = false;
  return {
    sleep(ms) {
      if (wokenWhileBusy) {
        wokenWhileBusy = false;
        return Promise.resolve();
      }
      return new Promise((resolve) => {
        const timer = setTimeout(done, ms);
        function done() {
          clearTimeout(timer);
          wakePending = undefined;
          resolve();
        }
        wakePending = done;
      });
    },
    wake() {
      if (wakePending) wakePending();
      else wokenWhileBusy = true;
    },
  };
}
