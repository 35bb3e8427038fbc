import type { ApiKey, Scope } from './identity.js';

export interface NewApiKey {
  id: string;
  orgId: string;
  name: string;
  scopes: Scope[];
  prefix: string;
  /** SHA-256 of the secret, which is shown once and never stored. */
  secretHash: string;
  createdBy: string;
}

/** Port: an organisation's API keys, found by the hash of their secret. */
export interface ApiKeyRepository {
  add(key: NewApiKey): Promise<ApiKey>;
  /** Clears the organisation's keys revoked before `revokedBefore`, then counts those it still holds. */
  countKept(orgId: string, revokedBefore: Date): Promise<number>;
  findBySecretHash(secretHash: string): Promise<ApiKey | undefined>;
  /** Oldest first. */
  list(orgId: string): Promise<ApiKey[]>;
  /** Revokes a key of the organisation; false when it has no such key. Revoking twice is a no-op. */
  revoke(orgId: string, id: string, at: Date): Promise<boolean>;
}
