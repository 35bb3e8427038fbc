/** What a token or API key may do; each route names the one it needs. */
export type Scope = 'invoices:write' | 'invoices:read' | 'reports:read' | 'admin';

export const allScopes: readonly Scope[] = ['invoices:write', 'invoices:read', 'reports:read', 'admin'];

export type Role = 'admin' | 'analyst' | 'viewer';

export type Tier = 'free' | 'pro' | 'enterprise';

/** Who is calling: every read and write is scoped to the caller's organisation. */
export interface Caller {
  orgId: string;
  /** The user, or the API key, the credentials belong to. */
  subject: string;
  kind: 'user' | 'api_key';
  role: Role;
  scopes: readonly Scope[];
  tier: Tier;
  /** Manages organisations and may act in any of them (the bootstrap admin is one). */
  platformAdmin: boolean;
  /** The access token the caller presented, so logging out can revoke it until it expires. */
  accessToken?: { id: string; expiresAtSeconds: number };
  /**
   * The access token every upstream call carries, which the services verify themselves: the one the
   * caller presented, or the short-lived one the auth service minted for its API key.
   */
  credential: string;
}

/** On whose behalf an upstream is called; `signal` aborts when the client has gone away. */
export interface Requester {
  caller: Caller;
  signal?: AbortSignal | undefined;
}

/** Port: turns a request's credentials into a caller (or refuses it: `unauthenticated`). */
export interface CallerResolver {
  resolve(headers: Record<string, string | string[] | undefined>): Promise<Caller>;
}

const roles: readonly string[] = ['admin', 'analyst', 'viewer'] satisfies Role[];
const tiers: readonly string[] = ['free', 'pro', 'enterprise'] satisfies Tier[];

export const isRole = (value: unknown): value is Role => typeof value === 'string' && roles.includes(value);
export const isTier = (value: unknown): value is Tier => typeof value === 'string' && tiers.includes(value);
export const isScope = (value: unknown): value is Scope =>
  typeof value === 'string' && (allScopes as readonly string[]).includes(value);
