/**
 * The kinds of failure the edges know how to translate (HTTP status, gRPC code). Domain and
 * application errors subclass `AppError` with a stable `code`; only the edge mappers look at `kind`.
 */
export type ErrorKind =
  | 'invalid'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'unavailable'
  | 'internal';

/** One offending input: `field` is a JSON-pointer-like path (`/items/3/amount`) or an attribute path. */
export interface FieldProblem {
  field: string;
  code: string;
  message: string;
}

export interface AppErrorOptions {
  errors?: readonly FieldProblem[];
  /** Seconds a caller should wait before retrying (`rate_limited`, `unavailable`). */
  retryAfterSeconds?: number;
  cause?: unknown;
}

export class AppError extends Error {
  readonly errors: readonly FieldProblem[];
  readonly retryAfterSeconds: number | undefined;

  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    options: AppErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.errors = options.errors ?? [];
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
