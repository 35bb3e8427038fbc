import { Code, ConnectError, decodeBinaryHeader, encodeBinaryHeader } from '@connectrpc/connect';
import { AppError, type ErrorKind, type FieldProblem, isAppError } from '../errors/index.js';

/**
 * The AppError travels in response metadata (gRPC trailers) rather than in status details: details
 * need protobuf types on both sides, while these headers are plain strings any client can read.
 * Field problems may hold any Unicode, hence a binary (`-bin`, base64) header.
 */
const kindHeader = 'fiscal-error-kind';
const codeHeader = 'fiscal-error-code';
const fieldsHeader = 'fiscal-error-fields-bin';
const retryAfterHeader = 'fiscal-retry-after';

const codeByKind: Record<ErrorKind, Code> = {
  invalid: Code.InvalidArgument,
  unsupported_media_type: Code.InvalidArgument,
  unauthenticated: Code.Unauthenticated,
  forbidden: Code.PermissionDenied,
  not_found: Code.NotFound,
  // Conflicts here are lost optimistic-lock races (`version_conflict`), which gRPC calls Aborted;
  // the kind header keeps the distinction for Fiscal clients either way.
  conflict: Code.Aborted,
  rate_limited: Code.ResourceExhausted,
  payload_too_large: Code.ResourceExhausted,
  unavailable: Code.Unavailable,
  internal: Code.Internal,
};

/** For errors that carry no kind header: raised by Connect itself, a proxy, or a foreign server. */
const kindByCode: Partial<Record<Code, ErrorKind>> = {
  [Code.InvalidArgument]: 'invalid',
  [Code.OutOfRange]: 'invalid',
  [Code.FailedPrecondition]: 'conflict',
  [Code.Unauthenticated]: 'unauthenticated',
  [Code.PermissionDenied]: 'forbidden',
  [Code.NotFound]: 'not_found',
  [Code.AlreadyExists]: 'conflict',
  [Code.Aborted]: 'conflict',
  [Code.ResourceExhausted]: 'rate_limited',
  [Code.Unavailable]: 'unavailable',
  [Code.DeadlineExceeded]: 'unavailable',
  [Code.Canceled]: 'unavailable',
};

const stableCodeByCode: Partial<Record<Code, string>> = {
  [Code.DeadlineExceeded]: 'timeout',
  [Code.Canceled]: 'cancelled',
  [Code.Unavailable]: 'upstream_unavailable',
};

const errorKinds = new Set<string>(Object.keys(codeByKind));

/** The ConnectError a handler's AppError becomes on the wire, carrying everything to rebuild it. */
export function toConnectError(error: AppError): ConnectError {
  const metadata = new Headers({ [kindHeader]: error.kind, [codeHeader]: error.code });
  if (error.errors.length > 0) metadata.set(fieldsHeader, encodeBinaryHeader(JSON.stringify(error.errors)));
  if (error.retryAfterSeconds !== undefined) metadata.set(retryAfterHeader, String(error.retryAfterSeconds));
  return new ConnectError(error.message, codeByKind[error.kind], metadata);
}

/**
 * The AppError a failed call stands for on the calling side: the callee's own kind, code, message
 * and field problems when it was a Fiscal service, otherwise the closest kind to the gRPC code.
 */
export function fromConnectError(error: unknown): AppError {
  if (isAppError(error)) return error;
  // A plain error thrown on the calling side (a bug building the request) is no answer from the
  // callee: its message must not reach a client, and it says nothing about the callee's health.
  if (isLocalBug(error)) {
    return new AppError('internal', 'internal', 'An unexpected error occurred.', { cause: error });
  }
  const connectError = ConnectError.from(error);
  const { metadata } = connectError;
  const kind = metadata.get(kindHeader);
  const code = metadata.get(codeHeader);
  if (kind !== null && errorKinds.has(kind) && code !== null) {
    return new AppError(kind as ErrorKind, code, connectError.rawMessage, {
      errors: decodeFieldProblems(metadata.get(fieldsHeader)),
      retryAfterSeconds: decodeRetryAfter(metadata.get(retryAfterHeader)),
      cause: connectError,
    });
  }
  const fallbackKind = kindByCode[connectError.code] ?? 'internal';
  const fallbackCode =
    stableCodeByCode[connectError.code] ??
    (fallbackKind === 'internal' ? 'upstream_error' : `upstream_${fallbackKind}`);
  return new AppError(fallbackKind, fallbackCode, connectError.rawMessage, { cause: connectError });
}

function decodeFieldProblems(header: string | null): FieldProblem[] {
  if (header === null) return [];
  try {
    const decoded: unknown = JSON.parse(new TextDecoder().decode(decodeBinaryHeader(header)));
    return Array.isArray(decoded) ? decoded.filter(isFieldProblem) : [];
  } catch {
    // Field problems are a courtesy; an unreadable header must not hide the error itself.
    return [];
  }
}

function isFieldProblem(value: unknown): value is FieldProblem {
  if (typeof value !== 'object' || value === null) return false;
  const { field, code, message } = value as Record<string, unknown>;
  return typeof field === 'string' && typeof code === 'string' && typeof message === 'string';
}

function decodeRetryAfter(header: string | null): number | undefined {
  const seconds = header === null ? Number.NaN : Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
}

/** Not a ConnectError, not a cancellation, not a socket or resolver failure: a local bug. */
function isLocalBug(error: unknown): boolean {
  if (error instanceof ConnectError || !(error instanceof Error)) return false;
  if (error.name === 'AbortError' || error.name === 'TimeoutError') return false;
  return typeof (error as { code?: unknown }).code !== 'string';
}
