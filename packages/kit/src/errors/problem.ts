import { AppError, type ErrorKind, type FieldProblem } from './app-error.js';

/** RFC 9457 problem details, with Fiscal's stable `code` and the offending fields. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  errors?: FieldProblem[];
}

export const statusByKind: Record<ErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};

export const titleByKind: Record<ErrorKind, string> = {
  invalid: 'Invalid request',
  unauthenticated: 'Authentication required',
  forbidden: 'Forbidden',
  not_found: 'Not found',
  conflict: 'Conflict',
  payload_too_large: 'Payload too large',
  unsupported_media_type: 'Unsupported media type',
  rate_limited: 'Too many requests',
  unavailable: 'Service unavailable',
  internal: 'Internal error',
};

const problemTypeBase = 'https://fiscal.dev/problems/';

/**
 * The one place an error becomes a problem document. Anything that is not an `AppError` is an
 * internal error whose details stay in the logs, never in the response.
 */
export function toProblem(error: unknown, instance?: string): Problem {
  const appError =
    error instanceof AppError ? error : new AppError('internal', 'internal', 'An unexpected error occurred.');
  const problem: Problem = {
    type: `${problemTypeBase}${appError.code}`,
    title: titleByKind[appError.kind],
    status: statusByKind[appError.kind],
    detail: appError.message,
    code: appError.code,
  };
  if (instance) problem.instance = instance;
  if (appError.errors.length > 0) problem.errors = [...appError.errors];
  return problem;
}
