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
