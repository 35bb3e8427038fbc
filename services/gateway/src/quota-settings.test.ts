import { ConfigError, parseConfig } from '@fiscal/kit/config';
import { describe, expect, it } from 'vitest';
import { defaultQuotasPerMinute } from './app/quotas.js';
import { gatewayQuotaConfig, quotasOf } from './quota-settings.js';

describe('gateway quota settings', () => {
  it('defaults to 60, 1,200 and 12,000 requests a minute for free, pro and enterprise callers', () => {
    const quotas = quotasOf(parseConfig(gatewayQuotaConfig, {}));

    expect(quotas).toEqual(defaultQuotasPerMinute);
    expect(quotas).toMatchObject({ free: 60, pro: 1_200, enterprise: 12_000 });
  });

  it('takes each tier from its own variable', () => {
    const quotas = quotasOf(
      parseConfig(gatewayQuotaConfig, {
        FISCAL_RATE_LIMIT_FREE: '10',
        FISCAL_RATE_LIMIT_PRO: '100',
        FISCAL_RATE_LIMIT_ENTERPRISE: '1000',
        FISCAL_RATE_LIMIT_ANONYMOUS: '5',
      }),
    );

    expect(quotas).toEqual({ free: 10, pro: 100, enterprise: 1_000, anonymous: 5 });
  });

  it('names every bad value at once', () => {
    const parse = () =>
      parseConfig(gatewayQuotaConfig, { FISCAL_RATE_LIMIT_FREE: 'lots', FISCAL_RATE_LIMIT_PRO: '0' });

    expect(parse).toThrow(ConfigError);
    expect(parse).toThrow(/FISCAL_RATE_LIMIT_FREE[\s\S]*FISCAL_RATE_LIMIT_PRO/);
  });
});
