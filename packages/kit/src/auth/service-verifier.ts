import { createClient, type Transport } from '@connectrpc/connect';
import { accessTokenAudience, serviceTokenAudience } from '@fiscal/contracts';
import { AuthService } from '@fiscal/contracts/rpc/auth';
import { type AccessTokenVerifier, createAccessTokenVerifier } from './access-token-verifier.js';
import { createJwksKeyStore } from './jwks-key-store.js';

export interface ServiceCallerVerifierOptions {
  /** How to reach the auth service for its published keys (`GetJwks`, which needs no token). */
  authTransport: Transport;
  now?: () => number;
  /** At most one key fetch per this long for tokens naming an unknown key (default 5 s). */
  refetchCooldownMs?: number;
}

/**
 * What a back-end service verifies its callers with: the tokens the gateway forwards (a client's
 * own, or one minted for its API key), against the keys the auth service publishes, fetched on
 * first use, every five minutes, and on an unknown `kid` (a rotation).
 */
export function createServiceCallerVerifier(options: ServiceCallerVerifierOptions): AccessTokenVerifier {
  const now = options.now ?? Date.now;
  const auth = createClient(AuthService, options.authTransport);
  const keys = createJwksKeyStore({
    fetchJwks: async () => (await auth.getJwks({})).jwksJson,
    maxAgeMs: 300_000,
    refetchCooldownMs: options.refetchCooldownMs ?? 5_000,
    now,
  });
  return createAccessTokenVerifier({ keys, audiences: [accessTokenAudience, serviceTokenAudience], now });
}
