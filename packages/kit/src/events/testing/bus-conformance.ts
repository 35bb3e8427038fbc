import { randomUUID } from 'node:crypto';
import type { EventEnvelope } from '@fiscal/contracts';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type DeadLetter,
  DeadLettersNotFound,
  type EventBus,
  PermanentError,
  type Subscription,
} from '../event-bus.js';

export interface BusEnvironment {
  /** A new bus instance on the same broker or store (another process, as far as the bus knows). */
  newBus(): Promise<EventBus>;
  /** Makes a bus vanish as a killed process would: no acknowledgement, no clean stop. */
  crash(bus: EventBus): Promise<void>;
  dispose(): Promise<void>;
}

export interface ConformanceOptions {
  /** How long a delivery taken by a crashed consumer stays out of reach (lease, connection loss). */
  redeliveryWithinMs: number;
}

const fastRetry = { maxAttempts: 3, initialDelayMs: 40, maxDelayMs: 400 };

function envelopeOf(type: string, data: unknown = {}, extra: Partial<EventEnvelope> = {}): EventEnvelope {
  const id = randomUUID();
  return {
    specversion: '1.0',
    id,
    source: 'fiscal/conformance',
    type,
    subject: `subject-${id}`,
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    dataschema: `urn:fiscal:schema:${type}:1.0`,
    data,
    sequence: 1,
    tenant: 'org-1',
    partitionkey: `subject-${id}`,
    ...extra,
  };
}

/**
 * One behavioural suite for every event-bus adapter (as Watermill does for its Pub/Subs): if an
 * adapter passes it, services cannot tell the adapters apart.
 */
