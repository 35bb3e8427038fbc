import { describe, expect, it } from 'vitest';
import { AppError } from './app-error.js';
import { toProblem } from './problem.js';

describe('toProblem', () => {
  it('keeps the code, the message and every offending field of an application error', () => {
    const error = new AppError('invalid', 'validation_failed', 'The request has invalid fields.', {
      errors: [
        { field: '/amount', code: 'invalid_pattern', message: 'must be a decimal string' },
        { field: '/extraField', code: 'unknown_field', message: 'is not a known field' },
      ],
    });
    expect(toProblem(error, '/api/v1/invoices')).toEqual({
      type: 'https://fiscal.dev/problems/validation_failed',
      title: 'Invalid request',
      status: 400,
      detail: 'The request has invalid fields.',
      code: 'validation_failed',
      instance: '/api/v1/invoices',
      errors: [
        { field: '/amount', code: 'invalid_pattern', message: 'must be a decimal string' },
        { field: '/extraField', code: 'unknown_field', message: 'is not a known field' },
      ],
    });
  });

  it('turns anything else into an internal problem that reveals nothing', () => {
    const problem = toProblem(new TypeError('cannot read password of undefined at db.ts:12'));
    expect(problem).toEqual({
      type: 'https://fiscal.dev/problems/internal',
      title: 'Internal error',
      status: 500,
      detail: 'An unexpected error occurred.',
      code: 'internal',
    });
  });

  it('leaves out the errors member when no field is at fault', () => {
    expect(toProblem(new AppError('conflict', 'duplicate_invoice', 'Already submitted.'))).not.toHaveProperty(
      'errors',
    );
  });
});
