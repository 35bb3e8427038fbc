/**
 * Shard keys. An issuer RFC hashes (FNV-1a, 32 bits) to one of 4,096 fixed slots; a shard map then
 * assigns slot ranges to physical shards. Adding a shard reassigns ranges of slots, so only the rows
 * of those slots move; `hash % shards` would reshuffle nearly every row.
 */
export const slotCount = 4096;

const fnvOffsetBasis = 0x811c9dc5;
const fnvPrime = 0x01000193;
const encoder = new TextEncoder();

/** FNV-1a over the UTF-8 bytes of `text`, as an unsigned 32-bit integer. */
export function fnv1a32(text: string): number {
  let hash = fnvOffsetBasis;
  for (const byte of encoder.encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, fnvPrime) >>> 0;
  }
  return hash >>> 0;
}

/** The slot of an issuer; RFCs are compared upper-case, as SAT writes them. */
export function slotOfIssuer(issuer: string): number {
  return fnv1a32(issuer.toUpperCase()) % slotCount;
}

/**
 * Invoice ids are UUIDv7 whose last 12 bits (the last three hex digits, random bits in the
 * standard) carry the slot: any id leads to its one shard without a directory or a scatter, and
 * ids stay time-ordered, valid UUIDs.
 */
export function invoiceIdForSlot(uuidV7: string, slot: number): string {
  if (!Number.isInteger(slot) || slot < 0 || slot >= slotCount) throw new RangeError(`bad slot ${slot}`);
  return `${uuidV7.slice(0, -3)}${slot.toString(16).padStart(3, '0')}`;
}

const invoiceIdPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The slot an invoice id encodes, or undefined when the text is not an invoice id. */
export function slotOfInvoiceId(id: string): number | undefined {
  if (!invoiceIdPattern.test(id)) return undefined;
  return Number.parseInt(id.slice(-3), 16);
}
