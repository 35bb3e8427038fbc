import { type Static, Type } from '@sinclair/typebox';
import {
  ByteCount,
  CurrencyCode,
  DecimalString,
  Identifier,
  Milliseconds,
  Rfc,
  Sha256Hex,
  Timestamp,
  Uuid,
} from './formats.js';

export const InvoiceEventTypes = {
  created: 'fiscal.invoice.created',
  validated: 'fiscal.invoice.validated',
  rejected: 'fiscal.invoice.rejected',
  archived: 'fiscal.invoice.archived',
  processingStarted: 'fiscal.invoice.processing_started',
  failed: 'fiscal.invoice.failed',
  requeued: 'fiscal.invoice.requeued',
} as const;

export const InvoiceCreatedV1 = Type.Object({
  invoiceId: Identifier,
  uuid: Uuid,
  orgId: Identifier,
  issuer: Rfc,
  receiver: Rfc,
  amount: DecimalString,
  currency: CurrencyCode,
  issuanceDate: Timestamp,
  source: Type.Union([Type.Literal('url'), Type.Literal('inline')]),
  checksum: Sha256Hex,
});
export type InvoiceCreatedData = Static<typeof InvoiceCreatedV1>;

/**
 * The six facts a client declares of an invoice (its fiscal UUID, the parties, the amount and its
 * currency, when it was issued), as its created event carries them: the one declaration every
 * service that holds them uses.
 */
export type InvoiceMetadata = Pick<
  InvoiceCreatedData,
  'uuid' | 'issuer' | 'receiver' | 'amount' | 'currency' | 'issuanceDate'
>;

export const InvoiceValidatedV1 = Type.Object({
  invoiceId: Identifier,
  uuid: Uuid,
  validationMs: Milliseconds,
  checksum: Sha256Hex,
});
export type InvoiceValidatedData = Static<typeof InvoiceValidatedV1>;

export const RejectionReason = Type.Union([
  Type.Literal('download_failed'),
  Type.Literal('checksum_mismatch'),
  Type.Literal('validation_failed'),
  Type.Literal('duplicate'),
]);

export const DocumentProblem = Type.Object({
  code: Type.String({ minLength: 1 }),
  path: Type.String(),
  message: Type.String(),
});

export const InvoiceRejectedV1 = Type.Object({
  invoiceId: Identifier,
  uuid: Uuid,
  reason: RejectionReason,
  errors: Type.Array(DocumentProblem),
});

/**
 * 1.1 adds what a report needs to place a rejection: the issuer, amount and currency submitted and
 * the processing time. Optional, so 1.0 events still read; consumers fall back when they are absent.
 */
export const InvoiceRejectedV1_1 = Type.Object({
  ...InvoiceRejectedV1.properties,
  issuer: Type.Optional(Rfc),
  amount: Type.Optional(DecimalString),
  currency: Type.Optional(CurrencyCode),
  processingMs: Type.Optional(Milliseconds),
});
export type InvoiceRejectedData = Static<typeof InvoiceRejectedV1_1>;

export const InvoiceArchivedV1 = Type.Object({
  invoiceId: Identifier,
  uuid: Uuid,
  issuer: Rfc,
  amount: DecimalString,
  currency: CurrencyCode,
  originalSize: ByteCount,
  compressedSize: ByteCount,
  storageKey: Type.String({ minLength: 1 }),
  archivedAt: Timestamp,
  processingMs: Milliseconds,
});
export type InvoiceArchivedData = Static<typeof InvoiceArchivedV1>;

/** A processor claimed the invoice; the claim lapses at `leaseExpiresAt` unless renewed. */
export const InvoiceProcessingStartedV1 = Type.Object({
  invoiceId: Identifier,
  uuid: Uuid,
  /** 1 on the first claim; higher when a lapsed or failed claim was taken again. */
  attempt: Type.Integer({ minimum: 1 }),
  leaseExpiresAt: Timestamp,
});
export type InvoiceProcessingStartedData = Static<typeof InvoiceProcessingStartedV1>;

/**
 * Transient causes (an unreachable host, a 5xx that never cleared) outlasted every retry, or the
 * stamp could not be verified because its PAC certificate is not in the store yet.
 */
export const FailureReason = Type.Union([
  Type.Literal('download_failed'),
  Type.Literal('storage_failed'),
  Type.Literal('processing_failed'),
  Type.Literal('stamp_unverifiable'),
]);

/** Not a verdict on the document: a `failed` invoice can be reprocessed. */
export const InvoiceFailedV1 = Type.Object({
  invoiceId: Identifier,
  uuid: Uuid,
  reason: FailureReason,
  errors: Type.Array(DocumentProblem),
  attempts: Type.Integer({ minimum: 1 }),
});
export type InvoiceFailedData = Static<typeof InvoiceFailedV1>;

/** A failed invoice was sent back to the processor (reprocess command). */
export const InvoiceRequeuedV1 = Type.Object({
  invoiceId: Identifier,
  uuid: Uuid,
  previousStatus: Type.String({ minLength: 1 }),
});
export type InvoiceRequeuedData = Static<typeof InvoiceRequeuedV1>;
