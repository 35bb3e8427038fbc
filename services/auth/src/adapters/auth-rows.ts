import type { OutboxSchema } from '@fiscal/kit/outbox';
import type { ColumnType, Generated } from 'kysely';

export interface OrganizationsTable {
  id: string;
  name: string;
  tier: string;
  created_at: Generated<Date>;
}

export interface UsersTable {
  id: string;
  org_id: string;
  email: string;
  password_hash: string;
  role: string;
  status: Generated<string>;
  platform_admin: Generated<boolean>;
  created_at: Generated<Date>;
}

export interface RefreshTokensTable {
  id: string;
  token_hash: string;
  family_id: string;
  user_id: string;
  expires_at: Date;
  used_at: Date | null;
  revoked_at: Date | null;
  created_at: Generated<Date>;
}

export interface ApiKeysTable {
  id: string;
  org_id: string;
  name: string;
  /** Written as JSON text, read back parsed (both engines accept text for jsonb). */
  scopes: ColumnType<string[], string, string>;
  prefix: string;
  secret_hash: string;
  created_by: string;
  created_at: Generated<Date>;
  revoked_at: Date | null;
}

export interface SigningKeysTable {
  id: string;
  status: 'active' | 'previous' | 'retired';
  public_jwk: ColumnType<Record<string, string>, string, string>;
  private_key: string;
  encrypted: boolean;
  created_at: Generated<Date>;
  retired_at: Date | null;
}

export interface AuthSchema extends OutboxSchema {
  organizations: OrganizationsTable;
  users: UsersTable;
  refresh_tokens: RefreshTokensTable;
  api_keys: ApiKeysTable;
  signing_keys: SigningKeysTable;
}
