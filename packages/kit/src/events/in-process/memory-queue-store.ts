import type { EventEnvelope } from '@fiscal/contracts';
import { type DeadLetter, type DeadLetterSelection, requireFound, selectedIds } from '../event-bus.js';
import type { LeasedMessage, QueueStore } from './queue-store.js';

interface StoredMessage {
  id: string;
  envelope: EventEnvelope;
  deliveries: number;
  availableAt: number;
  leasedUntil: number;
}

/** Queues in memory: for `FISCAL_MEMORY=1` and fast tests. Gone with the process, by design. */
export function createMemoryQueueStore(): QueueStore {
  const bindings = new Map<string, Set<string>>();
  const queues = new Map<string, StoredMessage[]>();
  const deadLetters = new Map<string, DeadLetter[]>();
  let sequence = 0;

  const queueOf = (group: string) => {
    let queue = queues.get(group);
    if (!queue) {
      queue = [];
      queues.set(group, queue);
    }
    return queue;
  };
  const deadLettersOf = (group: string) => {
    let list = deadLetters.get(group);
    if (!list) {
      list = [];
      deadLetters.set(group, list);
    }
    return list;
  };
  const take = (group: string, id: string) => {
    const queue = queueOf(group);
    const index = queue.findIndex((message) => message.id === id);
    return index === -1 ? undefined : queue.splice(index, 1)[0];
  };
  const selected = (group: string, list: DeadLetter[], selection: DeadLetterSelection) => {
    const ids = selectedIds(selection);
    const wanted = ids === undefined ? undefined : new Set(ids);
    const chosen = list.filter((letter) => wanted === undefined || wanted.has(letter.id));
    requireFound(
      group,
      selection,
      chosen.map((letter) => letter.id),
    );
    return chosen;
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
      const reached = new Set<string>();
      for (const envelope of events) {
        for (const group of bindings.get(envelope.type) ?? []) {
          const queue = queueOf(group);
          if (queue.some((message) => message.envelope.id === envelope.id)) continue;
          queue.push({
            id: String(++sequence),
            envelope: structuredClone(envelope),
            deliveries: 0,
            availableAt: 0,
            leasedUntil: 0,
          });
          reached.add(group);
        }
      }
      return reached;
    },
    async lease(group, limit, leaseMs) {
      const now = Date.now();
      const leased: LeasedMessage[] = [];
      for (const message of queueOf(group)) {
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
      for (const id of ids) take(group, id);
    },
    async retryLater(group, id, delayMs) {
      const message = queueOf(group).find((candidate) => candidate.id === id);
      if (!message) return;
      message.availableAt = Date.now() + delayMs;
      message.leasedUntil = 0;
    },
    async deadLetter(group, id, error) {
      const message = take(group, id);
      if (!message) return;
      deadLettersOf(group).push({
        id: message.id,
        group,
        envelope: message.envelope,
        error,
        attempts: message.deliveries,
        failedAt: new Date().toISOString(),
      });
    },
    async releaseLeases() {
      for (const queue of queues.values()) for (const message of queue) message.leasedUntil = 0;
    },
    async listDeadLetters(group, limit) {
      return deadLettersOf(group).slice(0, limit);
    },
    async redrive(group, selection) {
      const list = deadLettersOf(group);
      const chosen = selected(group, list, selection);
      for (const letter of chosen) {
        list.splice(list.indexOf(letter), 1);
        queueOf(group).push({
          id: String(++sequence),
          envelope: letter.envelope,
          deliveries: 0,
          availableAt: 0,
          leasedUntil: 0,
        });
      }
      return chosen.length;
    },
    async purge(group, selection) {
      const list = deadLettersOf(group);
      const chosen = selected(group, list, selection);
      for (const letter of chosen) list.splice(list.indexOf(letter), 1);
      return chosen.length;
    },
    async deadLetterDepth(group) {
      return deadLettersOf(group).length;
    },
    async close() {},
  };
}
