/** A CSV text that does not follow RFC 4180: where, and what. */
export class CsvSyntaxError extends Error {
  readonly code = 'csv_malformed';

  constructor(
    readonly line: number,
    detail: string,
  ) {
    super(`CSV line ${line}: ${detail}`);
    this.name = 'CsvSyntaxError';
  }
}

const quote = 0x22;
const comma = 0x2c;
const lineFeed = 0x0a;
const carriageReturn = 0x0d;
const byteOrderMark = 0xfeff;

/**
 * The records of an RFC 4180 text, each a list of fields: commas separate fields, CRLF or LF ends a
 * record, a field in double quotes may hold commas, line breaks and doubled quotes (`""` is one `"`).
 * A leading byte-order mark and blank lines are skipped; the last record needs no line break.
 *
 * Most catalog lines hold no quote at all, so those are split whole; only a line with a quote is read
 * character by character.
 */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  const length = text.length;
  let position = text.charCodeAt(0) === byteOrderMark ? 1 : 0;
  let line = 1;
  // The next quote at or after `position`; searched again only once passed, so the scan stays linear.
  let nextQuote = text.indexOf('"', position);
  while (position < length) {
    if (nextQuote !== -1 && nextQuote < position) nextQuote = text.indexOf('"', position);
    // Every whole line before the next quote is split in one go: the common case, and the fast one.
    const blockEnd = nextQuote === -1 ? length : text.lastIndexOf('\n', nextQuote) + 1;
    if (blockEnd > position) {
      for (const row of text.slice(position, blockEnd).split('\n')) {
        const record = row.endsWith('\r') ? row.slice(0, -1) : row;
        if (record !== '') records.push(record.split(','));
        line += 1;
      }
      // A block that ends with a line feed yields one empty row too many.
      if (text.charCodeAt(blockEnd - 1) === lineFeed) line -= 1;
      position = blockEnd;
      continue;
    }
    const read = readQuotedRecord(text, position, line);
    records.push(read.fields);
    position = read.next;
    line = read.line;
  }
  return records;
}

interface QuotedRecord {
  fields: string[];
  /** Where the next record starts. */
  next: number;
  /** The line the next record starts on. */
  line: number;
}

function readQuotedRecord(text: string, start: number, startLine: number): QuotedRecord {
  const fields: string[] = [];
  const length = text.length;
  let position = start;
  let line = startLine;
  for (;;) {
    let field: string;
    if (text.charCodeAt(position) === quote) {
      const read = readQuotedField(text, position, line);
      field = read.value;
      position = read.next;
      line = read.line;
      const after = position < length ? text.charCodeAt(position) : lineFeed;
      if (after !== comma && after !== lineFeed && after !== carriageReturn)
        throw new CsvSyntaxError(line, 'a quoted field must be followed by a comma or the end of the line');
    } else {
      let end = position;
      while (end < length) {
        const code = text.charCodeAt(end);
        if (code === comma || code === lineFeed || code === carriageReturn) break;
        if (code === quote) throw new CsvSyntaxError(line, 'a quote may only open a field');
        end += 1;
      }
      field = text.slice(position, end);
      position = end;
    }
    fields.push(field);
    if (position >= length) return { fields, next: length, line };
    const separator = text.charCodeAt(position);
    if (separator === comma) {
      position += 1;
      continue;
    }
    if (separator === carriageReturn) position += 1;
    if (position < length && text.charCodeAt(position) !== lineFeed)
      throw new CsvSyntaxError(line, 'a carriage return must be followed by a line feed');
    return { fields, next: position + 1, line: line + 1 };
  }
}

function readQuotedField(text: string, start: number, startLine: number) {
  let value = '';
  let line = startLine;
  let chunkStart = start + 1;
  for (;;) {
    const closing = text.indexOf('"', chunkStart);
    if (closing === -1) throw new CsvSyntaxError(startLine, 'a quoted field is not closed');
    const chunk = text.slice(chunkStart, closing);
    value += chunk;
    for (let index = chunk.indexOf('\n'); index !== -1; index = chunk.indexOf('\n', index + 1)) line += 1;
    if (text.charCodeAt(closing + 1) === quote) {
      value += '"';
      chunkStart = closing + 2;
    } else {
      return { value, next: closing + 1, line };
    }
  }
}
