import { defineConfig, number } from '../config/index.js';

export interface AccessLogOptions {
  /** Share of successful, fast requests that get an access-log line (0-1); 1 by default. */
  sampleRatio?: number;
  /** A request that took this long or longer always gets a line. */
  slowMs?: number;
  /** Draws the sample (tests pass a fixed sequence). */
  random?: () => number;
}

export const defaultSlowRequestMs = 500;

/** The gateway's access-log sampling (`FISCAL_ACCESS_LOG_SAMPLE_RATIO`). */
export const accessLogConfig = defineConfig({
  accessLogSampleRatio: {
    env: 'FISCAL_ACCESS_LOG_SAMPLE_RATIO',
    type: number({ min: 0, max: 1 }),
    default: 0.1,
    doc: `Share of successful requests the gateway writes an access-log line for (0-1); a request answered 4xx or 5xx, or slower than ${defaultSlowRequestMs} ms, always gets one.`,
  },
});

/**
 * Whether a finished request gets an access-log line. Failures and slow requests are what people
 * read access logs for, so they always do; the rest are counted by the RED metrics anyway, and a
 * sample of them is enough to see what normal traffic looks like.
 */
export function accessLogSampler(
  options: AccessLogOptions = {},
): (status: number, elapsedMs: number) => boolean {
  const ratio = options.sampleRatio ?? 1;
  const slowMs = options.slowMs ?? defaultSlowRequestMs;
  const random = options.random ?? Math.random;
  return (status, elapsedMs) => status >= 400 || elapsedMs >= slowMs || (ratio > 0 && random() < ratio);
}
