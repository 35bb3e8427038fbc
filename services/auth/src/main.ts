import { AuthService } from '@fiscal/contracts/rpc/auth';
import type { Cache } from '@fiscal/kit/cache';
import type { Database } from '@fiscal/kit/db';
import { createOutboxRelay, type EventPublisher } from '@fiscal/kit/outbox';
import type { ServiceModule } from '@fiscal/kit/runtime';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { createArgon2PasswordHasher } from './adapters/argon2-password-hasher.js';
import type { AuthSchema } from './adapters/auth-rows.js';
import { initialPasswordWriter } from './adapters/fs-initial-password.js';
import { createLoginLimiter } from './adapters/login-limiter.js';
import { authMigrations } from './adapters/migrations.js';
import { createPostgresAuthStore } from './adapters/postgres-auth-store.js';
import { createPrivateKeyCipher } from './adapters/signing-key-cipher.js';
import { registerAuthRpc } from './api/auth-rpc.js';
import type { AuthUseCases } from './api/auth-use-cases.js';
import { createAccessTokens } from './app/access-tokens.js';
import type { AuthContext } from './app/auth-context.js';
import { bootstrapAdmin } from './app/bootstrap-admin.js';
import { loginHandler } from './app/login.js';
import { logoutHandler } from './app/logout.js';
import { manageApiKeysHandlers } from './app/manage-api-keys.js';
import { manageOrganizationsHandlers } from './app/manage-organizations.js';
import { manageUsersHandlers } from './app/manage-users.js';
import { refreshHandler } from './app/refresh.js';
import { rotateKeysHandler } from './app/rotate-keys.js';
import { type PasswordHasher, requirePlatformAdmin } from './domain/index.js';
import type { AuthSettings } from './settings.js';

export interface AuthServiceDependencies {
  database: Database<AuthSchema>;
  /** Where logged-out access tokens are listed for the gateway (Redis when distributed). */
  revocations: Cache;
  /** Where the outbox relay hands `auth.*` events (the bus). */
  publisher: EventPublisher;
  /** Distributed mode: failed-login counters shared by every replica; absent: in memory. */
  loginLimiterRedis?: Redis | undefined;
  settings: AuthSettings;
  logger: Logger;
  registry: Registry;
  /** Embedded mode's data directory, for `initial-admin-password`; absent in memory. */
  dataDir?: string | undefined;
  /** The only process on this database (embedded mode): outbox claims of a killed run are void. */
  exclusiveDatabase?: boolean;
  /** Where a generated administrator password is shown once; default stdout (never the log). */
  announce?: (text: string) => void;
  /** argon2 cost; the default is OWASP's recommendation, tests lower it. */
  passwords?: PasswordHasher;
}

/** What anyone may call: these take credentials of their own (a password, a refresh token, an API key). */
const anonymousAuthRpc = ['Login', 'Refresh', 'Logout', 'GetJwks', 'VerifyApiKey'].map(
  (method) => `${AuthService.typeName}/${method}`,
);

