import { createHash } from 'node:crypto';
import type { FieldProblem } from '@fiscal/kit/errors';
import { Decimal } from 'decimal.js';
import type { DocumentSource, InvoiceMetadata } from './invoice.js';

/** What a client submits: metadata plus either a URL and checksum, or the XML inline. */
export interface InvoiceSubmission extends InvoiceMetadata {
  fileUrl?: string;
  checksum?: string;
  xml?: string;
}

// SAT RFC syntax: 3 letters (persona moral) or 4 (persona física), birth/incorporation date, homoclave.
const rfcPattern = /^[A-ZÑ&]{3,4}\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])[A-Z\d]{2}[A\d]$/;
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const currencyPattern = /^[A-Z]{3}$/;
const amountPattern = /^\d{1,18}(\.\d{1,6})?$/;
const checksumPattern = /^[0-9a-f]{64}$/i;
const isoDatePattern = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?)?$/;
const documentProtocols = new Set(['http:', 'https:', 'sftp:']);

/** Every problem with a submission, each naming its field; empty when it is acceptable. */
export function checkSubmission(submission: InvoiceSubmission): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const problem = (field: string, code: string, message: string) => problems.push({ field, code, message });

  if (!uuidPattern.test(submission.uuid)) problem('/uuid', 'invalid_uuid', 'must be a UUID');
  if (!rfcPattern.test(submission.issuer))
    problem('/issuer', 'invalid_rfc', 'must be an RFC (12 or 13 characters)');
  if (!rfcPattern.test(submission.receiver))
    problem('/receiver', 'invalid_rfc', 'must be an RFC (12 or 13 characters)');
  if (!amountPattern.test(submission.amount))
    problem(
      '/amount',
      'invalid_amount',
      'must be a non-negative decimal string with at most 6 decimal places',
    );
  if (!currencyPattern.test(submission.currency))
    problem('/currency', 'invalid_currency', 'must be an ISO 4217 code such as MXN');
  if (!isoDatePattern.test(submission.issuanceDate) || Number.isNaN(Date.parse(submission.issuanceDate)))
    problem('/issuanceDate', 'invalid_date', 'must be an ISO 8601 date or timestamp');

  const hasUrl = submission.fileUrl !== undefined;
  const hasXml = submission.xml !== undefined;
  if (hasUrl === hasXml) {
    problem('/fileUrl', 'document_source_required', 'give exactly one of fileUrl (with checksum) or xml');
  } else if (hasUrl) {
    if (!isDocumentUrl(submission.fileUrl!))
      problem('/fileUrl', 'invalid_url', 'must be an http(s) or sftp URL');
    if (submission.checksum === undefined)
      problem('/checksum', 'checksum_required', 'is required with fileUrl');
  } else if (submission.xml!.trim() === '') {
    problem('/xml', 'empty_document', 'must not be empty');
  }
  if (submission.checksum !== undefined && !checksumPattern.test(submission.checksum))
    problem('/checksum', 'invalid_checksum', 'must be a SHA-256 digest in hex (64 characters)');
  return problems;
}

function isDocumentUrl(value: string): boolean {
  try {
    return documentProtocols.has(new URL(value).protocol);
  } catch {
    return false;
  }
}

export function documentSourceOf(submission: InvoiceSubmission): DocumentSource {
  return submission.xml !== undefined
    ? { kind: 'inline', xml: submission.xml }
    : { kind: 'url', url: submission.fileUrl! };
}

/** The declared checksum, or for an inline document the SHA-256 of its UTF-8 bytes. */
export function checksumOf(submission: InvoiceSubmission): string {
  if (submission.checksum !== undefined) return submission.checksum.toLowerCase();
  return createHash('sha256')
    .update(submission.xml ?? '', 'utf8')
    .digest('hex');
}

/**
 * Canonical forms for what is compared and indexed: lower-case UUIDs, dates as UTC instants. The
 * amount keeps the scale it was submitted with ("1160.00"); comparisons go through `Decimal`.
 */
export function normalizeMetadata<T extends InvoiceMetadata>(metadata: T): T {
  return {
    ...metadata,
    uuid: metadata.uuid.toLowerCase(),
    issuanceDate: new Date(metadata.issuanceDate).toISOString(),
  };
}

/** Whether a resubmission describes the same invoice as the stored one (idempotent replay). */
export function sameSubmission(a: InvoiceMetadata, b: InvoiceMetadata): boolean {
  return (
    a.uuid.toLowerCase() === b.uuid.toLowerCase() &&
    a.issuer === b.issuer &&
    a.receiver === b.receiver &&
    new Decimal(a.amount).equals(b.amount) &&
    a.currency === b.currency &&
    Date.parse(a.issuanceDate) === Date.parse(b.issuanceDate)
  );
}
