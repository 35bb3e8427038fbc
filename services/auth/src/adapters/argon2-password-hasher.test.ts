import { describe, expect, it } from 'vitest';
import { createArgon2PasswordHasher } from './argon2-password-hasher.js';

describe('argon2 password hasher', () => {
  const hasher = createArgon2PasswordHasher({ memoryCost: 1024, timeCost: 1 });

  it('hashes with argon2id and verifies the same password only', async () => {
    const hash = await hasher.hash('s3cret password');
    expect(hash).toMatch(/^\$argon2id\$/);
    expect(hash).not.toContain('s3cret');
    expect(await hasher.verify(hash, 's3cret password')).toBe(true);
    expect(await hasher.verify(hash, 's3cret Password')).toBe(false);
  });

  it('salts every hash', async () => {
    expect(await hasher.hash('same')).not.toBe(await hasher.hash('same'));
  });

  it('a malformed stored hash verifies nothing rather than throwing', async () => {
    expect(await hasher.verify('not-a-hash', 'anything')).toBe(false);
  });

  it('defaults to OWASP cost parameters', async () => {
    const hash = await createArgon2PasswordHasher().hash('x');
    expect(hash).toContain('m=19456,t=2,p=1');
  });
});
