/**
 * The opaque cursor of a page: the last invoice id seen, base64url-encoded with a version so its
 * form can change without breaking cursors clients already hold. Invoice ids (UUIDv7) never change
 * and are ordered by creation, so a page after a cursor neither repeats nor skips an invoice when
 * others arrive meanwhile: the newcomers sort before the cursor.
 */
export function encodePageCursor(lastId: string): string {
  return Buffer.from(JSON.stringify({ v: 1, id: lastId })).toString('base64url');
}

/** The last id a cursor names, or undefined when the text is not a cursor of ours. */
export function decodePageCursor(cursor: string): string | undefined {
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(cursor)) return undefined;
  try {
    const decoded: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof decoded !== 'object' || decoded === null) return undefined;
    const { v, id } = decoded as { v?: unknown; id?: unknown };
    return v === 1 && typeof id === 'string' && id.length > 0 && id.length <= 64 ? id : undefined;
  } catch {
    return undefined;
  }
}
