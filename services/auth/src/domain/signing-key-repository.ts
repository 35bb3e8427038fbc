export type SigningKeyStatus = 'active' | 'previous' | 'retired';

/**
 * An Ed25519 key access tokens are signed with. At most one is active (it signs) and at most one is
 * previous (it still verifies what the active one's predecessor signed); the others are retired.
 */
export interface SigningKey {
  id: string;
  status: SigningKeyStatus;
  publicJwk: Record<string, string>;
  /** The private half as `PrivateKeyCipher.seal` left it. */
  privateKey: string;
  encrypted: boolean;
  createdAt: Date;
}

export type NewSigningKey = Omit<SigningKey, 'status'>;

export interface KeyRotation {
  keyId: string;
  previousKeyId: string | null;
}

/** Port: the signing keys, which every replica shares. */
export interface SigningKeyRepository {
  /** Replicas rotating at once take turns on this lock (until the transaction ends); the second finds the work done. */
  lock(): Promise<void>;
  findActive(): Promise<SigningKey | undefined>;
  /** The keys tokens may be verified with: the active one and the one it replaced, newest first. */
  listPublished(): Promise<SigningKey[]>;
  /** `key` becomes active, the active one previous (still published), the previous one retired. */
  rotateTo(key: NewSigningKey): Promise<KeyRotation>;
}

/**
 * Port: seals signing keys' private halves at rest, so a copy of the database alone cannot mint
 * tokens (when a secret is configured), and opens them to sign.
 */
export interface PrivateKeyCipher {
  seal(pem: string): { privateKey: string; encrypted: boolean };
  open(stored: string, encrypted: boolean): string;
}
