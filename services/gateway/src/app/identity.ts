import type { Caller, Role, Scope, Tier } from './caller.js';

/** What a successful login or refresh hands the client. */
export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  /** Seconds until the access token expires. */
  expiresIn: number;
}

/** What an API key stands for, as the auth service verified it. */
export interface ApiKeyCaller {
  subject: string;
  orgId: string;
  role: Role;
  scopes: Scope[];
  tier: Tier;
}

export interface Organization {
  id: string;
  name: string;
  tier: Tier;
  createdAt: string;
}

export interface User {
  id: string;
  orgId: string;
  email: string;
  role: Role;
  status: string;
  createdAt: string;
}

export interface ApiKey {
  id: string;
  orgId: string;
  name: string;
  scopes: Scope[];
  /** First characters of the key, to recognise it in lists. */
  prefix: string;
  createdAt: string;
  revokedAt: string | null;
}

/** What the gateway needs from the auth service. */
export interface Identity {
  login(email: string, password: string, clientIp: string): Promise<TokenPair>;
  refresh(refreshToken: string): Promise<TokenPair>;
  /** Revokes the refresh token and, when given, the access token `accessTokenId` until it expires. */
  logout(refreshToken: string, accessTokenId: string | undefined): Promise<void>;
  /** The JSON Web Key Set the access tokens are signed with, as published. */
  jwks(): Promise<string>;
  verifyApiKey(apiKey: string): Promise<ApiKeyCaller>;
  // Management calls carry the authenticated caller: the auth service decides what it may do.
  createOrganization(actor: Caller, name: string, tier: Tier): Promise<Organization>;
  listOrganizations(actor: Caller): Promise<Organization[]>;
  createUser(
    actor: Caller,
    orgId: string,
    user: { email: string; password: string; role: Role },
  ): Promise<User>;
  listUsers(actor: Caller, orgId: string): Promise<User[]>;
  createApiKey(
    actor: Caller,
    orgId: string,
    key: { name: string; scopes: Scope[] },
  ): Promise<{ apiKey: ApiKey; secret: string }>;
  listApiKeys(actor: Caller, orgId: string): Promise<ApiKey[]>;
  revokeApiKey(actor: Caller, orgId: string, id: string): Promise<void>;
}
