import type { EventEnvelope } from '@fiscal/contracts';
import { type DeadLetter, type DeadLetterSelection, requireFound, selectedIds } from '../event-bus.js';
import type { LeasedMessage, QueueStore } from './queue-store.js';

interface StoredMessage {
  id: string;
  envelope: EventEnvelope;
  deliveries: number;
  availableAt: number;
  leasedUntil: number;
  /** The dead letter this message was redriven from, removed from its shelf once handled. */
  letterId?: string;
}

/**
 * Where a memory store keeps its dead letters. Redriving takes letters off the list but the shelf
 * may keep them until their redriven message is handled (`discard`) or fails again (`shelve` with
 * `letterId`), so that, kept in a database, a redrive interrupted by a crash loses nothing.
 */
export interface DeadLetterShelf {
  shelve(letter: {
    group: string;
    envelope: EventEnvelope;
    error: string;
    attempts: number;
    letterId?: string;
  }): Promise<void>;
  list(group: string, limit: number): Promise<DeadLetter[]>;
  /** Takes the selected letters off the list (all or none of a selection), for redriving. */
  takeForRedrive(group: string, selection: DeadLetterSelection): Promise<DeadLetter[]>;
  /** A redriven letter's message was handled: the letter is gone for good. */
  discard(letterIds: readonly string[]): Promise<void>;
  purge(group: string, selection: DeadLetterSelection): Promise<number>;
  depth(group: string): Promise<number>;
  /** Letters taken for a redrive that never finished (a crash) are listed again. */
  restoreRedriven(): Promise<void>;
}

export interface MemoryQueueStoreOptions {
  /** Default: in memory too, gone with the process. */
  deadLetters?: DeadLetterShelf;
}

/**
 * Queues in memory. With the default shelf everything is gone with the process, for
 * `FISCAL_MEMORY=1` and fast tests; with a database shelf and a bus that settles before publish
 * resolves, the publisher's outbox keeps every event until it is handled (embedded mode).
 * Each group's messages are kept in delivery order in a map, so enqueue, ack and dead-lettering
 * cost the same however long the queue.
 */
export function createMemoryQueueStore(options: MemoryQueueStoreOptions = {}): QueueStore {
  const shelf = options.deadLetters ?? createMemoryDeadLetterShelf();
  const bindings = new Map<string, Set<string>>();
  const queues = new Map<string, { messages: Map<string, StoredMessage>; eventIds: Set<string> }>();
  let sequence = 0;

  const queueOf = (group: string) => {
    let queue = queues.get(group);
    if (!queue) {
      queue = { messages: new Map(), eventIds: new Set() };
      queues.set(group, queue);
    }
    return queue;
  };
  const take = (group: string, id: string) => {
    const queue = queueOf(group);
    const message = queue.messages.get(id);
    if (!message) return undefined;
    queue.messages.delete(id);
    queue.eventIds.delete(message.envelope.id);
    return message;
  };
  const push = (group: string, envelope: EventEnvelope, letterId?: string) => {
    const queue = queueOf(group);
    if (queue.eventIds.has(envelope.id)) return false;
    const id = String(++sequence);
    queue.messages.set(id, {
      id,
      envelope: structuredClone(envelope),
      deliveries: 0,
      availableAt: 0,
      leasedUntil: 0,
      ...(letterId === undefined ? {} : { letterId }),
    });
    queue.eventIds.add(envelope.id);
    return true;
  };

  return {
    async bind(group, types) {
      for (const type of types) {
        let groups = bindings.get(type);
        if (!groups) {
          groups = new Set();
          bindings.set(type, groups);
        }
        groups.add(group);
      }
      queueOf(group);
    },
    async enqueue(events) {
      const routes = new Map<string, string[]>();
      for (const envelope of events) {
        const reached = [...(bindings.get(envelope.type) ?? [])];
        for (const group of reached) push(group, envelope);
        routes.set(envelope.id, reached);
      }
      return routes;
    },
    async lease(group, limit, leaseMs) {
      const now = Date.now();
      const leased: LeasedMessage[] = [];
      for (const message of queueOf(group).messages.values()) {
        if (leased.length >= limit) break;
        if (message.availableAt > now || message.leasedUntil > now) continue;
        message.leasedUntil = now + leaseMs;
        message.deliveries += 1;
        leased.push({
          id: message.id,
          group,
          envelope: structuredClone(message.envelope),
          deliveries: message.deliveries,
        });
      }
      return leased;
    },
    async ack(group, ids) {
      const handled: string[] = [];
      for (const id of ids) {
        const letterId = take(group, id)?.letterId;
        if (letterId !== undefined) handled.push(letterId);
      }
      if (handled.length > 0) await shelf.discard(handled);
    },
    async retryLater(group, id, delayMs) {
      const message = queueOf(group).messages.get(id);
      if (!message) return;
      message.availableAt = Date.now() + delayMs;
      message.leasedUntil = 0;
    },
    async deadLetter(group, id, error) {
      const message = take(group, id);
      if (!message) return;
      await shelf.shelve({
        group,
        envelope: message.envelope,
        error,
        attempts: message.deliveries,
        ...(message.letterId === undefined ? {} : { letterId: message.letterId }),
      });
    },
    async releaseLeases() {
      for (const queue of queues.values())
        for (const message of queue.messages.values()) message.leasedUntil = 0;
      await shelf.restoreRedriven();
    },
    listDeadLetters: (group, limit) => shelf.list(group, limit),
    async redrive(group, selection) {
      const letters = await shelf.takeForRedrive(group, selection);
      const duplicates: string[] = [];
      for (const letter of letters) {
        // The event is queued already (published again meanwhile): that delivery settles it.
        if (!push(group, letter.envelope, letter.id)) duplicates.push(letter.id);
      }
      if (duplicates.length > 0) await shelf.discard(duplicates);
      return letters.length;
    },
    purge: (group, selection) => shelf.purge(group, selection),
    deadLetterDepth: (group) => shelf.depth(group),
    async close() {},
  };
}

/** Dead letters in memory, gone with the process. */
export function createMemoryDeadLetterShelf(): DeadLetterShelf {
  const letters = new Map<string, DeadLetter[]>();
  let sequence = 0;
  const of = (group: string) => {
    let list = letters.get(group);
    if (!list) {
      list = [];
      letters.set(group, list);
    }
    return list;
  };
  const selected = (group: string, selection: DeadLetterSelection) => {
    const ids = selectedIds(selection);
    const wanted = ids === undefined ? undefined : new Set(ids);
    const chosen = of(group).filter((letter) => wanted === undefined || wanted.has(letter.id));
    requireFound(
      group,
      selection,
      chosen.map((letter) => letter.id),
    );
    return chosen;
  };
  const remove = (group: string, chosen: readonly DeadLetter[]) => {
    const gone = new Set(chosen);
    letters.set(
      group,
      of(group).filter((letter) => !gone.has(letter)),
    );
  };
  return {
    async shelve({ group, envelope, error, attempts }) {
      of(group).push({
        id: `dl-${++sequence}`,
        group,
        envelope,
        error,
        attempts,
        failedAt: new Date().toISOString(),
      });
    },
    async list(group, limit) {
      return letters.get(group)?.slice(0, limit) ?? [];
    },
    async takeForRedrive(group, selection) {
      const chosen = selected(group, selection);
      remove(group, chosen);
      return chosen;
    },
    async discard() {},
    async purge(group, selection) {
      const chosen = selected(group, selection);
      remove(group, chosen);
      return chosen.length;
    },
    async depth(group) {
      return letters.get(group)?.length ?? 0;
    },
    async restoreRedriven() {},
  };
}
