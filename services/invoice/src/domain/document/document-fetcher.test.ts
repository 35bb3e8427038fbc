import { describe, expect, it } from 'vitest';
import { DocumentDownloadError, type DownloadFailureCode, describeDownloadFailure } from './index.js';

/** What adapters put in their messages, for the log: none of it may reach the client. */
const internalDetail = 'files.internal (10.1.2.3) after a redirect, 5242880 bytes, ECONNREFUSED';

describe('what a client is told about a failed download', () => {
  it.each<[DownloadFailureCode, number | undefined, string]>([
    ['http_status', 404, 'the server answered 404'],
    ['http_status', 503, 'the server answered 503'],
    ['http_status', undefined, 'the server answered an error'],
    ['too_large', undefined, 'it is larger than the limit'],
    ['too_many_redirects', undefined, 'it was redirected too many times'],
    ['forbidden_address', undefined, 'the address is not allowed'],
    ['unsupported_scheme', undefined, 'only http and https URLs are supported'],
    ['invalid_url', undefined, 'the URL is not valid'],
    ['timeout', undefined, 'the server did not answer in time'],
    ['network', undefined, 'the server could not be reached'],
    ['circuit_open', undefined, 'the server keeps failing, so it is not called for a while'],
    ['bulkhead_full', undefined, 'too many downloads are waiting'],
  ])('%s (status %s): "%s", and nothing of the detail', (code, status, cause) => {
    const failure = new DocumentDownloadError(code, internalDetail, true, {
      status,
      url: 'https://files.internal/signed?token=secret',
    });
    const told = describeDownloadFailure(failure);
    expect(told).toBe(`The document could not be downloaded: ${cause}`);
    expect(told).not.toMatch(/files\.internal|10\.1\.2\.3|5242880|ECONNREFUSED|token/);
  });
});
