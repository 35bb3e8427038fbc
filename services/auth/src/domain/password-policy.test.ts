import { describe, expect, it } from 'vitest';
import { checkPassword } from './password-policy.js';

describe('password policy', () => {
  it.each([
    // The most common passwords, whatever their case or width.
    ['password', 'weak_password', /too common/],
    ['PASSWORD', 'weak_password', /too common/],
    ['Password1', 'weak_password', /too common/],
    ['12345678', 'weak_password', /too common/],
    ['123456789', 'weak_password', /too common/],
    ['qwertyuiop', 'weak_password', /too common/],
    ['iloveyou', 'weak_password', /too common/],
    ['ｐａｓｓｗｏｒｄ', 'weak_password', /too common/],
    [' password ', 'weak_password', /too common/],
    // ...with a trailing or leading digit, year or symbol added.
    ['password!', 'weak_password', /too common/],
    ['Password123!', 'weak_password', /too common/],
    ['Dragon2024!', 'weak_password', /too common/],
    ['!!monkey', 'weak_password', /too common/],
    ['2024sunshine', 'weak_password', /too common/],
    // ...with digits for letters.
    ['P@ssw0rd', 'weak_password', /too common/],
    ['Pa$$w0rd!', 'weak_password', /too common/],
    ['5h4d0w12', 'weak_password', /too common/],
    // Too few different characters.
    ['11111111', 'weak_password', /at least 5 different characters/],
    ['aaaaaaaaaaaa', 'weak_password', /at least 5 different characters/],
    ['abababab', 'weak_password', /at least 5 different characters/],
    ['AbCdAbCdaBcD', 'weak_password', /at least 5 different characters/],
    // Blank-looking.
    ['        ', 'weak_password', /visible characters/],
    ['\t\t\t\t\n\n\n\n', 'weak_password', /visible characters/],
    ['\u200b\u200b\u200b\u200b\u200b\u200b\u200b\u200b', 'weak_password', /visible characters/],
    ['\u3164\u3164\u3164\u3164\u3164\u3164\u3164\u3164', 'weak_password', /visible characters/],
    ['\u00a0\u2800\u2800\u2800\u2800\u2800\u2800\u00a0', 'weak_password', /visible characters/],
    ['\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007', 'weak_password', /visible characters/],
    ['\u202e\u202d\u2066\u2067\u2068\u2069\ufeff\u00ad', 'weak_password', /visible characters/],
    // The length limits stay.
    ['short', 'invalid_password', /8 to 1024 characters/],
    ['Tr0ub4d', 'invalid_password', /8 to 1024 characters/],
    ['x'.repeat(1025), 'invalid_password', /8 to 1024 characters/],
  ])('refuses %j (%s)', (password, code, message) => {
    const problem = checkPassword(password);
    expect(problem?.code).toBe(code);
    expect(problem?.message).toMatch(message);
  });

  it.each([
    'a long passphrase',
    'correct horse battery staple',
    'another long passphrase',
    'org-admin-password',
    'viewer-password',
    'Tr0ub4dor&3x',
    'mi factura de enero',
    'zq8#Lm2!vR',
    'contraseña segura 2024',
    'x7Gk2pQ9'.padEnd(1024, 'a'),
    'abcde\u200bxyz',
  ])('accepts %j', (password) => {
    expect(checkPassword(password)).toBeUndefined();
  });
});