/** Composition root of the auth service: logins and tokens, identities, API keys, signing keys. */
export async function createAuthService(dependencies: AuthServiceDependencies): Promise<ServiceModule> {
  const { database, settings, logger } = dependencies;
  await database.migrate(authMigrations);
  const store = createPostgresAuthStore(database);
  const context: AuthContext = {
    store,
    passwords: dependencies.passwords ?? createArgon2PasswordHasher(),
    clock: () => new Date(),
  };
  const cipher = createPrivateKeyCipher(settings.signingKeySecret);
  const accessTokens = createAccessTokens({
    signingKeys: store.signingKeys,
    cipher,
    ttlMs: settings.accessTokenTtl,
    clock: context.clock,
  });
  const rotateKeys = rotateKeysHandler({ store, cipher, clock: context.clock });
  const limiter = createLoginLimiter(
    {
      maxFailuresPerAccount: settings.loginMaxFailures,
      maxFailuresPerAddress: settings.loginMaxFailuresPerAddress,
      failureWindowMs: settings.loginFailureWindow,
      lockoutMs: settings.loginLockout,
    },
    logger.child({ component: 'login-limiter' }),
    dependencies.loginLimiterRedis,
  );
  const relay = createOutboxRelay({
    database,
    publisher: dependencies.publisher,
    logger: logger.child({ component: 'outbox-relay' }),
    registry: dependencies.registry,
    exclusive: dependencies.exclusiveDatabase ?? false,
  });
  const tokenDependencies = { ...context, accessTokens, refreshTtlMs: settings.refreshTokenTtl };
  const organizations = manageOrganizationsHandlers(context);
  const users = manageUsersHandlers(context);
  const apiKeys = manageApiKeysHandlers(context);
  const useCases: AuthUseCases = {
    login: loginHandler({ ...tokenDependencies, limiter }),
    refresh: refreshHandler(tokenDependencies),
    logout: logoutHandler({ ...context, revocations: dependencies.revocations }),
    jwks: () => accessTokens.jwks(),
    verifyApiKey: async (secret) => {
      const verified = await apiKeys.verifyApiKey(secret);
      const accessToken = await accessTokens.signForApiKey(
        store.signingKeys,
        verified.key,
        verified.organization,
      );
      return { ...verified, accessToken };
    },
    createOrganization: organizations.createOrganization,
    listOrganizations: organizations.listOrganizations,
    createUser: users.createUser,
    listUsers: users.listUsers,
    setUserStatus: users.setUserStatus,
    createApiKey: apiKeys.createApiKey,
    listApiKeys: apiKeys.listApiKeys,
    revokeApiKey: apiKeys.revokeApiKey,
    rotateKeys: async (actor) => {
      requirePlatformAdmin(actor);
      const rotation = await rotateKeys();
      if (!rotation) throw new Error('an unconditional rotation rotated nothing');
      return rotation;
    },
  };

  let rotationTimer: NodeJS.Timeout | undefined;
  const rotateWhenDue = async () => {
    // With the schedule off, this still creates the first key on an empty database.
    const rotation = await rotateKeys({ ifOlderThanMs: settings.keyRotationInterval });
    if (rotation) logger.info(rotation, 'signing key rotated');
  };

  return {
    name: 'auth',
    registerRpc: (router) => registerAuthRpc(router, useCases),
    anonymousRpc: anonymousAuthRpc,
    async start() {
      await rotateWhenDue();
      await bootstrapAdmin(context, {
        email: settings.bootstrapAdminEmail,
        password: settings.bootstrapAdminPassword,
        keepPassword: dependencies.dataDir ? initialPasswordWriter(dependencies.dataDir) : undefined,
        announce: dependencies.announce ?? ((text) => process.stdout.write(text)),
      });
      // Its first poll publishes what the key rotation and the bootstrap admin just committed.
      relay.start();
      if (settings.keyRotationInterval > 0) {
        // Checked often enough that a key is never much older than the interval; the lock and the
        // age check inside make replicas' checks harmless.
        const every = Math.min(settings.keyRotationInterval, 3_600_000);
        rotationTimer = setInterval(() => {
          rotateWhenDue().catch((error: unknown) =>
            logger.error({ err: error }, 'signing key rotation failed'),
          );
        }, every);
        rotationTimer.unref();
      }
    },
    async stop() {
      clearInterval(rotationTimer);
    },
    async flush() {
      await relay.flush();
      await relay.stop();
    },
    readinessChecks: { 'auth-database': () => database.ping() },
  };
}

export { createArgon2PasswordHasher } from './adapters/argon2-password-hasher.js';
export type { AuthSchema } from './adapters/auth-rows.js';
export { initialPasswordFile } from './adapters/fs-initial-password.js';
export { authMigrations } from './adapters/migrations.js';
export { type AuthAdministration, openAuthAdministration } from './administration.js';
export type { PasswordHasher } from './domain/index.js';
export * from './settings.js';
