import { describe, expect, it } from 'vitest';
import { encodePageCursor } from '../domain/invoice-summary/index.js';
import { type ListInvoices, toListQuery } from './list-invoices.js';

const base = { orgId: 'org_a' };

describe('a list request', () => {
  it('takes the defaults when values are absent or empty', () => {
    expect(toListQuery({ ...base, status: '', q: '  ', limit: 0 })).toEqual({
      orgId: 'org_a',
      status: undefined,
      issuer: undefined,
      receiver: undefined,
      text: undefined,
      issuedFrom: undefined,
      issuedTo: undefined,
      limit: 50,
      after: undefined,
    });
  });

  it('reads a bare date range as whole days, both included', () => {
    const query = toListQuery({ ...base, from: '2026-11-01', to: '2026-11-30' });
    expect(query.issuedFrom?.toISOString()).toBe('2026-11-01T00:00:00.000Z');
    expect(query.issuedTo?.toISOString()).toBe('2026-11-30T23:59:59.999Z');
  });

  it('carries the last id of a cursor it handed out', () => {
    expect(toListQuery({ ...base, cursor: encodePageCursor('inv-9') }).after).toBe('inv-9');
  });

  it.each<[string, Partial<ListInvoices>, string, string]>([
    ['an unknown status', { status: 'lost' }, 'status', 'invalid_enum'],
    ['a page too large', { limit: 501 }, 'limit', 'invalid_range'],
    ['a negative page', { limit: -1 }, 'limit', 'invalid_range'],
    ['a date that does not exist', { from: '2026-02-30' }, 'from', 'invalid_format'],
    ['a date in another form', { to: '30/11/2026' }, 'to', 'invalid_format'],
    ['a range that ends before it starts', { from: '2026-12-01', to: '2026-11-01' }, 'to', 'invalid_range'],
    ['an RFC longer than any', { issuer: 'X'.repeat(65) }, 'issuer', 'invalid_maxLength'],
  ])('refuses %s, naming the field', (_case, values, field, code) => {
    expect(() => toListQuery({ ...base, ...values })).toThrow(
      expect.objectContaining({
        code: 'validation_failed',
        errors: [{ field, code, message: expect.any(String) }],
      }),
    );
  });

  it.each(['not a cursor!', 'bm90LWpzb24', encodePageCursor('').slice(0, 8)])(
    'refuses the cursor %j',
    (cursor) => {
      expect(() => toListQuery({ ...base, cursor })).toThrow(
        expect.objectContaining({ code: 'invalid_cursor' }),
      );
    },
  );
});
