import type { ApiKeyRepository } from './api-key-repository.js';
import type { AuthEvent } from './auth-event.js';
import type { IdentityRepository } from './identity-repository.js';
import type { RefreshTokenRepository } from './refresh-token-repository.js';
import type { SigningKeyRepository } from './signing-key-repository.js';

export interface AuthRepositories {
  identities: IdentityRepository;
  refreshTokens: RefreshTokenRepository;
  apiKeys: ApiKeyRepository;
  signingKeys: SigningKeyRepository;
}

/** The repositories inside one transaction, and the events its work raises. */
export interface AuthUnitOfWork extends AuthRepositories {
  /** Recorded with the transaction's changes: published when it commits, never when it does not. */
  raise(...events: AuthEvent[]): void;
}

/**
 * Port: the auth service's store. Its repositories read and write one statement at a time; changes
 * that belong together go through `transaction`, which saves them and the events they raised
 * (outbox) all or nothing. Inside `work`, use the unit's repositories, never the store's.
 */
export interface AuthStore extends AuthRepositories {
  transaction<T>(work: (unit: AuthUnitOfWork) => Promise<T>): Promise<T>;
}
