import { readFileSync } from 'node:fs';

// The repository's fixtures/cfdi, found from this file so tests run in any clone.
const fixturesDirectory = new URL('../../../../fixtures/cfdi/', import.meta.url);

/** A fixture's bytes exactly as stored (BOM and all). */
export function fixtureBytes(name: string): Uint8Array {
  return readFileSync(new URL(name, fixturesDirectory));
}

export function fixtureText(name: string): string {
  return readFileSync(new URL(name, fixturesDirectory), 'utf8');
}

/** The text with `search` replaced; fails unless it occurs exactly once, so a mutation cannot silently miss. */
export function replaceOnce(text: string, search: string, replacement: string): string {
  const first = text.indexOf(search);
  if (first === -1 || text.indexOf(search, first + 1) !== -1)
    throw new Error(`expected exactly one occurrence of ${JSON.stringify(search)}`);
  return text.slice(0, first) + replacement + text.slice(first + search.length);
}
