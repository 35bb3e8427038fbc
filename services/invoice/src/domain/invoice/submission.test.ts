import { describe, expect, it } from 'vitest';
import { checkSubmission, checksumOf, type InvoiceSubmission, sameSubmission } from './submission.js';

const valid: InvoiceSubmission = {
  uuid: '5C1A7A34-6F8B-4D5E-9B44-2F8F0A1E7C11',
  issuer: 'EKU9003173C9',
  receiver: 'CACX7605101P8',
  amount: '1160.00',
  currency: 'MXN',
  issuanceDate: '2026-11-20T10:00:00Z',
  fileUrl: 'https://erp.example.com/cfdi/1.xml',
  checksum: 'a'.repeat(64),
};

describe('checkSubmission', () => {
  it('accepts a well-formed submission by URL or inline', () => {
    expect(checkSubmission(valid)).toEqual([]);
    expect(checkSubmission({ ...valid, fileUrl: undefined, checksum: undefined, xml: '<x/>' })).toEqual([]);
  });

  it.each([
    ['uuid', { uuid: 'not-a-uuid' }, '/uuid', 'invalid_uuid'],
    ['issuer RFC', { issuer: 'EKU900317' }, '/issuer', 'invalid_rfc'],
    ['receiver RFC with a bad month', { receiver: 'CACX7613101P8' }, '/receiver', 'invalid_rfc'],
    ['float-looking amount', { amount: '1.5e3' }, '/amount', 'invalid_amount'],
    ['amount with 7 decimals', { amount: '1.1234567' }, '/amount', 'invalid_amount'],
    ['negative amount', { amount: '-1.00' }, '/amount', 'invalid_amount'],
    ['currency', { currency: 'mxn' }, '/currency', 'invalid_currency'],
    ['date', { issuanceDate: 'yesterday' }, '/issuanceDate', 'invalid_date'],
    ['impossible date', { issuanceDate: '2026-02-30T99:00:00Z' }, '/issuanceDate', 'invalid_date'],
    ['URL scheme', { fileUrl: 'file:///etc/passwd' }, '/fileUrl', 'invalid_url'],
    ['checksum', { checksum: 'xyz' }, '/checksum', 'invalid_checksum'],
    ['missing checksum with a URL', { checksum: undefined }, '/checksum', 'checksum_required'],
    ['both sources', { xml: '<x/>' }, '/fileUrl', 'document_source_required'],
  ])('names the field for a bad %s', (_case, change, field, code) => {
    const problems = checkSubmission({ ...valid, ...change } as InvoiceSubmission);
    expect(problems).toContainEqual(expect.objectContaining({ field, code }));
  });

  it('reports every offending field at once', () => {
    const problems = checkSubmission({ ...valid, uuid: 'x', issuer: 'y', amount: 'z' });
    expect(problems.map((problem) => problem.field)).toEqual(['/uuid', '/issuer', '/amount']);
  });
});

describe('sameSubmission', () => {
  it('treats equal amounts at different scales and equal instants as the same invoice', () => {
    const other = {
      ...valid,
      uuid: valid.uuid.toLowerCase(),
      amount: '1160.000',
      issuanceDate: '2026-11-20T04:00:00-06:00',
    };
    expect(sameSubmission(valid, other)).toBe(true);
  });

  it('sees a different amount as different data', () => {
    expect(sameSubmission(valid, { ...valid, amount: '1160.01' })).toBe(false);
  });
});

describe('checksumOf', () => {
  it('hashes an inline document when no checksum is declared', () => {
    const inline = { ...valid, fileUrl: undefined, checksum: undefined, xml: 'abc' };
    expect(checksumOf(inline)).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
