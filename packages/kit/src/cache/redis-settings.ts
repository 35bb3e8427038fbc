import { defineConfig, string, url } from '../config/index.js';

/** The Redis that processes of distributed mode share. */
export const redisConfig = defineConfig({
  redisUrl: {
    env: 'FISCAL_REDIS_URL',
    type: url({ protocols: ['redis', 'rediss'] }),
    doc: 'Redis: read-model cache, rate limits, failed-login counters and token revocations (distributed mode).',
  },
  redisKeyPrefix: {
    env: 'FISCAL_REDIS_KEY_PREFIX',
    type: string(),
    default: 'fiscal:',
    doc: 'Prefix of every Redis key, to keep environments apart on one Redis.',
  },
});
