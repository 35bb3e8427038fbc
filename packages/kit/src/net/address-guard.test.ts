import { describe, expect, it } from 'vitest';
import { createAllowList, isForbiddenAddress } from './address-guard.js';

describe('address guard', () => {
  it.each([
    ['127.0.0.1', true],
    ['10.1.2.3', true],
    ['169.254.169.254', true],
    ['192.168.1.1', true],
    ['::1', true],
    ['[::1]', true],
    ['::ffff:10.0.0.1', true],
    ['fd00::1', true],
    ['8.8.8.8', false],
    ['2606:4700::1111', false],
    ['example.com', false],
  ])('judges %s forbidden: %s', (address, forbidden) => {
    expect(isForbiddenAddress(address)).toBe(forbidden);
  });

  it('allows a listed host on any port, or only on its listed port', () => {
    const allowed = createAllowList(['files.internal', '127.0.0.1:8080', '[0:0::1]:443']);

    expect(allowed('FILES.internal', 1234)).toBe(true);
    expect(allowed('127.0.0.1', 8080)).toBe(true);
    expect(allowed('127.0.0.1', 8081)).toBe(false);
    expect(allowed('[::1]', 443)).toBe(true);
  });

  it('refuses a malformed entry at creation', () => {
    expect(() => createAllowList(['http://x/'])).toThrow(RangeError);
  });
});
