import { type Static, Type } from '@sinclair/typebox';

// Public REST shapes (DESIGN §6). The gateway checks only shape and size; formats (RFC, UUID,
// decimal, currency, date) are the invoice service's rules, which name every offending field at
// once. Checking some of them here too would answer with only those and hide the rest.
export const InvoiceSubmissionBody = Type.Object(
  {
    uuid: Type.String({ maxLength: 64 }),
    issuer: Type.String({ maxLength: 64 }),
    receiver: Type.String({ maxLength: 64 }),
    amount: Type.String({ maxLength: 64, description: 'Decimal string, e.g. "1160.00"' }),
    currency: Type.String({ maxLength: 16 }),
    issuanceDate: Type.String({ maxLength: 64 }),
    fileUrl: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
    checksum: Type.Optional(Type.String({ maxLength: 128 })),
    xml: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
export type InvoiceSubmissionBody = Static<typeof InvoiceSubmissionBody>;

/** The raw CFDI, sent as `application/xml` or `text/xml`; its metadata is read from the document. */
export const RawInvoiceDocument = Type.String({
  minLength: 1,
  description: 'The CFDI document itself, UTF-8 (a byte order mark is kept)',
});

export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 255,
      pattern: '^[\\x20-\\x7E]+$',
      description: 'Printable ASCII; repeating a request with the same key has no second effect',
    }),
  ),
});
export type IdempotencyHeaders = Static<typeof IdempotencyHeaders>;

export const InvoiceIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
export type InvoiceIdParams = Static<typeof InvoiceIdParams>;

export const AcceptedInvoice = Type.Object({
  id: Type.String(),
  uuid: Type.String(),
  status: Type.String(),
  created: Type.Boolean({ description: 'False when the fiscal UUID had been submitted before' }),
});
export type AcceptedInvoice = Static<typeof AcceptedInvoice>;

export const InvoiceState = Type.Object({
  id: Type.String(),
  uuid: Type.String(),
  status: Type.String(),
});
export type InvoiceState = Static<typeof InvoiceState>;

/** The archived original, byte for byte; its checksum is the entity tag. */
export const InvoiceDocumentContent = Type.String({ format: 'binary' });

export const InvoiceView = Type.Object({
  id: Type.String(),
  uuid: Type.Union([Type.String(), Type.Null()]),
  issuer: Type.Union([Type.String(), Type.Null()]),
  receiver: Type.Union([Type.String(), Type.Null()]),
  amount: Type.Union([Type.String(), Type.Null()]),
  currency: Type.Union([Type.String(), Type.Null()]),
  issuanceDate: Type.Union([Type.String(), Type.Null()]),
  status: Type.String(),
  reason: Type.Union([Type.String(), Type.Null()], {
    description:
      'Why the invoice was rejected or failed (download_failed, checksum_mismatch, validation_failed, ...)',
  }),
  errors: Type.Array(Type.Object({ code: Type.String(), path: Type.String(), message: Type.String() }), {
    description:
      'The problems found in the document or its download, when rejected or failed: the first 100 and, ' +
      'when there were more, a last one (code too_many_problems) saying how many',
  }),
  processingMs: Type.Union([Type.Integer(), Type.Null()]),
  originalSize: Type.Union([Type.Integer(), Type.Null()]),
  compressedSize: Type.Union([Type.Integer(), Type.Null()]),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

export type InvoiceView = Static<typeof InvoiceView>;

/** An invoice in a list: its view without the problems, which only the invoice itself shows. */
export const InvoiceListItem = Type.Omit(InvoiceView, ['errors']);

/** One event of an invoice's life, as its timeline shows it. */
export const TimelineEntry = Type.Object({
  eventId: Type.String(),
  type: Type.String(),
  sequence: Type.Integer(),
  occurredAt: Type.String(),
  detail: Type.Unknown({ description: "The event's data" }),
});
export type TimelineEntry = Static<typeof TimelineEntry>;
