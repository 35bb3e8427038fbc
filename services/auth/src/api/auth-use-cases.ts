import type { SignedAccessToken } from '../app/access-tokens.js';
import type { TokenPair } from '../app/issue-token-pair.js';
import type { LoginCommand } from '../app/login.js';
import type { LogoutCommand } from '../app/logout.js';
import type { NewUser } from '../app/manage-users.js';
import type { Actor, ApiKey, KeyRotation, Organization, User } from '../domain/index.js';

/** What the gRPC edge calls; `main.ts` binds each to its use case. */
export interface AuthUseCases {
  login(command: LoginCommand): Promise<TokenPair>;
  refresh(refreshToken: string): Promise<TokenPair>;
  logout(command: LogoutCommand): Promise<void>;
  jwks(): Promise<{ keys: Record<string, string>[] }>;
  /** The key, its organisation, and a short-lived access token standing for it (for the services). */
  verifyApiKey(
    secret: string,
  ): Promise<{ key: ApiKey; organization: Organization; accessToken: SignedAccessToken }>;
  createOrganization(actor: Actor | undefined, input: { name: string; tier: string }): Promise<Organization>;
  listOrganizations(actor: Actor | undefined): Promise<Organization[]>;
  createUser(actor: Actor | undefined, input: NewUser): Promise<User>;
  listUsers(actor: Actor | undefined, orgId: string): Promise<User[]>;
  setUserStatus(
    actor: Actor | undefined,
    input: { orgId: string; userId: string; status: string },
  ): Promise<User>;
  createApiKey(
    actor: Actor | undefined,
    input: { orgId: string; name: string; scopes: readonly string[] },
  ): Promise<{ apiKey: ApiKey; secret: string }>;
  listApiKeys(actor: Actor | undefined, orgId: string): Promise<ApiKey[]>;
  revokeApiKey(actor: Actor | undefined, input: { orgId: string; id: string }): Promise<void>;
  rotateKeys(actor: Actor | undefined): Promise<KeyRotation>;
}
