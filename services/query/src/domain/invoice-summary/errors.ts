import { AppError } from '@fiscal/kit/errors';

export class InvoiceNotFound extends AppError {
  constructor(id: string) {
    super('not_found', 'invoice_not_found', `Invoice ${id} does not exist.`);
  }
}
