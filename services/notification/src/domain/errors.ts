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

export class SubscriptionLimitReached extends AppError {
  constructor(limit: number) {
    super(
      'conflict',
      'subscription_limit_reached',
      `An organisation has at most ${limit} subscriptions; delete one to add another.`,
    );
  }
}
