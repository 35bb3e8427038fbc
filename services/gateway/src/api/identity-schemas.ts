import { type Static, Type } from '@sinclair/typebox';

// Shapes and sizes only: password and email rules are the auth service's, which names the field.
const Email = Type.String({ minLength: 1, maxLength: 254 });
// Bounded so a megabyte "password" cannot make the auth service hash it.
const Password = Type.String({ minLength: 1, maxLength: 1_024 });
const OpaqueToken = Type.String({ minLength: 1, maxLength: 1_024 });
const Role = Type.Union([Type.Literal('admin'), Type.Literal('analyst'), Type.Literal('viewer')]);
const Tier = Type.Union([Type.Literal('free'), Type.Literal('pro'), Type.Literal('enterprise')]);
const Scope = Type.Union([
  Type.Literal('invoices:write'),
  Type.Literal('invoices:read'),
  Type.Literal('reports:read'),
  Type.Literal('admin'),
]);
const OtherOrgId = () =>
  Type.String({
    minLength: 1,
    maxLength: 64,
    description: 'Platform administrators only: another organisation',
  });

export const LoginBody = Type.Object({ email: Email, password: Password }, { additionalProperties: false });
export type LoginBody = Static<typeof LoginBody>;

export const RefreshTokenBody = Type.Object({ refreshToken: OpaqueToken }, { additionalProperties: false });
export type RefreshTokenBody = Static<typeof RefreshTokenBody>;

export const TokenPair = Type.Object({
  accessToken: Type.String(),
  refreshToken: Type.String(),
  tokenType: Type.Literal('Bearer'),
  expiresIn: Type.Integer({ description: 'Seconds until the access token expires' }),
});

export const JsonWebKeySet = Type.Object({
  keys: Type.Array(Type.Record(Type.String(), Type.Unknown())),
});

export const CreateUserBody = Type.Object(
  {
    email: Email,
    password: Password,
    role: Role,
    orgId: Type.Optional(OtherOrgId()),
  },
  { additionalProperties: false },
);
export type CreateUserBody = Static<typeof CreateUserBody>;

export const OrgIdQuery = Type.Object(
  { orgId: Type.Optional(OtherOrgId()) },
  { additionalProperties: false },
);
export type OrgIdQuery = Static<typeof OrgIdQuery>;

export const User = Type.Object({
  id: Type.String(),
  orgId: Type.String(),
  email: Type.String(),
  role: Role,
  status: Type.String({ description: 'active | suspended' }),
  createdAt: Type.String(),
});

export const CreateApiKeyBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 128 }),
    scopes: Type.Array(Scope, { minItems: 1, maxItems: 4, uniqueItems: true }),
  },
  { additionalProperties: false },
);
export type CreateApiKeyBody = Static<typeof CreateApiKeyBody>;

export const ApiKey = Type.Object({
  id: Type.String(),
  orgId: Type.String(),
  name: Type.String(),
  scopes: Type.Array(Scope),
  prefix: Type.String({ description: 'First characters of the key, to recognise it' }),
  createdAt: Type.String(),
  revokedAt: Type.Union([Type.String(), Type.Null()]),
});

export const CreatedApiKey = Type.Composite([
  ApiKey,
  Type.Object({ secret: Type.String({ description: 'The key itself, shown this once' }) }),
]);

export const ApiKeyIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
export type ApiKeyIdParams = Static<typeof ApiKeyIdParams>;

export const CreateOrganizationBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 200 }), tier: Type.Optional(Tier) },
  { additionalProperties: false },
);
export type CreateOrganizationBody = Static<typeof CreateOrganizationBody>;

export const Organization = Type.Object({
  id: Type.String(),
  name: Type.String(),
  tier: Tier,
  createdAt: Type.String(),
});

export const listOf = <T extends Parameters<typeof Type.Array>[0]>(item: T) =>
  Type.Object({ items: Type.Array(item) });
