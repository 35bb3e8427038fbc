import { slotCount } from './slots.js';

/** Slots `from`..`to` (inclusive) live on shard `shard`. */
export interface SlotRange {
  from: number;
  to: number;
  shard: number;
}

/** A range of slots whose shard differs between two maps: the rows to move. */
export interface SlotMove {
  from: number;
  to: number;
  fromShard: number;
  toShard: number;
}

/**
 * Which physical shard holds each of the 4,096 slots. Written as `0-2047:0,2048-4095:1`; every slot
 * must be assigned exactly once, and every shard index must be below the number of shards.
 */
export class ShardMap {
  readonly ranges: readonly SlotRange[];
  private readonly shardBySlot: Uint16Array;

  constructor(ranges: readonly SlotRange[], shardCount: number) {
    const sorted = [...ranges].sort((a, b) => a.from - b.from);
    let next = 0;
    for (const range of sorted) {
      if (range.from !== next || range.to < range.from || range.to >= slotCount) {
        throw new Error(`shard map must cover slots 0-${slotCount - 1} once, in contiguous ranges`);
      }
      if (!Number.isInteger(range.shard) || range.shard < 0 || range.shard >= shardCount) {
        throw new Error(`shard map names shard ${range.shard}, but there are ${shardCount} shards`);
      }
      next = range.to + 1;
    }
    if (next !== slotCount) throw new Error(`shard map leaves slots ${next}-${slotCount - 1} unassigned`);
    this.ranges = sorted;
    this.shardBySlot = new Uint16Array(slotCount);
    for (const range of sorted) this.shardBySlot.fill(range.shard, range.from, range.to + 1);
  }

  /** Equal contiguous ranges over `shardCount` shards, the default layout. */
  static even(shardCount: number): ShardMap {
    if (!Number.isInteger(shardCount) || shardCount < 1 || shardCount > slotCount) {
      throw new Error(`shard count must be between 1 and ${slotCount}`);
    }
    const ranges: SlotRange[] = [];
    for (let shard = 0; shard < shardCount; shard++) {
      const from = Math.floor((shard * slotCount) / shardCount);
      const to = Math.floor(((shard + 1) * slotCount) / shardCount) - 1;
      ranges.push({ from, to, shard });
    }
    return new ShardMap(ranges, shardCount);
  }

  /** Parses `from-to:shard,...`, the form of `FISCAL_INVOICE_SHARD_MAP`. */
  static parse(text: string, shardCount: number): ShardMap {
    const ranges = text
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== '')
      .map((part) => {
        const match = /^(\d+)-(\d+):(\d+)$/.exec(part);
        if (!match) throw new Error(`"${part}" is not a slot range (from-to:shard)`);
        return { from: Number(match[1]), to: Number(match[2]), shard: Number(match[3]) };
      });
    return new ShardMap(ranges, shardCount);
  }

  shardOfSlot(slot: number): number {
    const shard = this.shardBySlot[slot];
    if (shard === undefined) throw new RangeError(`bad slot ${slot}`);
    return shard;
  }

  /** Slot ranges whose shard changes from this map to `target`, coalesced. */
  movesTo(target: ShardMap): SlotMove[] {
    const moves: SlotMove[] = [];
    for (let slot = 0; slot < slotCount; slot++) {
      const fromShard = this.shardOfSlot(slot);
      const toShard = target.shardOfSlot(slot);
      if (fromShard === toShard) continue;
      const last = moves.at(-1);
      if (last && last.to === slot - 1 && last.fromShard === fromShard && last.toShard === toShard) {
        last.to = slot;
      } else {
        moves.push({ from: slot, to: slot, fromShard, toShard });
      }
    }
    return moves;
  }

  toString(): string {
    return this.ranges.map((range) => `${range.from}-${range.to}:${range.shard}`).join(',');
  }
}
