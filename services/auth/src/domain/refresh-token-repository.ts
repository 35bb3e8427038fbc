/**
 * An opaque refresh token as stored: only its SHA-256 is kept. Each works once; the token issued in
 * its place continues its family, so a copied token is noticed when both copies are used.
 */
export interface RefreshToken {
  id: string;
  familyId: string;
  userId: string;
  expiresAt: Date;
  usedAt: Date | null;
  revokedAt: Date | null;
}

export interface NewRefreshToken {
  id: string;
  tokenHash: string;
  familyId: string;
  userId: string;
  expiresAt: Date;
}

/** Port: refresh tokens, by the hash of their secret. */
export interface RefreshTokenRepository {
  add(token: NewRefreshToken): Promise<void>;
  /**
   * Deletes up to `limit` tokens that expired before `now`: nothing accepts them any more, and every
   * login and refresh adds one, so clearing a few each time keeps the store to the live ones.
   */
  deleteExpired(now: Date, limit: number): Promise<void>;
  /** Locks the token until the transaction ends, so two refreshes with one token take turns. */
  findForUpdate(tokenHash: string): Promise<RefreshToken | undefined>;
  markUsed(id: string, at: Date): Promise<void>;
  /** Revokes every live token of a family; returns how many were still live. */
  revokeFamily(familyId: string, at: Date): Promise<number>;
  /** Revokes every live token of a user (suspension). */
  revokeAllOfUser(userId: string, at: Date): Promise<void>;
}
