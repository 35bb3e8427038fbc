import { hash, verify } from '@node-rs/argon2';
import type { PasswordHasher } from '../domain/index.js';

/** argon2 cost parameters; the defaults are OWASP's argon2id recommendation (19 MiB, 2 passes). */
export interface Argon2Cost {
  memoryCost?: number;
  timeCost?: number;
}

/** argon2id (the library's default algorithm), the hash in PHC form carrying its own parameters. */
export function createArgon2PasswordHasher(cost: Argon2Cost = {}): PasswordHasher {
  const options = { memoryCost: cost.memoryCost ?? 19_456, timeCost: cost.timeCost ?? 2, parallelism: 1 };
  return {
    hash: (password) => hash(password, options),
    async verify(passwordHash, password) {
      try {
        return await verify(passwordHash, password);
      } catch {
        // A malformed stored hash verifies nothing; it must not read as a server error to the caller.
        return false;
      }
    },
  };
}
