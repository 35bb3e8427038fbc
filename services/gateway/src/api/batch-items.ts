import { AppError, type FieldProblem } from '@fiscal/kit/errors';
import { TypeCompiler, type ValueError, ValueErrorType } from '@sinclair/typebox/compiler';
import type { BatchItemOutcome } from '../app/upstreams.js';
import {
  type BatchItemResult,
  type BatchResult,
  type BatchSubmissionBody,
  maxBatchItems,
  type RejectedBatchItem,
} from './batch-schemas.js';
import { InvoiceSubmissionBody } from './invoice-schemas.js';

/** The items of a batch and where they sit in the request body, for error paths. */
export interface BatchItems {
  items: readonly unknown[];
  /** JSON pointer of the array: `/items`, `/invoices`, or `` for a bare array. */
  pointer: string;
}

/** A batch whose items have been checked for shape: what to send, and what was refused here. */
export interface CheckedBatch {
  /** The well-shaped items, each with its position in the request. */
  sent: { index: number; submission: InvoiceSubmissionBody }[];
  /** Results so far, by position: the refused items only. */
  results: (BatchItemResult | undefined)[];
  pointer: string;
}

const submissionShape = TypeCompiler.Compile(InvoiceSubmissionBody);

export function batchItemsOf(body: BatchSubmissionBody): BatchItems {
  const { items, pointer } = Array.isArray(body)
    ? { items: body, pointer: '' }
    : 'items' in body
      ? { items: body.items, pointer: '/items' }
      : { items: body.invoices, pointer: '/invoices' };
  const field = pointer || '/';
  if (items.length === 0) {
    throw new AppError('invalid', 'batch_empty', 'The batch holds no invoices.', {
      errors: [{ field, code: 'invalid_minItems', message: 'must hold at least 1 invoice' }],
    });
  }
  if (items.length > maxBatchItems) {
    throw new AppError(
      'payload_too_large',
      'batch_too_large',
      `A batch holds at most ${maxBatchItems} invoices; this one holds ${items.length}.`,
      {
        errors: [{ field, code: 'invalid_maxItems', message: `must hold at most ${maxBatchItems} invoices` }],
      },
    );
  }
  return { items, pointer };
}

/** Refuses each malformed item on its own, so only well-shaped ones reach the invoice service. */
export function checkBatchItems({ items, pointer }: BatchItems): CheckedBatch {
  const checked: CheckedBatch = { sent: [], results: new Array(items.length), pointer };
  items.forEach((item, index) => {
    if (submissionShape.Check(item)) {
      checked.sent.push({ index, submission: item });
      return;
    }
    checked.results[index] = {
      index,
      status: 'rejected',
      code: 'validation_failed',
      detail: 'The invoice has invalid fields.',
      errors: shapeProblems(item, `${pointer}/${index}`),
    };
  });
  return checked;
}

/** Puts the service's outcomes back at the positions of the items they answer. */
export function mergeBatchOutcomes(
  checked: CheckedBatch,
  outcomes: readonly BatchItemOutcome[],
): BatchResult {
  const results = [...checked.results];
  for (const outcome of outcomes) {
    const index = checked.sent[outcome.index]?.index;
    if (index === undefined || results[index] !== undefined) throw invalidBatchAnswer();
    const itemPointer = `${checked.pointer}/${index}`;
    results[index] =
      'accepted' in outcome
        ? {
            index,
            status: 'accepted',
            id: outcome.accepted.id,
            uuid: outcome.accepted.uuid,
            invoiceStatus: outcome.accepted.status,
            created: outcome.accepted.created,
          }
        : {
            index,
            status: 'rejected',
            code: outcome.refused.code,
            detail: outcome.refused.message,
            errors: outcome.refused.errors.map((problem) => ({
              ...problem,
              field: fieldOfItem(itemPointer, problem.field),
            })),
          };
  }
  const complete: BatchItemResult[] = [];
  for (const result of results) {
    if (result === undefined) throw invalidBatchAnswer();
    complete.push(result);
  }
  const rejected = complete.filter((result) => result.status === 'rejected').length;
  return { accepted: complete.length - rejected, rejected, results: complete };
}

function invalidBatchAnswer(): AppError {
  return new AppError(
    'internal',
    'upstream_invalid_response',
    'The invoice service did not answer every item of the batch once.',
  );
}

/** The service names fields within the submission (`/amount`); the client needs them within its body. */
function fieldOfItem(itemPointer: string, field: string): string {
  if (field === '' || field === '/') return itemPointer;
  return field.startsWith('/') ? `${itemPointer}${field}` : `${itemPointer}/${field}`;
}

function shapeProblems(item: unknown, itemPointer: string): RejectedBatchItem['errors'] {
  const problems: FieldProblem[] = [];
  const seen = new Set<string>();
  for (const error of submissionShape.Errors(item)) {
    const field = `${itemPointer}${error.path}`;
    // A missing field is also "not a string": name it once, for the first reason.
    if (seen.has(field)) continue;
    seen.add(field);
    problems.push({ field, ...describe(error) });
  }
  return problems;
}

/** The same codes the route schemas give (`required`, `unknown_field`, `invalid_<keyword>`). */
function describe(error: ValueError): { code: string; message: string } {
  switch (error.type) {
    case ValueErrorType.ObjectRequiredProperty:
      return { code: 'required', message: 'is required' };
    case ValueErrorType.ObjectAdditionalProperties:
      return { code: 'unknown_field', message: 'is not a known field' };
    case ValueErrorType.Object:
      return { code: 'invalid_type', message: 'must be an object' };
    case ValueErrorType.String:
      return { code: 'invalid_type', message: 'must be a string' };
    case ValueErrorType.StringMinLength:
      return {
        code: 'invalid_minLength',
        message: `must have at least ${error.schema.minLength} characters`,
      };
    case ValueErrorType.StringMaxLength:
      return { code: 'invalid_maxLength', message: `must have at most ${error.schema.maxLength} characters` };
    default:
      return { code: 'invalid', message: error.message };
  }
}
