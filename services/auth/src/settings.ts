import {
  type ConfigOf,
  defineConfig,
  duration,
  integer,
  type Parser,
  secret,
  string,
} from '@fiscal/kit/config';
import { checkPassword } from './domain/index.js';

const day = 24 * 3_600_000;

/** A password the service would accept for a user, so a weak one stops start-up with its reason. */
function password(): Parser<string> {
  return {
    describe: 'secret',
    secret: true,
    parse(raw) {
      const problem = checkPassword(raw);
      return problem
        ? { ok: false, expected: `a stronger password (this one ${problem.message})` }
        : { ok: true, value: raw };
    },
  };
}

/** The auth service's settings, in both modes. */
export const authConfig = defineConfig({
  accessTokenTtl: {
    env: 'FISCAL_ACCESS_TOKEN_TTL',
    type: duration(),
    default: 15 * 60_000,
    doc: 'Lifetime of an access token (JWT); also how long a logged-out token stays on the revocation list.',
  },
  refreshTokenTtl: {
    env: 'FISCAL_REFRESH_TOKEN_TTL',
    type: duration(),
    default: 30 * day,
    doc: 'Lifetime of a refresh token (e.g. 720h); each use replaces it with a new one.',
  },
  loginMaxFailures: {
    env: 'FISCAL_LOGIN_MAX_FAILURES',
    type: integer({ min: 1, max: 10_000 }),
    default: 10,
    doc: 'Failed logins per account email within the window before the account is locked.',
  },
  loginMaxFailuresPerAddress: {
    env: 'FISCAL_LOGIN_MAX_FAILURES_PER_ADDRESS',
    type: integer({ min: 1, max: 1_000_000 }),
    default: 100,
    doc: 'Failed logins per client address within the window before the address is locked.',
  },
  loginFailureWindow: {
    env: 'FISCAL_LOGIN_FAILURE_WINDOW',
    type: duration(),
    default: 15 * 60_000,
    doc: 'Window in which failed logins are counted.',
  },
  loginLockout: {
    env: 'FISCAL_LOGIN_LOCKOUT',
    type: duration(),
    default: 15 * 60_000,
    doc: 'How long a locked account or address is refused, even with the right password.',
  },
  keyRotationInterval: {
    env: 'FISCAL_KEY_ROTATION_INTERVAL',
    type: duration(),
    default: 30 * day,
    doc: 'Age at which the token signing key is replaced (e.g. 720h); 0 turns scheduled rotation off.',
  },
  signingKeySecret: {
    env: 'FISCAL_SIGNING_KEY_SECRET',
    type: secret({ minLength: 16 }),
    default: undefined,
    doc: 'Encrypts signing keys at rest (AES-256-GCM); unset: stored unencrypted. Keep it once set.',
  },
  bootstrapAdminEmail: {
    env: 'FISCAL_BOOTSTRAP_ADMIN_EMAIL',
    type: string({ minLength: 3 }),
    default: undefined,
    doc: 'Email of the administrator created on first start with no users (default admin@localhost).',
  },
  bootstrapAdminPassword: {
    env: 'FISCAL_BOOTSTRAP_ADMIN_PASSWORD',
    type: password(),
    default: undefined,
    doc: 'Password of that administrator (8 to 1024 characters, at least 5 different ones, not a common password); unset: a random one is printed once and written to <data dir>/initial-admin-password.',
  },
});

export type AuthSettings = ConfigOf<typeof authConfig>;
