import { describe, expect, it } from 'vitest';
import { createPrivateKeyCipher } from './signing-key-cipher.js';

describe('private key cipher', () => {
  const pem = '-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n';

  it('with a secret, seals keys so the stored text does not contain them, and opens them again', () => {
    const cipher = createPrivateKeyCipher('a long enough secret');
    const sealed = cipher.seal(pem);
    expect(sealed.encrypted).toBe(true);
    expect(sealed.privateKey).not.toContain('PRIVATE KEY');
    expect(cipher.open(sealed.privateKey, true)).toBe(pem);
  });

  it('refuses to open with another secret or none', () => {
    const sealed = createPrivateKeyCipher('a long enough secret').seal(pem);
    expect(() => createPrivateKeyCipher('another secret here').open(sealed.privateKey, true)).toThrow(
      /wrong secret/,
    );
    expect(() => createPrivateKeyCipher(undefined).open(sealed.privateKey, true)).toThrow(/not set/);
  });

  it('without a secret, stores keys as they are', () => {
    expect(createPrivateKeyCipher(undefined).seal(pem)).toEqual({ privateKey: pem, encrypted: false });
  });
});
