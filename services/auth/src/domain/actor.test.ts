import { describe, expect, it } from 'vitest';
import { type Actor, requireGrantable, requireIdentityAdmin } from './actor.js';
import { scopesOf } from './identity.js';

const orgAdmin: Actor = {
  subject: 'usr_admin',
  subjectType: 'user',
  orgId: 'org_a',
  role: 'admin',
  scopes: scopesOf('admin'),
  tier: 'pro',
  platformAdmin: false,
};
const adminKey: Actor = {
  ...orgAdmin,
  subject: 'key_1',
  subjectType: 'api_key',
  role: undefined,
  scopes: ['admin', 'invoices:read'],
};

describe('who manages identities', () => {
  it('lets an organisation admin manage its own organisation', () => {
    expect(requireIdentityAdmin(orgAdmin, 'org_a')).toBe(orgAdmin);
  });

  it.each([
    ['an admin of another organisation', orgAdmin, 'org_b', 'forbidden'],
    ['an API key, even one holding admin', adminKey, 'org_a', 'api_key_not_allowed'],
    [
      'an analyst',
      { ...orgAdmin, role: 'analyst', scopes: scopesOf('analyst') } as Actor,
      'org_a',
      'forbidden',
    ],
  ])('refuses %s', (_name, actor, orgId, code) => {
    expect(() => requireIdentityAdmin(actor, orgId)).toThrow(expect.objectContaining({ code }));
  });
});

describe('never more than the granter holds', () => {
  const asRole = (scope: string, index: number) => `/role (${scope}, ${index})`;

  it.each([
    ['an admin granting the admin role', orgAdmin, scopesOf('admin')],
    ['an admin granting a viewer', orgAdmin, scopesOf('viewer')],
    ['a key granting the scopes it holds', adminKey, ['invoices:read'] as const],
  ])('allows %s', (_name, actor, granted) => {
    expect(() => requireGrantable(actor, granted, asRole)).not.toThrow();
  });

  it.each([
    ['a key holding admin and invoices:read granting the admin role', adminKey, scopesOf('admin'), 2],
    ['a key granting a viewer (reports:read not held)', adminKey, scopesOf('viewer'), 1],
    [
      'an analyst granting admin',
      { ...orgAdmin, role: 'analyst', scopes: scopesOf('analyst') } as Actor,
      ['admin'] as const,
      1,
    ],
  ])('refuses %s, naming each scope not held', (_name, actor, granted, notHeld) => {
    let refusal: unknown;
    try {
      requireGrantable(actor, granted, asRole);
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toMatchObject({ kind: 'forbidden', code: 'scope_not_held' });
    expect((refusal as { errors: unknown[] }).errors).toHaveLength(notHeld);
  });
});
