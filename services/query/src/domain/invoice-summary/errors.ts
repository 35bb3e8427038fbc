import { AppError, type FieldProblem } from '@fiscal/kit/errors';

export class InvoiceNotFound extends AppError {
  constructor(id: string) {
    super('not_found', 'invoice_not_found', `Invoice ${id} does not exist.`);
  }
}

/** A list query with values the read model cannot answer; names every offending field. */
export class InvalidListQuery extends AppError {
  constructor(errors: FieldProblem[]) {
    super('invalid', 'validation_failed', 'The invoice list query has invalid fields.', { errors });
  }
}

/** A cursor that no page of ours handed out (forged, truncated, or from another version). */
export class InvalidCursor extends AppError {
  constructor() {
    super('invalid', 'invalid_cursor', 'The cursor is not one this list handed out.', {
      errors: [{ field: 'cursor', code: 'invalid_cursor', message: 'is not a cursor of this list' }],
    });
  }
}
