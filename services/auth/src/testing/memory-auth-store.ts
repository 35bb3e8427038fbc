import { AsyncLocalStorage } from 'node:async_hooks';
import type {
  ApiKey,
  ApiKeyRepository,
  AuthEvent,
  AuthRepositories,
  AuthStore,
  IdentityRepository,
  Organization,
  RefreshToken,
  RefreshTokenRepository,
  SigningKey,
  SigningKeyRepository,
  UserCredentials,
} from '../domain/index.js';

/** What the memory store holds: the rows of the auth database, as the domain sees them. */
interface State {
  organizations: Map<string, Organization>;
  users: Map<string, UserCredentials>;
  refreshTokens: Map<string, RefreshToken & { tokenHash: string }>;
  apiKeys: Map<string, ApiKey & { secretHash: string; createdBy: string }>;
  signingKeys: Map<string, SigningKey>;
}

export interface MemoryAuthStore extends AuthStore {
  /** The events of committed transactions, oldest first. */
  readonly events: readonly AuthEvent[];
}

/**
 * The auth store in memory, for use-case tests without an engine. Transactions run one at a time on
 * a copy of the state that replaces it when the work succeeds, so every lock of the port holds
 * trivially and a failed transaction leaves nothing behind. The store's own repositories run each
 * call as a transaction of its own; calling them from inside a transaction's work is a mistake the
 * embedded engine refuses, and so does this store.
 */
export function createMemoryAuthStore(clock: () => Date = () => new Date()): MemoryAuthStore {
  let committed: State = {
    organizations: new Map(),
    users: new Map(),
    refreshTokens: new Map(),
    apiKeys: new Map(),
    signingKeys: new Map(),
  };
  const events: AuthEvent[] = [];
  const inTransaction = new AsyncLocalStorage<boolean>();
  let queue: Promise<unknown> = Promise.resolve();

  const transaction: AuthStore['transaction'] = (work) => {
    if (inTransaction.getStore()) {
      return Promise.reject(new Error('the store used inside a transaction: use the unit of work'));
    }
    const turn = queue.then(() =>
      inTransaction.run(true, async () => {
        const draft = structuredClone(committed);
        const raised: AuthEvent[] = [];
        const result = await work({
          ...repositoriesOver(draft, clock),
          raise: (...more) => void raised.push(...more),
        });
        committed = draft;
        events.push(...raised);
        return result;
      }),
    );
    queue = turn.catch(() => undefined);
    return turn;
  };

  /** `name`'s repository, each call its own transaction. */
  const standalone = <Name extends keyof AuthRepositories>(name: Name): AuthRepositories[Name] => {
    const shape = repositoriesOver(committed, clock)[name];
    return Object.fromEntries(
      Object.keys(shape).map((method) => [
        method,
        (...args: unknown[]) =>
          transaction(async (unit) => {
            const repository = unit[name] as unknown as Record<string, (...args: unknown[]) => unknown>;
            return repository[method]?.(...args);
          }),
      ]),
    ) as unknown as AuthRepositories[Name];
  };

  return {
    identities: standalone('identities'),
    refreshTokens: standalone('refreshTokens'),
    apiKeys: standalone('apiKeys'),
    signingKeys: standalone('signingKeys'),
    transaction,
    events,
  };
}

function repositoriesOver(state: State, clock: () => Date): AuthRepositories {
  return {
    identities: identitiesOver(state, clock),
    refreshTokens: refreshTokensOver(state),
    apiKeys: apiKeysOver(state, clock),
    signingKeys: signingKeysOver(state),
  };
}

/** Oldest first, then by id: the order the SQL adapters list in. */
const byCreation = (left: { createdAt: Date; id: string }, right: { createdAt: Date; id: string }) =>
  left.createdAt.getTime() - right.createdAt.getTime() || (left.id < right.id ? -1 : 1);