export function runEventBusConformance(
  name: string,
  makeEnvironment: () => Promise<BusEnvironment>,
  options: ConformanceOptions,
): void {
  describe(`event bus conformance: ${name}`, () => {
    let environment: BusEnvironment;
    const buses: EventBus[] = [];
    const provider = new BasicTracerProvider();
    const newBus = async () => {
      const bus = await environment.newBus();
      buses.push(bus);
      return bus;
    };
    // Unique names per test: the broker or store is shared with other tests and runs.
    const unique = () => randomUUID().slice(0, 8);
    const typeOf = (suffix: string) => `conformance.t${unique()}.${suffix}`;

    /** A group whose handler refuses every event of its type, once `count` of them are dead letters. */
    const groupWithDeadLetters = async (bus: EventBus, count: number) => {
      const type = typeOf('refused');
      const group = `refused-${unique()}`;
      const handled: string[] = [];
      let refusing = true;
      await bus.subscribe({
        group,
        types: [type],
        handler: async (event) => {
          if (refusing) throw new PermanentError('refused');
          handled.push(event.id);
        },
      });
      await bus.publish(Array.from({ length: count }, () => envelopeOf(type)));
      await expect.poll(() => bus.deadLetters.list(group)).toHaveLength(count);
      const letters = await bus.deadLetters.list(group);
      const heal = () => {
        refusing = false;
      };
      return { group, letters, handled, heal };
    };

    beforeAll(async () => {
      context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
      propagation.setGlobalPropagator(new W3CTraceContextPropagator());
      trace.setGlobalTracerProvider(provider);
      environment = await makeEnvironment();
    }, 60_000);

    afterAll(async () => {
      await Promise.allSettled(buses.map((bus) => bus.close()));
      await environment?.dispose();
      trace.disable();
      propagation.disable();
      context.disable();
    }, 60_000);

    it('delivers every event to every consumer group', async () => {
      const bus = await newBus();
      const type = typeOf('happened');
      const seen: Record<string, string[]> = { a: [], b: [] };
      for (const group of ['a', 'b'] as const) {
        await bus.subscribe({
          group: `${group}-${unique()}`,
          types: [type],
          handler: async (event) => {
            seen[group]!.push(event.id);
          },
        });
      }
      const events = [envelopeOf(type), envelopeOf(type), envelopeOf(type)];
      await bus.publish(events);
      await expect.poll(() => [seen.a!.length, seen.b!.length]).toEqual([3, 3]);
      expect(seen.a!.sort()).toEqual(events.map((event) => event.id).sort());
      expect(seen.b!.sort()).toEqual(events.map((event) => event.id).sort());
    });

    it('shares a group events among its members, each event to one of them', async () => {
      const [first, second] = [await newBus(), await newBus()];
      const type = typeOf('shared');
      const group = `shared-${unique()}`;
      const handledBy: Record<string, string[]> = { first: [], second: [] };
      const member = (label: 'first' | 'second'): Subscription => ({
        group,
        types: [type],
        prefetch: 1,
        handler: async (event) => {
          handledBy[label]!.push(event.id);
          await new Promise((resolve) => setTimeout(resolve, 20));
        },
      });
      await first.subscribe(member('first'));
      await second.subscribe(member('second'));
      const events = Array.from({ length: 10 }, () => envelopeOf(type));
      // Published one by one, as ten commits would: events published together may travel together
      // (a batched message), and a message goes to one member.
      for (const event of events) await first.publish([event]);
      await expect.poll(() => handledBy.first!.length + handledBy.second!.length).toBe(10);
      await new Promise((resolve) => setTimeout(resolve, 200));
      const all = [...handledBy.first!, ...handledBy.second!];
      expect(all.sort()).toEqual(events.map((event) => event.id).sort());
      expect(handledBy.first!.length).toBeGreaterThan(0);
      expect(handledBy.second!.length).toBeGreaterThan(0);
    });

    it('retries a failing handler with growing delays, then dead-letters it with its error', async () => {
      const bus = await newBus();
      const type = typeOf('flaky');
      const group = `flaky-${unique()}`;
      const attempts: { attempt: number; at: number }[] = [];
      await bus.subscribe({
        group,
        types: [type],
        retry: fastRetry,
        handler: async (_event, delivery) => {
          attempts.push({ attempt: delivery.attempt, at: Date.now() });
          throw new Error('downstream is down');
        },
      });
      const event = envelopeOf(type);
      await bus.publish([event]);
      await expect.poll(() => bus.deadLetters.list(group)).toHaveLength(1);
      const letters = await bus.deadLetters.list(group);
      expect(attempts.map((entry) => entry.attempt)).toEqual([1, 2, 3]);
      const gaps = [attempts[1]!.at - attempts[0]!.at, attempts[2]!.at - attempts[1]!.at];
      expect(gaps[0]).toBeGreaterThanOrEqual(fastRetry.initialDelayMs / 2 - 5);
      expect(gaps[1]).toBeGreaterThanOrEqual(fastRetry.initialDelayMs - 5);
      expect(letters).toHaveLength(1);
      expect(letters[0]).toMatchObject({ group, attempts: 3, envelope: { id: event.id } });
      expect(letters[0]!.error).toContain('downstream is down');
    });

    it('dead-letters a permanent error at once, without retrying', async () => {
      const bus = await newBus();
      const type = typeOf('poison');
      const group = `poison-${unique()}`;
      let calls = 0;
      await bus.subscribe({
        group,
        types: [type],
        retry: fastRetry,
        handler: async () => {
          calls += 1;
          throw new PermanentError('unknown schema version 9');
        },
      });
      await bus.publish([envelopeOf(type)]);
      await expect.poll(() => bus.deadLetters.list(group)).toHaveLength(1);
      const letters = await bus.deadLetters.list(group);
      expect(calls).toBe(1);
      expect(letters[0]).toMatchObject({ attempts: 1 });
      expect(letters[0]!.error).toContain('unknown schema version 9');
    });

    it('redelivers to another member what a crashed consumer took but never acknowledged', async () => {
      const doomed = await newBus();
      const survivor = await newBus();
      const type = typeOf('crash');
      const group = `crash-${unique()}`;
      let taken = false;
      await doomed.subscribe({
        group,
        types: [type],
        handler: () => {
          taken = true;
          return new Promise(() => {});
        },
      });
      const event = envelopeOf(type);
      await doomed.publish([event]);
      await expect.poll(() => taken).toBe(true);
      await environment.crash(doomed);
      const redelivered: { id: string; redelivered: boolean }[] = [];
      await survivor.subscribe({
        group,
        types: [type],
        handler: async (received, delivery) => {
          redelivered.push({ id: received.id, redelivered: delivery.redelivered });
        },
      });
      await expect.poll(() => redelivered, { timeout: options.redeliveryWithinMs + 15_000 }).toHaveLength(1);
      expect(redelivered[0]).toEqual({ id: event.id, redelivered: true });
    });

    it('keeps what publish accepted, for consumers that connect later', async () => {
      const type = typeOf('durable');
      const group = `durable-${unique()}`;
      const first = await newBus();
      const subscriber = await first.subscribe({ group, types: [type], handler: async () => {} });
      await subscriber.stop();
      const events = [envelopeOf(type), envelopeOf(type)];
      await first.publish(events);
      await first.close();
      const received: string[] = [];
      const second = await newBus();
      await second.subscribe({
        group,
        types: [type],
        handler: async (event) => {
          received.push(event.id);
        },
      });
      await expect.poll(() => received).toHaveLength(2);
      expect(received.sort()).toEqual(events.map((event) => event.id).sort());
    });

    it('continues the publisher trace in the consumer and keeps it through a redrive', async () => {
      const bus = await newBus();
      const type = typeOf('traced');
      const group = `traced-${unique()}`;
      const traceId = randomUUID().replaceAll('-', '');
      const traceparent = `00-${traceId}-${'a'.repeat(16)}-01`;
      let failing = true;
      const consumerTraces: string[] = [];
      const traceparents: (string | undefined)[] = [];
      await bus.subscribe({
        group,
        types: [type],
        retry: fastRetry,
        handler: async (event) => {
          consumerTraces.push(trace.getActiveSpan()?.spanContext().traceId ?? 'none');
          traceparents.push(event.traceparent);
          if (failing) throw new PermanentError('not yet');
        },
      });
      await bus.publish([envelopeOf(type, {}, { traceparent })]);
      await expect.poll(() => bus.deadLetters.list(group)).toHaveLength(1);
      const letters = await bus.deadLetters.list(group);
      expect(letters[0]?.envelope.traceparent).toBe(traceparent);
      failing = false;
      expect(await bus.deadLetters.redrive(group, { all: true })).toBe(1);
      await expect.poll(() => consumerTraces).toHaveLength(2);
      expect(consumerTraces).toEqual([traceId, traceId]);
      expect(traceparents).toEqual([traceparent, traceparent]);
      expect(await bus.deadLetters.list(group)).toEqual([]);
    });

    it('dead-letters an event its contract rejects, without calling the handler', async () => {
      const bus = await newBus();
      const type = typeOf('valid');
      const group = `contract-${unique()}`;
      let calls = 0;
      await bus.subscribe({
        group,
        types: [type],
        handler: async () => {
          calls += 1;
        },
      });
      await bus.publish([envelopeOf(type, { note: 'fine' })]);
      await expect.poll(() => calls).toBe(1);
      await expect(
        bus.publish([{ ...envelopeOf(type), specversion: '0.3' } as unknown as EventEnvelope]),
      ).rejects.toThrow();
      expect(calls).toBe(1);
    });

    it('does not deliver event types a group is not bound to', async () => {
      const bus = await newBus();
      const [wanted, other] = [typeOf('wanted'), typeOf('other')];
      const received: string[] = [];
      await bus.subscribe({
        group: `bound-${unique()}`,
        types: [wanted],
        handler: async (event) => {
          received.push(event.type);
        },
      });
      await bus.publish([envelopeOf(other), envelopeOf(wanted), envelopeOf(other)]);
      await expect.poll(() => received).toHaveLength(1);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(received).toEqual([wanted]);
    });

    it('redrives and purges only the dead letters named, and every one only when asked', async () => {
      const bus = await newBus();
      const { group, letters, handled, heal } = await groupWithDeadLetters(bus, 3);
      const [first, second, third] = letters as [DeadLetter, DeadLetter, DeadLetter];
      heal();

      expect(await bus.deadLetters.redrive(group, { ids: [first.id, first.id] })).toBe(1);
      await expect.poll(() => handled).toHaveLength(1);
      expect(handled).toEqual([first.envelope.id]);
      expect(await bus.deadLetters.purge(group, { ids: [second.id] })).toBe(1);
      expect((await bus.deadLetters.list(group)).map((letter) => letter.envelope.id)).toEqual([
        third.envelope.id,
      ]);
      expect(await bus.deadLetters.purge(group, { all: true })).toBe(1);
      expect(await bus.deadLetters.list(group)).toEqual([]);
    });

    it('refuses ids that are not dead letters of the group and changes nothing', async () => {
      const bus = await newBus();
      const { group, letters } = await groupWithDeadLetters(bus, 2);
      const other = await groupWithDeadLetters(bus, 1);
      const [known] = letters as [DeadLetter];
      const named = [known.id, 'no-such-letter', other.letters[0]!.id, '99999999999999999999'];

      for (const operation of ['redrive', 'purge'] as const) {
        const refusal = await bus.deadLetters[operation](group, { ids: named }).catch((error) => error);
        expect(refusal).toBeInstanceOf(DeadLettersNotFound);
        expect(refusal).toMatchObject({ code: 'dead_letter_not_found', missing: named.slice(1) });
        expect(refusal.errors.map((problem: { field: string }) => problem.field)).toEqual([
          '/ids/1',
          '/ids/2',
          '/ids/3',
        ]);
      }
      expect((await bus.deadLetters.list(group)).map((letter) => letter.id).sort()).toEqual(
        letters.map((letter) => letter.id).sort(),
      );
      expect(await bus.deadLetters.list(other.group)).toHaveLength(1);
    });

    it('knows no dead letters of a group it never saw, and keeps working after being asked', async () => {
      const bus = await newBus();
      const group = `never-${unique()}`;
      expect(await bus.deadLetters.list(group)).toEqual([]);
      expect(await bus.deadLetters.purge(group, { all: true })).toBe(0);
      expect(await bus.deadLetters.redrive(group, { all: true })).toBe(0);
      await expect(bus.deadLetters.purge(group, { ids: ['1'] })).rejects.toBeInstanceOf(DeadLettersNotFound);

      const type = typeOf('after');
      const received: string[] = [];
      const after = `after-${unique()}`;
      await bus.subscribe({
        group: after,
        types: [type],
        handler: async (event) => {
          received.push(event.id);
        },
      });
      const event = envelopeOf(type);
      await bus.publish([event]);
      await expect.poll(() => received).toHaveLength(1);
      expect(received).toEqual([event.id]);
      // Asked about, never subscribed: not one of the bus's groups.
      expect(bus.deadLetters.groups()).toEqual([after]);
    });

    it('bounds concurrent handlers by the prefetch', async () => {
      const bus = await newBus();
      const type = typeOf('busy');
      let running = 0;
      let peak = 0;
      let done = 0;
      await bus.subscribe({
        group: `busy-${unique()}`,
        types: [type],
        prefetch: 2,
        handler: async () => {
          running += 1;
          peak = Math.max(peak, running);
          await new Promise((resolve) => setTimeout(resolve, 40));
          running -= 1;
          done += 1;
        },
      });
      for (let event = 0; event < 8; event++) await bus.publish([envelopeOf(type)]);
      await expect.poll(() => done).toBe(8);
      expect(peak).toBe(2);
    });

    it('hands a batch handler the events at hand together, in delivery order, each acknowledged once', async () => {
      const bus = await newBus();
      const type = typeOf('batched');
      const batches: string[][] = [];
      const events = Array.from({ length: 50 }, () => envelopeOf(type));
      // Published before the subscription, so they are all at hand when it starts.
      const group = `batched-${unique()}`;
      await bus.subscribe({ group, types: [type], handleBatch: async () => {} }).then((s) => s.stop());
      await bus.publish(events);
      await bus.subscribe({
        group,
        types: [type],
        prefetch: 64,
        batchSize: 20,
        handleBatch: async (batch) => {
          batches.push(batch.map((item) => item.event.id));
        },
      });
      await expect.poll(() => batches.flat()).toHaveLength(50);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(batches.flat().sort()).toEqual(events.map((event) => event.id).sort());
      expect(batches.every((batch) => batch.length <= 20)).toBe(true);
      // Fewer calls than events: they came together.
      expect(batches.length).toBeLessThan(10);
      const order = new Map(events.map((event, index) => [event.id, index]));
      for (const batch of batches) {
        const positions = batch.map((id) => order.get(id)!);
        expect(positions).toEqual([...positions].sort((a, b) => a - b));
      }
    });

    it('retries and dead-letters only the poison event of a failed batch; the others are handled once', async () => {
      const bus = await newBus();
      const type = typeOf('poisoned-batch');
      const group = `poisoned-batch-${unique()}`;
      const events = Array.from({ length: 10 }, () => envelopeOf(type));
      const poison = events[4]!.id;
      const committed: string[] = [];
      await bus.subscribe({ group, types: [type], handleBatch: async () => {} }).then((s) => s.stop());
      await bus.publish(events);
      await bus.subscribe({
        group,
        types: [type],
        prefetch: 32,
        retry: fastRetry,
        // All or nothing, as a transaction would be.
        handleBatch: async (batch) => {
          if (batch.some((item) => item.event.id === poison)) throw new Error('cannot apply this one');
          committed.push(...batch.map((item) => item.event.id));
        },
      });
      await expect.poll(() => bus.deadLetters.list(group)).toHaveLength(1);
      const letters = await bus.deadLetters.list(group);
      expect(letters.map((letter) => letter.envelope.id)).toEqual([poison]);
      expect(letters[0]).toMatchObject({ attempts: fastRetry.maxAttempts });
      expect([...committed].sort()).toEqual(
        events
          .map((event) => event.id)
          .filter((id) => id !== poison)
          .sort(),
      );
    });
  });
}
