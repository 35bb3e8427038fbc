import { describe, expect, it } from 'vitest';
import { ShardMap } from './shard-map.js';
import { fnv1a32, invoiceIdForSlot, slotCount, slotOfInvoiceId, slotOfIssuer } from './slots.js';

describe('fnv1a32', () => {
  it.each([
    ['', 0x811c9dc5],
    ['a', 0xe40c292c],
    ['foobar', 0xbf9cf968],
  ])('matches the reference value for "%s"', (text, expected) => {
    expect(fnv1a32(text)).toBe(expected);
  });
});

describe('slotOfIssuer', () => {
  it('is stable, in range and case-insensitive', () => {
    const slot = slotOfIssuer('EKU9003173C9');
    expect(slot).toBe(fnv1a32('EKU9003173C9') % slotCount);
    expect(slotOfIssuer('eku9003173c9')).toBe(slot);
    expect(slot).toBeGreaterThanOrEqual(0);
    expect(slot).toBeLessThan(slotCount);
  });
});

describe('invoice ids', () => {
  it('carry their slot and stay UUIDv7', () => {
    const id = invoiceIdForSlot('0193a1b2-0000-7000-8000-0000000001ff', 0xabc);
    expect(id).toBe('0193a1b2-0000-7000-8000-000000000abc');
    expect(slotOfInvoiceId(id)).toBe(0xabc);
  });

  it.each(['', 'not-an-id', '0193a1b2-0000-4000-8000-000000000abc', '../../etc/passwd'])(
    'refuses "%s" as an invoice id',
    (text) => {
      expect(slotOfInvoiceId(text)).toBeUndefined();
    },
  );
});

describe('ShardMap', () => {
  it('splits slots evenly and contiguously', () => {
    const map = ShardMap.even(2);
    expect(map.toString()).toBe('0-2047:0,2048-4095:1');
    expect(map.shardOfSlot(0)).toBe(0);
    expect(map.shardOfSlot(4095)).toBe(1);
    expect(ShardMap.even(3).toString()).toBe('0-1364:0,1365-2729:1,2730-4095:2');
  });

  it('parses what it prints', () => {
    const text = '0-99:1,100-4095:0';
    expect(ShardMap.parse(text, 2).toString()).toBe(text);
  });

  it.each([
    ['a gap', '0-99:0,101-4095:1', /unassigned|cover/],
    ['an overlap', '0-100:0,100-4095:1', /cover/],
    ['a short map', '0-4000:0', /unassigned/],
    ['an unknown shard', '0-4095:2', /names shard 2/],
    ['garbage', '0-4095', /not a slot range/],
  ])('refuses %s', (_case, text, message) => {
    expect(() => ShardMap.parse(text, 2)).toThrow(message);
  });

  it('going from one shard to two moves only the reassigned half', () => {
    const moves = ShardMap.even(1).movesTo(ShardMap.even(2));
    expect(moves).toEqual([{ from: 2048, to: 4095, fromShard: 0, toShard: 1 }]);
  });

  it('going from two shards to three moves two ranges', () => {
    const moves = ShardMap.even(2).movesTo(ShardMap.even(3));
    expect(moves).toEqual([
      { from: 1365, to: 2047, fromShard: 0, toShard: 1 },
      { from: 2730, to: 4095, fromShard: 1, toShard: 2 },
    ]);
  });
});