function identitiesOver(state: State, clock: () => Date): IdentityRepository {
  const { organizations, users } = state;
  const withoutHash = ({ passwordHash: _, ...user }: UserCredentials) => user;
  return {
    async addOrganization(organization) {
      const added = { ...organization, createdAt: clock() };
      organizations.set(added.id, added);
      return { ...added };
    },
    async findOrganization(id) {
      const organization = organizations.get(id);
      return organization && { ...organization };
    },
    async lockOrganization(id) {
      return organizations.has(id);
    },
    async listOrganizations() {
      return [...organizations.values()].sort(byCreation).map((organization) => ({ ...organization }));
    },
    async addUser(user) {
      const email = user.email.toLowerCase();
      if ([...users.values()].some((existing) => existing.email.toLowerCase() === email)) return undefined;
      if (!organizations.has(user.orgId)) throw new Error(`no organisation ${user.orgId}`);
      const added: UserCredentials = { ...user, status: 'active', createdAt: clock() };
      users.set(added.id, added);
      return withoutHash(added);
    },
    async findUser(id) {
      const user = users.get(id);
      return user && withoutHash(user);
    },
    async findUserByEmail(email) {
      const wanted = email.toLowerCase();
      const user = [...users.values()].find((candidate) => candidate.email.toLowerCase() === wanted);
      return user && { ...user };
    },
    async listUsers(orgId) {
      return [...users.values()]
        .filter((user) => !orgId || user.orgId === orgId)
        .sort(byCreation)
        .map(withoutHash);
    },
    async countUsers(orgId) {
      return [...users.values()].filter((user) => !orgId || user.orgId === orgId).length;
    },
    async setUserStatus(orgId, id, status) {
      const user = users.get(id);
      if (!user || user.orgId !== orgId) return undefined;
      user.status = status;
      return withoutHash(user);
    },
    async lockBootstrap() {},
  };
}

function refreshTokensOver({ refreshTokens, users }: State): RefreshTokenRepository {
  const toRefreshToken = ({ tokenHash: _, ...token }: RefreshToken & { tokenHash: string }) => token;
  const revokeWhere = (matches: (token: RefreshToken) => boolean, at: Date) => {
    let revoked = 0;
    for (const token of refreshTokens.values()) {
      if (!matches(token) || token.revokedAt) continue;
      token.revokedAt = at;
      revoked += 1;
    }
    return revoked;
  };
  return {
    async add(token) {
      if (!users.has(token.userId)) throw new Error(`no user ${token.userId}`);
      refreshTokens.set(token.id, { ...token, usedAt: null, revokedAt: null });
    },
    async deleteExpired(now, limit) {
      const expired = [...refreshTokens.values()].filter((token) => token.expiresAt < now).slice(0, limit);
      for (const token of expired) refreshTokens.delete(token.id);
    },
    async findForUpdate(tokenHash) {
      const token = [...refreshTokens.values()].find((candidate) => candidate.tokenHash === tokenHash);
      return token && toRefreshToken(token);
    },
    async markUsed(id, at) {
      const token = refreshTokens.get(id);
      if (token) token.usedAt = at;
    },
    async revokeFamily(familyId, at) {
      return revokeWhere((token) => token.familyId === familyId, at);
    },
    async revokeAllOfUser(userId, at) {
      revokeWhere((token) => token.userId === userId, at);
    },
  };
}

function apiKeysOver({ apiKeys, organizations }: State, clock: () => Date): ApiKeyRepository {
  const toApiKey = ({
    secretHash: _,
    createdBy: __,
    ...key
  }: ApiKey & { secretHash: string; createdBy: string }) => ({
    ...key,
    scopes: [...key.scopes],
  });
  const ofOrganization = (orgId: string) => [...apiKeys.values()].filter((key) => key.orgId === orgId);
  return {
    async add(key) {
      if (!organizations.has(key.orgId)) throw new Error(`no organisation ${key.orgId}`);
      const added = { ...key, scopes: [...key.scopes], createdAt: clock(), revokedAt: null };
      apiKeys.set(added.id, added);
      return toApiKey(added);
    },
    async countKept(orgId, revokedBefore) {
      for (const key of ofOrganization(orgId)) {
        if (key.revokedAt && key.revokedAt < revokedBefore) apiKeys.delete(key.id);
      }
      return ofOrganization(orgId).length;
    },
    async findBySecretHash(secretHash) {
      const key = [...apiKeys.values()].find((candidate) => candidate.secretHash === secretHash);
      return key && toApiKey(key);
    },
    async list(orgId) {
      return ofOrganization(orgId).sort(byCreation).map(toApiKey);
    },
    async revoke(orgId, id, at) {
      const key = apiKeys.get(id);
      if (!key || key.orgId !== orgId) return false;
      key.revokedAt ??= at;
      return true;
    },
  };
}

function signingKeysOver({ signingKeys }: State): SigningKeyRepository {
  const withStatus = (status: SigningKey['status']) =>
    [...signingKeys.values()].filter((key) => key.status === status);
  return {
    async lock() {},
    async findActive() {
      const [active] = withStatus('active');
      return active && { ...active };
    },
    async listPublished() {
      return [...withStatus('active'), ...withStatus('previous')]
        .sort((left, right) => right.createdAt.getTime() - left.createdAt.getTime())
        .map((key) => ({ ...key }));
    },
    async rotateTo(key) {
      const [previous] = withStatus('active');
      for (const retiring of withStatus('previous')) retiring.status = 'retired';
      if (previous) previous.status = 'previous';
      signingKeys.set(key.id, { ...key, status: 'active' });
      return { keyId: key.id, previousKeyId: previous?.id ?? null };
    },
  };
}
