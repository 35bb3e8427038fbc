import { describe, expect, it } from 'vitest';
import { AppError } from '../errors/index.js';
import { isTransientError, isUpstreamFailure } from './transient.js';

const withCode = (code: string) => Object.assign(new Error(code), { code });

describe('isTransientError', () => {
  it.each([
    ['a connection reset', withCode('ECONNRESET')],
    ['a refused connection', withCode('ECONNREFUSED')],
    ['a socket timeout', withCode('ETIMEDOUT')],
    ['an abort by AbortSignal.timeout', new DOMException('timed out', 'TimeoutError')],
    [
      'fetch failing because the connection was refused',
      new TypeError('fetch failed', { cause: withCode('ECONNREFUSED') }),
    ],
    ['an HTTP 503 status', { status: 503 }],
    ['an HTTP 500 statusCode', { statusCode: 500 }],
    ['an HTTP 429', { status: 429 }],
    ['an unavailable AppError', new AppError('unavailable', 'upstream_down', 'down')],
    ['a Connect Unavailable error', Object.assign(new Error('x'), { name: 'ConnectError', code: 14 })],
    ['a Connect DeadlineExceeded error', Object.assign(new Error('x'), { name: 'ConnectError', code: 4 })],
  ])('treats %s as transient', (_description, error) => {
    expect(isTransientError(error)).toBe(true);
  });

  it.each([
    ['an HTTP 400', { status: 400 }],
    ['an HTTP 404 statusCode', { statusCode: 404 }],
    ['an HTTP 409', { status: 409 }],
    ['an invalid AppError', new AppError('invalid', 'invalid_amount', 'bad')],
    ['a not_found AppError', new AppError('not_found', 'invoice_not_found', 'missing')],
    ['a conflict AppError', new AppError('conflict', 'version_conflict', 'raced')],
    ['an internal AppError', new AppError('internal', 'bug', 'bug')],
    [
      'a rate_limited AppError (a locked login, a spent quota)',
      new AppError('rate_limited', 'login_locked', 'wait'),
    ],
    ['a plain programming error', new TypeError('undefined is not a function')],
    ['a Connect InvalidArgument error', Object.assign(new Error('x'), { name: 'ConnectError', code: 3 })],
    ['a Connect ResourceExhausted error', Object.assign(new Error('x'), { name: 'ConnectError', code: 8 })],
    ['a non-error value', 'boom'],
    ['undefined', undefined],
  ])('treats %s as permanent', (_description, error) => {
    expect(isTransientError(error)).toBe(false);
  });

  it('stops following a cause chain that loops', () => {
    const looping: Error & { cause?: unknown } = new Error('outer');
    looping.cause = looping;
    expect(isTransientError(looping)).toBe(false);
  });
});

describe('isUpstreamFailure', () => {
  it.each([
    ['a connection reset', withCode('ECONNRESET')],
    ['an abort by AbortSignal.timeout', new DOMException('timed out', 'TimeoutError')],
    ['an HTTP 502', { status: 502 }],
    ['an unavailable AppError', new AppError('unavailable', 'upstream_down', 'down')],
    ['an internal AppError', new AppError('internal', 'internal', 'bug')],
    ['a Connect Internal error', Object.assign(new Error('x'), { name: 'ConnectError', code: 13 })],
    ['a Connect DeadlineExceeded error', Object.assign(new Error('x'), { name: 'ConnectError', code: 4 })],
  ])('counts %s against the upstream', (_description, error) => {
    expect(isUpstreamFailure(error)).toBe(true);
  });

  it.each([
    ['an HTTP 429', { status: 429 }],
    ['an HTTP 400', { status: 400 }],
    ['a rate_limited AppError', new AppError('rate_limited', 'login_locked', 'locked')],
    ['an unauthenticated AppError', new AppError('unauthenticated', 'invalid_credentials', 'no')],
    ['a forbidden AppError', new AppError('forbidden', 'forbidden', 'no')],
    ['an invalid AppError', new AppError('invalid', 'validation_failed', 'bad')],
    ['a payload_too_large AppError', new AppError('payload_too_large', 'payload_too_large', 'big')],
    ['a Connect ResourceExhausted error', Object.assign(new Error('x'), { name: 'ConnectError', code: 8 })],
    ['a Connect InvalidArgument error', Object.assign(new Error('x'), { name: 'ConnectError', code: 3 })],
  ])('never counts %s, an answer about the request', (_description, error) => {
    expect(isUpstreamFailure(error)).toBe(false);
  });
});
