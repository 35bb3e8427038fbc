import { Code, ConnectError } from '@connectrpc/connect';
import { describe, expect, it } from 'vitest';
import { AppError, type ErrorKind } from '../errors/index.js';
import { fromConnectError, toConnectError } from './error-mapping.js';

describe('AppError ↔ ConnectError', () => {
  it.each<[ErrorKind, Code]>([
    ['invalid', Code.InvalidArgument],
    ['unsupported_media_type', Code.InvalidArgument],
    ['unauthenticated', Code.Unauthenticated],
    ['forbidden', Code.PermissionDenied],
    ['not_found', Code.NotFound],
    ['conflict', Code.Aborted],
    ['rate_limited', Code.ResourceExhausted],
    ['payload_too_large', Code.ResourceExhausted],
    ['unavailable', Code.Unavailable],
    ['internal', Code.Internal],
  ])('sends kind %s as gRPC code %s and rebuilds the same kind', (kind, code) => {
    const original = new AppError(kind, `some_${kind}`, `a ${kind} failure`);
    const wire = toConnectError(original);
    expect(wire.code).toBe(code);
    expect(fromConnectError(wire)).toMatchObject({
      kind,
      code: `some_${kind}`,
      message: `a ${kind} failure`,
    });
  });

  it.each<[Code, ErrorKind, string]>([
    [Code.Unavailable, 'unavailable', 'upstream_unavailable'],
    [Code.DeadlineExceeded, 'unavailable', 'timeout'],
    [Code.Canceled, 'unavailable', 'cancelled'],
    [Code.NotFound, 'not_found', 'upstream_not_found'],
    [Code.AlreadyExists, 'conflict', 'upstream_conflict'],
    [Code.Unknown, 'internal', 'upstream_error'],
    [Code.Unimplemented, 'internal', 'upstream_error'],
  ])('reads a foreign error with code %s as kind %s', (code, kind, stableCode) => {
    expect(fromConnectError(new ConnectError('from elsewhere', code))).toMatchObject({
      kind,
      code: stableCode,
      message: 'from elsewhere',
    });
  });

  it('keeps the message of a local bug out of what the client sees', () => {
    const mapped = fromConnectError(new TypeError("Cannot use 'in' operator to search for 'x' in 1"));
    expect(mapped).toMatchObject({
      kind: 'internal',
      code: 'internal',
      message: 'An unexpected error occurred.',
    });
    expect(mapped.cause).toBeInstanceOf(TypeError);
  });

  it('still reads a socket failure as a failed call to the upstream, not as a local bug', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    expect(fromConnectError(refused).code).toBe('upstream_error');
  });

  it('returns an AppError untouched', () => {
    const original = new AppError('conflict', 'version_conflict', 'stale');
    expect(fromConnectError(original)).toBe(original);
  });

  it('keeps the error when its field problems header is unreadable', () => {
    const wire = new ConnectError('bad', Code.InvalidArgument, {
      'fiscal-error-kind': 'invalid',
      'fiscal-error-code': 'invalid_amount',
      'fiscal-error-fields-bin': 'not base64 json!',
    });
    expect(fromConnectError(wire)).toMatchObject({ kind: 'invalid', code: 'invalid_amount', errors: [] });
  });

  it('ignores a kind header it does not know', () => {
    const wire = new ConnectError('odd', Code.NotFound, {
      'fiscal-error-kind': 'teapot',
      'fiscal-error-code': 'x',
    });
    expect(fromConnectError(wire)).toMatchObject({ kind: 'not_found', code: 'upstream_not_found' });
  });
});
