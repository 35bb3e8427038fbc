import {
  type CryptoKey,
  createLocalJWKSet,
  type FlattenedJWSInput,
  type JSONWebKeySet,
  type JWSHeaderParameters,
  errors as joseErrors,
} from 'jose';
import { AppError } from '../errors/index.js';

export interface JwksKeyStoreOptions {
  /** The published key set, as JSON text (AuthService.GetJwks). */
  fetchJwks: () => Promise<string>;
  /** Keys older than this are fetched again, so a retired key stops verifying. */
  maxAgeMs: number;
  /** At most one fetch per this long when a token names a key not in the set. */
  refetchCooldownMs: number;
  now: () => number;
}

/** Verification keys of access tokens, fetched from the auth service and kept between requests. */
export interface JwksKeyStore {
  /** The key named by the token's `kid`, in the shape `jwtVerify` takes as a key resolver. */
  keyFor(header: JWSHeaderParameters, token: FlattenedJWSInput): Promise<CryptoKey>;
  /** Whether the key `kid` is still published (a token verified earlier is refused once it is not). */
  holds(kid: string): Promise<boolean>;
  /** The key set document to publish (`/.well-known/jwks.json`). */
  document(): Promise<JSONWebKeySet>;
}

interface KeySet {
  document: JSONWebKeySet;
  kids: ReadonlySet<string>;
  resolve: ReturnType<typeof createLocalJWKSet>;
  fetchedAt: number;
}

/**
 * Verification stays local: the auth service is asked for its keys on first use, when they are
 * older than `maxAgeMs`, and when a token names an unknown key (a rotation). That last fetch is
 * rate-limited, so tokens with made-up `kid`s cannot turn each request into a call to the auth
 * service. When a fetch fails, the keys already held keep verifying.
 */
export function createJwksKeyStore(options: JwksKeyStoreOptions): JwksKeyStore {
  const { now } = options;
  let keys: KeySet | undefined;
  let inFlight: Promise<KeySet> | undefined;
  let lastAttemptAt = Number.NEGATIVE_INFINITY;
  // Only fetches for unknown kids count toward their own limit: a routine refresh just before a
  // rotation must not make the new key's first tokens wait out a cooldown.
  let lastUnknownKidFetchAt = Number.NEGATIVE_INFINITY;

  const fetchKeys = (): Promise<KeySet> => {
    inFlight ??= (async () => {
      lastAttemptAt = now();
      try {
        const fetched = parseKeySet(await options.fetchJwks(), now());
        keys = fetched;
        return fetched;
      } finally {
        inFlight = undefined;
      }
    })();
    return inFlight;
  };

  const coolingDown = (since: number) => now() - since < options.refetchCooldownMs;

  const current = async (): Promise<KeySet> => {
    if (keys === undefined) return fetchKeys();
    if (now() - keys.fetchedAt < options.maxAgeMs || coolingDown(lastAttemptAt)) return keys;
    try {
      return await fetchKeys();
    } catch {
      return keys;
    }
  };

  return {
    async keyFor(header, token) {
      if (typeof header.kid !== 'string' || header.kid.length === 0) {
        throw new joseErrors.JWKSNoMatchingKey('the token names no key (kid)');
      }
      let held = await current();
      if (!held.kids.has(header.kid) && !coolingDown(lastUnknownKidFetchAt)) {
        lastUnknownKidFetchAt = now();
        held = await fetchKeys().catch(() => held);
      }
      return held.resolve(header, token);
    },
    async holds(kid) {
      return (await current()).kids.has(kid);
    },
    async document() {
      return (await current()).document;
    },
  };
}

function parseKeySet(text: string, fetchedAt: number): KeySet {
  let document: JSONWebKeySet;
  try {
    document = JSON.parse(text) as JSONWebKeySet;
    if (!Array.isArray(document?.keys)) throw new TypeError('no "keys" array');
  } catch (error) {
    throw new AppError('unavailable', 'jwks_unavailable', 'The auth service published no usable key set.', {
      cause: error,
    });
  }
  const kids = new Set(document.keys.flatMap((key) => (typeof key.kid === 'string' ? [key.kid] : [])));
  return { document, kids, resolve: createLocalJWKSet(document), fetchedAt };
}
