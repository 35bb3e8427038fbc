/** An error as a log line carries it. */
export interface SerializedError {
  type: string;
  message: string;
  stack?: string;
  code?: string | number;
  [field: string]: unknown;
}

/**
 * Fields copied when an error has them: what names the failure (SQLSTATE `code`, PostgreSQL's
 * `severity`, `routine`, the `schema`/`table`/`column`/`constraint` it concerns, an AppError's
 * `kind`) and never what carries data. Drivers hang the statement on their errors (PGlite adds
 * `query` and `params`; pg's `detail` quotes the values of a violated key, `where` the context of a
 * bad parameter), so copying every own property, as pino's default serializer does, puts webhook
 * secrets, password hashes and emails in the log.
 */
const namingFields = ['kind', 'severity', 'routine', 'schema', 'table', 'column', 'constraint'] as const;

const maxMessageLength = 2_000;
const maxStackLength = 8_000;
const maxCauseDepth = 5;
const maxAggregated = 10;

/**
 * The `err` serializer of every Fiscal logger: type, message, code, stack and the causes, each
 * bounded in size, and nothing else of the error.
 */
export function serializeError(error: unknown): unknown {
  return serialize(error, 0);
}

function serialize(error: unknown, depth: number): unknown {
  if (!(error instanceof Error)) return typeof error === 'object' && error !== null ? describe(error) : error;
  const fields = error as unknown as Record<string, unknown>;
  const serialized: SerializedError = {
    type: error.constructor?.name || error.name,
    message: bounded(error.message, maxMessageLength),
  };
  if (typeof error.stack === 'string') serialized.stack = bounded(error.stack, maxStackLength);
  const code = fields.code;
  if (typeof code === 'string' || typeof code === 'number') serialized.code = code;
  for (const field of namingFields) {
    const value = fields[field];
    if (typeof value === 'string') serialized[field] = bounded(value, 200);
  }
  if (depth < maxCauseDepth) {
    if (error.cause !== undefined) serialized.cause = serialize(error.cause, depth + 1);
    if (error instanceof AggregateError && Array.isArray(error.errors))
      serialized.errors = error.errors.slice(0, maxAggregated).map((each) => serialize(each, depth + 1));
  }
  return serialized;
}

// A thrown non-Error object (a rejected value, a protocol message) is named, not copied.
function describe(value: object): { type: string } {
  return { type: value.constructor?.name ?? 'Object' };
}

function bounded(text: string, maxLength: number): string {
  return text.length > maxLength ? `${text.slice(0, maxLength)}... (${text.length - maxLength} more)` : text;
}
