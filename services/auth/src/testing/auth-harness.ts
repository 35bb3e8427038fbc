import { type ConnectRouter, createClient, type Interceptor } from '@connectrpc/connect';
import type { EventEnvelope } from '@fiscal/contracts';
import { AuthService } from '@fiscal/contracts/rpc/auth';
import { authenticateRpcCallers, createServiceCallerVerifier } from '@fiscal/kit/auth';
import { type Cache, createMemoryCache } from '@fiscal/kit/cache';
import { parseConfig } from '@fiscal/kit/config';
import { createInMemoryTransport } from '@fiscal/kit/grpc';
import type { OutboxSchema } from '@fiscal/kit/outbox';
import type { ServiceModule } from '@fiscal/kit/runtime';
import { createTestDatabase, probeService, type TestDatabase } from '@fiscal/kit/testing';
import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { createArgon2PasswordHasher } from '../adapters/argon2-password-hasher.js';
import type { AuthSchema } from '../adapters/auth-rows.js';
import { createAuthService } from '../main.js';
import { type AuthSettings, authConfig } from '../settings.js';

export const engines = ['pglite', 'postgres'] as const;
export type Engine = (typeof engines)[number];

/** PostgreSQL suites skip with a message when the server is absent (and fail under FISCAL_REQUIRE_SERVICES=1). */
export const postgresAvailable = await probeService('postgres');
export const engineAvailable = (engine: Engine) => engine === 'pglite' || postgresAvailable;

export const bootstrapEmail = 'root@example.test';
export const bootstrapPassword = 'correct horse battery staple';

// Cheap argon2 for tests: same algorithm and code path, a fraction of the memory and time.
export const testPasswords = createArgon2PasswordHasher({ memoryCost: 1024, timeCost: 1 });

export type AuthClient = ReturnType<typeof createClient<typeof AuthService>>;

export interface AuthHarness {
  service: ServiceModule;
  /** Calls without an access token (login, refresh, keys), as the gateway makes them. */
  client: AuthClient;
  /** Calls that carry `accessToken`, which the service verifies and acts for. */
  as(accessToken: string): AuthClient;
  test: TestDatabase<AuthSchema>;
  revocations: Cache;
  announced: string[];
  /** Events the outbox relay handed over so far. */
  published: EventEnvelope[];
  /** Events written to the outbox so far (published or not), oldest first. */
  outboxEvents(): Promise<EventEnvelope[]>;
  close(): Promise<void>;
}

export async function startAuthHarness(
  engine: Engine,
  options: { settings?: Partial<Record<string, string>>; dataDir?: string; loginLimiterRedis?: Redis } = {},
): Promise<AuthHarness> {
  const test = await createTestDatabase<AuthSchema>(engine, 'auth');
  const registry = new Registry();
  const logger = pino({ level: 'silent' });
  const revocations = createMemoryCache({ name: 'revocations', registry, maxEntries: 1000 });
  const announced: string[] = [];
  const published: EventEnvelope[] = [];
  const settings: AuthSettings = parseConfig(authConfig, {
    FISCAL_BOOTSTRAP_ADMIN_EMAIL: bootstrapEmail,
    FISCAL_BOOTSTRAP_ADMIN_PASSWORD: bootstrapPassword,
    ...options.settings,
  });
  const service = await createAuthService({
    database: test.database,
    revocations,
    publisher: { publish: async (events) => void published.push(...events) },
    loginLimiterRedis: options.loginLimiterRedis,
    settings,
    logger,
    registry,
    dataDir: options.dataDir,
    announce: (text) => announced.push(text),
    passwords: testPasswords,
  });
  await service.start();
  // Authenticated as `fiscal serve auth` does: against the service's own published keys.
  const register = (router: ConnectRouter) => service.registerRpc?.(router);
  const verifier = createServiceCallerVerifier({
    authTransport: createInMemoryTransport(register, { logger }),
    // Tests rotate keys moments apart; a deployment rotates them weeks apart.
    refetchCooldownMs: 0,
  });
  const clientWith = (interceptors: Interceptor[]) =>
    createClient(
      AuthService,
      createInMemoryTransport(register, {
        logger,
        serverInterceptors: [authenticateRpcCallers({ verifier, anonymous: service.anonymousRpc })],
        interceptors,
      }),
    );
  return {
    service,
    client: clientWith([]),
    as: (accessToken) =>
      clientWith([
        (next) => async (request) => {
          request.header.set('authorization', `Bearer ${accessToken}`);
          return next(request);
        },
      ]),
    test,
    revocations,
    announced,
    published,
    async outboxEvents() {
      const db = test.database.db as unknown as Kysely<OutboxSchema>;
      const rows = await db.selectFrom('outbox').select('envelope').orderBy('id').execute();
      return rows.map((row) => (typeof row.envelope === 'string' ? JSON.parse(row.envelope) : row.envelope));
    },
    async close() {
      await service.stop();
      await service.flush?.();
      await test.dispose();
    },
  };
}
