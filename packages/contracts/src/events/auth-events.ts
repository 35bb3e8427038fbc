import { type Static, Type } from '@sinclair/typebox';
import { Identifier, Timestamp } from './formats.js';

export const AuthEventTypes = {
  loginSucceeded: 'auth.login.succeeded',
  loginFailed: 'auth.login.failed',
  userCreated: 'auth.user.created',
  tokenRevoked: 'auth.token.revoked',
  keyRotated: 'auth.key.rotated',
} as const;

const Email = Type.String({ minLength: 3, maxLength: 320 });
const Ip = Type.String({ maxLength: 64 });

export const LoginSucceededV1 = Type.Object({ userId: Identifier, orgId: Identifier, ip: Ip });
export type LoginSucceededData = Static<typeof LoginSucceededV1>;

export const LoginFailedV1 = Type.Object({
  email: Email,
  ip: Ip,
  reason: Type.Union([
    Type.Literal('unknown_account'),
    Type.Literal('wrong_password'),
    Type.Literal('locked'),
    Type.Literal('suspended'),
    Type.Literal('throttled'),
  ]),
});
export type LoginFailedData = Static<typeof LoginFailedV1>;

export const UserCreatedV1 = Type.Object({
  userId: Identifier,
  orgId: Identifier,
  role: Type.Union([Type.Literal('admin'), Type.Literal('analyst'), Type.Literal('viewer')]),
});
export type UserCreatedData = Static<typeof UserCreatedV1>;

export const TokenRevokedV1 = Type.Object({
  userId: Identifier,
  tokenId: Identifier,
  reason: Type.Union([Type.Literal('logout'), Type.Literal('reuse_detected'), Type.Literal('admin')]),
});
export type TokenRevokedData = Static<typeof TokenRevokedV1>;

export const KeyRotatedV1 = Type.Object({
  keyId: Identifier,
  previousKeyId: Type.Union([Identifier, Type.Null()]),
  rotatedAt: Timestamp,
});
export type KeyRotatedData = Static<typeof KeyRotatedV1>;
