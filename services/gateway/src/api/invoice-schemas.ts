import { type Static, Type } from '@sinclair/typebox';

// Public REST shapes (DESIGN §6). Formats are checked loosely here and precisely by the invoice
// service, which names every offending field; the gateway only guards shape and size.
export const InvoiceSubmissionBody = Type.Object(
  {
    uuid: Type.String({ minLength: 1, maxLength: 64 }),
    issuer: Type.String({ minLength: 1, maxLength: 13 }),
    receiver: Type.String({ minLength: 1, maxLength: 13 }),
    amount: Type.String({ minLength: 1, maxLength: 32, description: 'Decimal string, e.g. "1160.00"' }),
    currency: Type.String({ minLength: 3, maxLength: 3 }),
    issuanceDate: Type.String({ minLength: 1, maxLength: 40 }),
    fileUrl: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
    checksum: Type.Optional(Type.String({ minLength: 64, maxLength: 64 })),
    xml: Type.Optional(Type.String({ minLength: 1 })),
  },
  { additionalProperties: false },
);
export type InvoiceSubmissionBody = Static<typeof InvoiceSubmissionBody>;

export const InvoiceIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
export type InvoiceIdParams = Static<typeof InvoiceIdParams>;

export const AcceptedInvoice = Type.Object({
  id: Type.String(),
  uuid: Type.String(),
  status: Type.String(),
  created: Type.Boolean({ description: 'False when the fiscal UUID had been submitted before' }),
});

export const InvoiceView = Type.Object({
  id: Type.String(),
  uuid: Type.Union([Type.String(), Type.Null()]),
  issuer: Type.Union([Type.String(), Type.Null()]),
  receiver: Type.Union([Type.String(), Type.Null()]),
  amount: Type.Union([Type.String(), Type.Null()]),
  currency: Type.Union([Type.String(), Type.Null()]),
  issuanceDate: Type.Union([Type.String(), Type.Null()]),
  status: Type.String(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
