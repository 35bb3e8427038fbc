import { type ConfigOf, defineConfig, integer } from '@fiscal/kit/config';
import { defaultQuotasPerMinute, type QuotasPerMinute } from './app/quotas.js';

const perMinute = integer({ min: 1, max: 10_000_000 });

/** The gateway's per-caller quotas, by tier; shared by every replica when they share a Redis. */
export const gatewayQuotaConfig = defineConfig({
  rateLimitFree: {
    env: 'FISCAL_RATE_LIMIT_FREE',
    type: perMinute,
    default: defaultQuotasPerMinute.free,
    doc: 'Requests per minute allowed to each caller (user or API key) of a free-tier organisation.',
  },
  rateLimitPro: {
    env: 'FISCAL_RATE_LIMIT_PRO',
    type: perMinute,
    default: defaultQuotasPerMinute.pro,
    doc: 'Requests per minute allowed to each caller of a pro-tier organisation.',
  },
  rateLimitEnterprise: {
    env: 'FISCAL_RATE_LIMIT_ENTERPRISE',
    type: perMinute,
    default: defaultQuotasPerMinute.enterprise,
    doc: 'Requests per minute allowed to each caller of an enterprise-tier organisation.',
  },
  rateLimitAnonymous: {
    env: 'FISCAL_RATE_LIMIT_ANONYMOUS',
    type: perMinute,
    default: defaultQuotasPerMinute.anonymous,
    doc: 'Requests per minute allowed to each client address on routes that need no credentials (login, refresh).',
  },
});

export function quotasOf(config: ConfigOf<typeof gatewayQuotaConfig>): QuotasPerMinute {
  return {
    free: config.rateLimitFree,
    pro: config.rateLimitPro,
    enterprise: config.rateLimitEnterprise,
    anonymous: config.rateLimitAnonymous,
  };
}
