import type { IsoDate, Validity } from './cfdi-catalogs.js';
import { parseCsv } from './csv.js';

export type CatalogErrorCode = 'catalog_missing' | 'catalog_malformed';

/** A catalog that is not among the files given, or whose CSV does not have the expected shape. */
export class CatalogError extends Error {
  constructor(
    readonly code: CatalogErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'CatalogError';
  }
}

const isoDate = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const decimalText = /^\d+(\.\d+)?$/;

/** One data row, read by column name, with the conversions catalogs/SOURCES.md describes. */
export interface CatalogRow {
  text(column: string): string;
  /** The value, or null when empty. */
  optional(column: string): string | null;
  /** `1` or `0`. */
  flag(column: string): boolean;
  /** `YYYY-MM-DD`, or null when empty. */
  date(column: string): IsoDate | null;
  decimal(column: string): string;
  integer(column: string): number;
  /** `valid_from` and `valid_to`. */
  validity(): Validity;
}

/**
 * The rows of `<name>.csv` from `files` (keyed by file name, with or without `.csv`), after checking
 * that its header has every column in `columns`.
 */
export function readCatalogTable(
  files: Readonly<Record<string, string>>,
  name: string,
  columns: readonly string[],
): CatalogRow[] {
  const text = files[`${name}.csv`] ?? files[name];
  if (text === undefined) throw new CatalogError('catalog_missing', `catalog ${name} is missing`);
  const [header, ...records] = parseCsv(text);
  if (!header) throw new CatalogError('catalog_malformed', `catalog ${name} is empty`);
  const indexOf = new Map(header.map((column, index) => [column, index]));
  for (const column of columns)
    if (!indexOf.has(column))
      throw new CatalogError('catalog_malformed', `catalog ${name} has no column ${column}`);
  return records.map((fields, index) => rowOf(name, index + 2, fields, indexOf));
}

function rowOf(name: string, line: number, fields: string[], indexOf: Map<string, number>): CatalogRow {
  const malformed = (column: string, expected: string) =>
    new CatalogError(
      'catalog_malformed',
      `catalog ${name}, line ${line}: ${column} ${JSON.stringify(row.text(column))} is not ${expected}`,
    );
  const row: CatalogRow = {
    text: (column) => fields[indexOf.get(column) ?? -1] ?? '',
    optional: (column) => {
      const value = row.text(column);
      return value === '' ? null : value;
    },
    flag: (column) => {
      const value = row.text(column);
      if (value !== '0' && value !== '1') throw malformed(column, '1 or 0');
      return value === '1';
    },
    date: (column) => {
      const value = row.optional(column);
      if (value !== null && !isoDate.test(value)) throw malformed(column, 'a date YYYY-MM-DD');
      return value;
    },
    decimal: (column) => {
      const value = row.text(column);
      if (!decimalText.test(value)) throw malformed(column, 'a decimal');
      return value;
    },
    integer: (column) => {
      const value = row.text(column);
      if (!/^\d+$/.test(value)) throw malformed(column, 'a whole number');
      return Number(value);
    },
    validity: () => ({ validFrom: row.date('valid_from'), validTo: row.date('valid_to') }),
  };
  if (row.text('key') === '' && indexOf.has('key')) throw malformed('key', 'a key');
  return row;
}
