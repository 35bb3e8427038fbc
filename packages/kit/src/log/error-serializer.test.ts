import { describe, expect, it } from 'vitest';
import { AppError } from '../errors/index.js';
import { serializeError } from './error-serializer.js';

/** As PGlite throws it: the statement and its parameters hung on the error. */
function pgliteError(): Error {
  return Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), {
    severity: 'ERROR',
    code: '22021',
    where: 'unnamed portal parameter $3',
    routine: 'report_invalid_encoding_int',
    query: 'insert into "subscriptions" ("url", "secret") values ($1, $2)',
    params: ['https://hooks.example.com/\u0000x', 'whsec_c2VjcmV0LXNpZ25pbmcta2V5'],
  });
}

/** As pg throws a unique violation: `detail` quotes the key's value. */
function pgUniqueViolation(): Error {
  return Object.assign(new Error('duplicate key value violates unique constraint "users_email_key"'), {
    code: '23505',
    detail: 'Key (email)=(ana@example.com) already exists.',
    schema: 'auth',
    table: 'users',
    constraint: 'users_email_key',
  });
}

describe('serializeError', () => {
  it('keeps the type, message, code, stack and what names the failure', () => {
    const serialized = serializeError(pgUniqueViolation());
    expect(serialized).toMatchObject({
      type: 'Error',
      message: 'duplicate key value violates unique constraint "users_email_key"',
      code: '23505',
      schema: 'auth',
      table: 'users',
      constraint: 'users_email_key',
      stack: expect.stringContaining('pgUniqueViolation'),
    });
  });

  it.each([
    ['PGlite error', pgliteError()],
    ['pg unique violation', pgUniqueViolation()],
  ])('leaves out the statement, its parameters and the quoted values of a %s', (_, error) => {
    const text = JSON.stringify(serializeError(error));
    for (const leaked of ['whsec_', 'hooks.example.com', 'ana@example.com', 'insert into', 'portal'])
      expect(text).not.toContain(leaked);
    expect(serializeError(error)).not.toHaveProperty('params');
    expect(serializeError(error)).not.toHaveProperty('query');
    expect(serializeError(error)).not.toHaveProperty('detail');
  });

  it('sanitizes the whole chain of causes', () => {
    const wrapped = new AppError('internal', 'internal', 'could not save the subscription', {
      cause: new Error('transaction failed', { cause: pgliteError() }),
    });
    const serialized = serializeError(wrapped);
    expect(serialized).toMatchObject({
      type: 'AppError',
      kind: 'internal',
      code: 'internal',
      cause: { message: 'transaction failed', cause: { code: '22021' } },
    });
    expect(JSON.stringify(serialized)).not.toContain('whsec_');
  });

  it('stops following causes after a few levels, even a cycle', () => {
    const first = new Error('first');
    const second = new Error('second', { cause: first });
    Object.assign(first, { cause: second });
    expect(JSON.stringify(serializeError(first)).length).toBeLessThan(20_000);
  });

  it('keeps each member of an AggregateError, sanitized', () => {
    const serialized = serializeError(
      new AggregateError([pgliteError(), new Error('refused')], 'all failed'),
    );
    expect(serialized).toMatchObject({ errors: [{ code: '22021' }, { message: 'refused' }] });
    expect(JSON.stringify(serialized)).not.toContain('whsec_');
  });

  it('cuts a huge message short', () => {
    const serialized = serializeError(new Error('x'.repeat(100_000))) as { message: string };
    expect(serialized.message.length).toBeLessThan(2_100);
  });

  it('names a thrown object without copying it', () => {
    expect(serializeError({ password: 'hunter2' })).toEqual({ type: 'Object' });
    expect(serializeError('plain text')).toBe('plain text');
  });
});
