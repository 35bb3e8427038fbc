import { createHash, randomBytes } from 'node:crypto';
import type { AuthStore, PasswordHasher } from '../domain/index.js';

/** What every use case of the service works with. */
export interface AuthContext {
  store: AuthStore;
  passwords: PasswordHasher;
  clock: () => Date;
}

/** `usr_…`, `org_…`, `key_…`: the prefix says what an id names, in logs and support tickets alike. */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(10).toString('hex')}`;
}

/** 256 random bits, URL-safe: refresh tokens and API key secrets. */
export function randomSecret(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Refresh tokens and API keys are stored as their SHA-256. They are 256 random bits, so unlike
 * passwords they cannot be guessed from a dictionary and a slow hash (argon2) would only cost time
 * on every request: a fast digest is enough to make a stolen database useless for calling the API,
 * and it lets lookups go straight through a unique index.
 */
export function digestSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
