import { describe, expect, it } from 'vitest';
import { type DeclaredMetadata, validateCfdi } from './index.js';
import { fixtureBytes } from './testing/fixtures.js';

// cfdiutils-cfdi40-real.xml: UUID C2832671-…, ISD950921HE5 → COSC8001137NA, 1000.00 MXN, Fecha 2025-01-24T10:10:41.
const document = fixtureBytes('cfdiutils-cfdi40-real.xml');
const declared: DeclaredMetadata = {
  uuid: 'c2832671-da6d-11ef-a83d-00155d012007',
  issuer: 'ISD950921HE5',
  receiver: 'COSC8001137NA',
  amount: '1000',
  currency: 'MXN',
  issuanceDate: '2025-01-24T16:10:41.000Z', // Fecha at -06:00
};

function problemsDeclaring(change: Partial<DeclaredMetadata>) {
  return validateCfdi(document, { declared: { ...declared, ...change } }).problems;
}

describe('declared metadata', () => {
  it('matches the document: UUID in any case, the amount at any scale', () => {
    expect(problemsDeclaring({})).toEqual([]);
    expect(problemsDeclaring({ uuid: declared.uuid.toUpperCase(), amount: '1000.000' })).toEqual([]);
  });

  it.each([
    [
      'uuid',
      { uuid: 'c2832671-da6d-11ef-a83d-00155d012008' },
      'declared_uuid_mismatch',
      '/cfdi:Comprobante/cfdi:Complemento/tfd:TimbreFiscalDigital/@UUID',
    ],
    ['issuer', { issuer: 'EKU9003173C9' }, 'declared_issuer_mismatch', '/cfdi:Comprobante/cfdi:Emisor/@Rfc'],
    [
      'receiver',
      { receiver: 'XAXX010101000' },
      'declared_receiver_mismatch',
      '/cfdi:Comprobante/cfdi:Receptor/@Rfc',
    ],
    ['amount', { amount: '1000.01' }, 'declared_total_mismatch', '/cfdi:Comprobante/@Total'],
    ['currency', { currency: 'USD' }, 'declared_currency_mismatch', '/cfdi:Comprobante/@Moneda'],
    [
      'issuance date',
      { issuanceDate: '2025-01-25T16:10:41.000Z' },
      'declared_date_mismatch',
      '/cfdi:Comprobante/@Fecha',
    ],
  ])('reports a different %s, naming both values', (_field, change, code, path) => {
    const problems = problemsDeclaring(change);
    expect(problems).toEqual([expect.objectContaining({ code, path })]);
    const declaredValue = Object.values(change)[0]!;
    expect(problems[0]!.message).toContain(declaredValue);
  });

  it('names the document value in a mismatch', () => {
    const [problem] = problemsDeclaring({ issuer: 'EKU9003173C9' });
    expect(problem!.message).toBe(
      'declared issuer "EKU9003173C9" does not match the document\'s "ISD950921HE5"',
    );
  });

  it.each([
    ['UTC', '2025-01-24T10:10:41.000Z'],
    ['-05:00', '2025-01-24T15:10:41.000Z'],
    ['-06:00', '2025-01-24T16:10:41.000Z'],
    ['-07:00', '2025-01-24T17:10:41.000Z'],
    ['-08:00', '2025-01-24T18:10:41.000Z'],
    ['-06:00 with milliseconds', '2025-01-24T16:10:41.250Z'],
    ['the date alone', '2025-01-24T00:00:00.000Z'],
  ])('accepts Fecha declared at %s', (_case, issuanceDate) => {
    expect(problemsDeclaring({ issuanceDate })).toEqual([]);
  });

  it.each([
    ['one second off', '2025-01-24T16:10:42.000Z'],
    ['at -04:00', '2025-01-24T14:10:41.000Z'],
    ['at -06:30', '2025-01-24T16:40:41.000Z'],
    ['the day before, alone', '2025-01-23T00:00:00.000Z'],
    ['not a date', 'yesterday'],
  ])('rejects Fecha declared %s', (_case, issuanceDate) => {
    expect(problemsDeclaring({ issuanceDate })).toEqual([
      expect.objectContaining({ code: 'declared_date_mismatch' }),
    ]);
  });

  it('takes the declared UUID as given for a pre-stamp document when stamps are not required', () => {
    const preStamp = fixtureBytes('cfdiutils-created-with-discounts-40.xml');
    const declaring = (requireStamp: boolean) =>
      validateCfdi(preStamp, {
        requireStamp,
        declared: {
          uuid: declared.uuid,
          issuer: 'EKU9003173C9',
          receiver: 'COSC8001137NA',
          amount: '3248.00',
          currency: 'USD',
          issuanceDate: '2023-06-19T01:20:21.000Z',
        },
      }).problems.map((problem) => problem.code);
    expect(declaring(false)).toEqual([]);
    expect(declaring(true)).toEqual(['not_stamped', 'declared_uuid_mismatch']);
  });

  it('reports every mismatch at once', () => {
    const problems = problemsDeclaring({ issuer: 'EKU9003173C9', amount: '1', currency: 'USD' });
    expect(problems.map((problem) => problem.code)).toEqual([
      'declared_issuer_mismatch',
      'declared_currency_mismatch',
      'declared_total_mismatch',
    ]);
  });
});
