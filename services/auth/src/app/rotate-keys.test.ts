import { decodeProtectedHeader } from 'jose';
import { beforeEach, describe, expect, it } from 'vitest';
import { eventsOf, type MemoryAuth, startMemoryAuth } from '../testing/memory-auth.js';

const day = 86_400_000;

describe('signing-key rotation', () => {
  let auth: MemoryAuth;
  const signIn = async () => (await auth.login('viewer@acme.test', 'viewer-password')).accessToken;

  beforeEach(async () => {
    auth = await startMemoryAuth();
    await auth.addOrganization('org_acme');
    await auth.addUser('org_acme', 'viewer@acme.test', 'viewer-password');
  });

  it('keeps the replaced key published for one rotation, then retires it', async () => {
    const token = await signIn();
    const signedBy = decodeProtectedHeader(token).kid;

    const first = await auth.rotateKeys();
    expect(first?.previousKeyId).toBe(signedBy);
    await expect(auth.verify(token)).resolves.toBeDefined();
    const fresh = await signIn();
    expect(decodeProtectedHeader(fresh).kid).toBe(first?.keyId);

    await auth.rotateKeys();
    expect((await auth.accessTokens.jwks()).keys).toHaveLength(2);
    await expect(auth.verify(token)).rejects.toThrow();
    await expect(auth.verify(fresh)).resolves.toBeDefined();
    expect(eventsOf(auth.store, 'auth.key.rotated').map((event) => event.subject)).toContain(first?.keyId);
  });

  it('rotates on schedule only once the active key is old enough, and never with the schedule off', async () => {
    const schedule = 30 * day;
    expect(await auth.rotateKeys({ ifOlderThanMs: schedule })).toBeUndefined();
    expect(await auth.rotateKeys({ ifOlderThanMs: 0 })).toBeUndefined();

    auth.advance(schedule);
    const [before] = eventsOf(auth.store, 'auth.key.rotated');
    const rotation = await auth.rotateKeys({ ifOlderThanMs: schedule });

    expect(rotation).toEqual({ keyId: expect.stringMatching(/^sig_/), previousKeyId: before?.subject });
    expect(eventsOf(auth.store, 'auth.key.rotated')).toHaveLength(2);
  });
});
