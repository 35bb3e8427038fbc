import { AppError, type FieldProblem } from '@fiscal/kit/errors';

export class InvalidInvoiceSubmission extends AppError {
  constructor(errors: readonly FieldProblem[]) {
    super('invalid', 'validation_failed', 'The invoice submission has invalid fields.', { errors });
  }
}

export class InvoiceNotFound extends AppError {
  constructor(id: string) {
    super('not_found', 'invoice_not_found', `Invoice ${id} does not exist.`);
  }
}

/** The same fiscal UUID was submitted before with different data. */
export class InvoiceUuidConflict extends AppError {
  constructor(uuid: string, existingId: string) {
    super(
      'conflict',
      'invoice_uuid_conflict',
      `Fiscal UUID ${uuid} was already submitted as invoice ${existingId} with different data.`,
    );
  }
}

/** The state machine does not allow this action from the invoice's current state. */
export class InvalidTransition extends AppError {
  constructor(
    readonly invoice: { id: string; status: string },
    readonly action: string,
    readonly state: string,
  ) {
    super(
      'conflict',
      'invalid_transition',
      `Invoice ${invoice.id} cannot ${action} from ${state} (status ${invoice.status}).`,
    );
  }
}

export class InvoiceNotReprocessable extends AppError {
  constructor(id: string, status: string) {
    super(
      'conflict',
      'invoice_not_reprocessable',
      `Invoice ${id} is ${status}; only a failed invoice can be reprocessed.`,
    );
  }
}

export class ReprocessLimitReached extends AppError {
  constructor(id: string, limit: number) {
    super(
      'conflict',
      'reprocess_limit_reached',
      `Invoice ${id} was reprocessed ${limit} times, the most an invoice can be.`,
    );
  }
}

export class DocumentNotArchived extends AppError {
  constructor(id: string, status: string) {
    super(
      'conflict',
      'document_not_archived',
      `Invoice ${id} is ${status}; its document is not archived yet.`,
    );
  }
}

/** A concurrent change won the optimistic-lock race more times than the update would retry. */
export class InvoiceVersionConflict extends AppError {
  constructor(id: string) {
    super('conflict', 'version_conflict', `Invoice ${id} was changed concurrently; try again.`);
  }
}

export class BatchTooLarge extends AppError {
  constructor(size: number, limit: number) {
    super('invalid', 'batch_too_large', `A batch holds at most ${limit} invoices; this one has ${size}.`, {
      errors: [{ field: '/items', code: 'batch_too_large', message: `at most ${limit} items` }],
    });
  }
}

export class IdempotencyKeyReused extends AppError {
  constructor() {
    super(
      'conflict',
      'idempotency_key_reused',
      'This Idempotency-Key was used before with a different request.',
    );
  }
}
