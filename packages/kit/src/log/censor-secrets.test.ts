import { describe, expect, it } from 'vitest';
import { censorSecrets } from './censor-secrets.js';

describe('censorSecrets', () => {
  it('hands back a line without secrets as it is, without copying it', () => {
    const line = { method: 'GET', route: '/api/v1/invoices/:id', status: 200, body: { invoiceId: 'inv_1' } };
    expect(censorSecrets(line)).toBe(line);
  });

  it('censors secrets up to two objects deep and no deeper', () => {
    const line = {
      token: 't',
      body: { password: 'p', nested: { apiKey: 'k', deeper: { secret: 's' } } },
    };
    expect(censorSecrets(line)).toEqual({
      token: '[redacted]',
      body: { password: '[redacted]', nested: { apiKey: '[redacted]', deeper: { secret: 's' } } },
    });
  });

  it('leaves a field that is absent or undefined as it is', () => {
    expect(censorSecrets({ token: undefined, status: 401 })).toEqual({ token: undefined, status: 401 });
  });

  it('does not walk into errors, arrays or class instances', () => {
    const error = Object.assign(new Error('boom'), { password: 'p' });
    const line = { err: error, list: [{ token: 't' }] };
    expect(censorSecrets(line)).toBe(line);
  });
});
