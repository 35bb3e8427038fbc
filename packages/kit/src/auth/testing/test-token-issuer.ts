import type { ConnectRouter, Interceptor, Transport } from '@connectrpc/connect';
import { accessTokenAudience, accessTokenIssuer, type ScopeName, scopeNames } from '@fiscal/contracts';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { pino } from 'pino';
import { createInMemoryTransport } from '../../grpc/transports.js';
import { type AccessTokenVerifier, createAccessTokenVerifier } from '../access-token-verifier.js';
import { createJwksKeyStore } from '../jwks-key-store.js';
import { authenticateRpcCallers } from '../rpc-authentication.js';

/** Who a test token stands for; anything left out is an admin user of `org_a` holding every scope. */
export interface TestCaller {
  orgId?: string;
  subject?: string;
  kind?: 'user' | 'api_key';
  role?: 'admin' | 'analyst' | 'viewer';
  scopes?: readonly ScopeName[];
  tier?: 'free' | 'pro' | 'enterprise';
  platformAdmin?: boolean;
  audience?: string;
  ttlSeconds?: number;
}

export interface TestTokenIssuer {
  /** Verifies the tokens below, exactly as a service verifies the auth service's. */
  verifier: AccessTokenVerifier;
  /** The published key set, as the auth service's GetJwks returns it. */
  jwksJson: string;
  token(caller?: TestCaller): Promise<string>;
  /** A client interceptor that sends `caller`'s token with every call, as the gateway does. */
  asCaller(caller?: TestCaller): Interceptor;
  /**
   * The service's handlers behind an in-memory transport that authenticates like a host does, each
   * call carrying `caller`'s token (`null`: none at all).
   */
  transport(
    register: (router: ConnectRouter) => void,
    caller?: TestCaller | null,
    options?: { anonymous?: readonly string[] },
  ): Transport;
}

/**
 * Tokens signed with a key of the test's own, for service tests that call RPCs the way the gateway
 * does: through real verification (signature, issuer, audience, expiry), not around it.
 */
export async function createTestTokenIssuer(): Promise<TestTokenIssuer> {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  const kid = 'test-key';
  const jwksJson = JSON.stringify({
    keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' }],
  });
  const keys = createJwksKeyStore({
    fetchJwks: async () => jwksJson,
    maxAgeMs: 3_600_000,
    refetchCooldownMs: 1_000,
    now: Date.now,
  });
  const verifier = createAccessTokenVerifier({ keys, audiences: [accessTokenAudience, 'fiscal-services'] });
  let issued = 0;

  async function token(caller: TestCaller = {}): Promise<string> {
    const iat = Math.floor(Date.now() / 1000);
    const kind = caller.kind ?? 'user';
    return new SignJWT({
      org: caller.orgId ?? 'org_a',
      kind,
      ...(kind === 'user' ? { role: caller.role ?? 'admin' } : {}),
      scopes: [...(caller.scopes ?? scopeNames)],
      tier: caller.tier ?? 'enterprise',
      ...(caller.platformAdmin ? { padm: true } : {}),
      jti: `atk_test_${++issued}`,
    })
      .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'JWT' })
      .setSubject(caller.subject ?? 'usr_test')
      .setIssuer(accessTokenIssuer)
      .setAudience(caller.audience ?? accessTokenAudience)
      .setIssuedAt(iat)
      .setExpirationTime(iat + (caller.ttlSeconds ?? 900))
      .sign(privateKey);
  }

  function asCaller(caller?: TestCaller): Interceptor {
    const pending = token(caller);
    return (next) => async (request) => {
      request.header.set('authorization', `Bearer ${await pending}`);
      return next(request);
    };
  }

  return {
    verifier,
    jwksJson,
    token,
    asCaller,
    transport(register, caller = {}, options = {}) {
      return createInMemoryTransport(register, {
        logger: pino({ level: 'silent' }),
        serverInterceptors: [authenticateRpcCallers({ verifier, anonymous: options.anonymous })],
        interceptors: caller === null ? [] : [asCaller(caller)],
      });
    },
  };
}
