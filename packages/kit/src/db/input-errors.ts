import { AppError } from '../errors/index.js';

/**
 * SQLSTATEs PostgreSQL raises for a value it cannot take: the request carried it, so the caller
 * gets a 4xx, never a 500 (and no error log), even when a value slips past the edge's checks.
 */
const inputErrorCodes = new Map([
  ['22001', 'A value is longer than its field allows.'],
  ['22003', 'A number is out of the range its field allows.'],
  ['22007', 'A date or time is not in a form the database reads.'],
  ['22008', 'A date or time is out of range.'],
  ['22019', 'A text has an invalid escape character.'],
  ['22021', 'A text contains a NUL character or bytes that are not UTF-8.'],
  ['22025', 'A text has an invalid escape sequence.'],
  ['22P02', 'A value is not in the form its field needs.'],
  ['22P05', 'A text contains a character the database cannot store.'],
  // A value too large for an index or a search document.
  ['54000', 'A value is larger than the database can index.'],
]);

/** The refused value as an `invalid` AppError (code `invalid_value`), or undefined for any other error. */
export function inputErrorOf(error: unknown): AppError | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  const message = typeof code === 'string' ? inputErrorCodes.get(code) : undefined;
  return message === undefined
    ? undefined
    : new AppError('invalid', 'invalid_value', message, { cause: error });
}
