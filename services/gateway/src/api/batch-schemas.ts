import { type Static, Type } from '@sinclair/typebox';

export const maxBatchItems = 1_000;

// Items are deliberately unchecked here: a schema failure would refuse the whole batch, and one
// bad invoice must not sink the others. Each item is checked on its own (`batch-items.ts`).
const Items = Type.Array(Type.Unknown(), {
  description: `Invoice submissions, 1 to ${maxBatchItems}, each shaped like the body of POST /invoices`,
});

/** `{"items": [...]}`, or what some ERPs send instead: `{"invoices": [...]}` or a bare array. */
export const BatchSubmissionBody = Type.Union([
  Type.Object({ items: Items }, { additionalProperties: false }),
  Type.Object({ invoices: Items }, { additionalProperties: false }),
  Items,
]);
export type BatchSubmissionBody = Static<typeof BatchSubmissionBody>;

export const FieldProblem = Type.Object({
  field: Type.String({ description: 'JSON pointer into the request body, e.g. /items/3/amount' }),
  code: Type.String(),
  message: Type.String(),
});

export const AcceptedBatchItem = Type.Object({
  index: Type.Integer({ description: 'Position of the item in the request' }),
  status: Type.Literal('accepted'),
  id: Type.String(),
  uuid: Type.String(),
  invoiceStatus: Type.String(),
  created: Type.Boolean({ description: 'False when the fiscal UUID had been submitted before' }),
});
export type AcceptedBatchItem = Static<typeof AcceptedBatchItem>;

export const RejectedBatchItem = Type.Object({
  index: Type.Integer({ description: 'Position of the item in the request' }),
  status: Type.Literal('rejected'),
  code: Type.String(),
  detail: Type.String(),
  errors: Type.Array(FieldProblem),
});
export type RejectedBatchItem = Static<typeof RejectedBatchItem>;

export type BatchItemResult = AcceptedBatchItem | RejectedBatchItem;

export const BatchResult = Type.Object({
  accepted: Type.Integer(),
  rejected: Type.Integer(),
  results: Type.Array(Type.Union([AcceptedBatchItem, RejectedBatchItem]), {
    description: 'One result per item, in the order of the request',
  }),
});
export type BatchResult = Static<typeof BatchResult>;
