import { AppError } from '@fiscal/kit/errors';

export class SubscriptionNotFound extends AppError {
  constructor(id: string) {
    super('not_found', 'subscription_not_found', `No subscription ${id} in this organisation.`);
  }
}

export class InvalidCursor extends AppError {
  constructor() {
    super('invalid', 'invalid_cursor', 'The cursor is not one this service returned.', {
      errors: [
        { field: '/cursor', code: 'invalid_cursor', message: 'Use the nextCursor of a previous page.' },
      ],
    });
  }
}
