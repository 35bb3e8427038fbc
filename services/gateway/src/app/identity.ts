import type { Requester, Role, Scope, Tier } from './caller.js';

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
  /** The short-lived access token the auth service minted for the key, forwarded to the services. */
  credential: string;
  credentialExpiresInSeconds: number;
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
  /** Revokes the refresh token and, when the requester is known, the access token it presented. */
  logout(refreshToken: string, requester: Requester | undefined): Promise<void>;
  /** The JSON Web Key Set the access tokens are signed with, as published. */
  jwks(): Promise<string>;
  verifyApiKey(apiKey: string): Promise<ApiKeyCaller>;
  // Management calls carry the requester's credential: the auth service decides what it may do.
  createOrganization(requester: Requester, name: string, tier: Tier): Promise<Organization>;
  listOrganizations(requester: Requester): Promise<Organization[]>;
  createUser(
    requester: Requester,
    orgId: string,
    user: { email: string; password: string; role: Role },
  ): Promise<User>;
  listUsers(requester: Requester, orgId: string): Promise<User[]>;
  createApiKey(
    requester: Requester,
    orgId: string,
    key: { name: string; scopes: Scope[] },
  ): Promise<{ apiKey: ApiKey; secret: string }>;
  listApiKeys(requester: Requester, orgId: string): Promise<ApiKey[]>;
  revokeApiKey(requester: Requester, orgId: string, id: string): Promise<void>;
}
