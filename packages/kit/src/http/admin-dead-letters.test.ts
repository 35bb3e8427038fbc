import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import {
  createInProcessBus,
  createMemoryQueueStore,
  type EventBus,
  PermanentError,
} from '../events/index.js';
import { waitUntil } from '../events/testing/bus-conformance.js';
import { HealthRegistry } from '../lifecycle/index.js';
import { createAdminServer } from './admin-server.js';

const logger = pino({ level: 'silent' });

function poisonEvent() {
  const id = randomUUID();
  return {
    specversion: '1.0' as const,
    id,
    source: 'fiscal/test',
    type: 'fiscal.invoice.created',
    subject: id,
    time: new Date().toISOString(),
    datacontenttype: 'application/json' as const,
    dataschema: 'urn:fiscal:schema:fiscal.invoice.created:1.0',
    data: {},
    sequence: 1,
    tenant: 'org-1',
    partitionkey: id,
    traceparent: `00-${'ab'.repeat(16)}-${'cd'.repeat(8)}-01`,
  };
}

describe('dead-letter admin endpoints', () => {
  it('answers 503 until the process has a bus', async () => {
    const admin = createAdminServer({
      health: new HealthRegistry(),
      registry: new Registry(),
      logger,
      deadLetters: () => undefined,
    });
    expect((await admin.inject({ url: '/dead-letters/projector' })).statusCode).toBe(503);
  });

  it('lists, redrives and purges a group dead letters', async () => {
    const bus: EventBus = createInProcessBus({
      store: createMemoryQueueStore(),
      logger,
      registry: new Registry(),
      pollIntervalMs: 10,
    });
    let healed = false;
    const handled: string[] = [];
    await bus.subscribe({
      group: 'projector',
      types: ['fiscal.invoice.created'],
      handler: async (event) => {
        if (!healed) throw new PermanentError('schema 9 unknown');
        handled.push(event.id);
      },
    });
    const admin = createAdminServer({
      health: new HealthRegistry(),
      registry: new Registry(),
      logger,
      deadLetters: () => bus.deadLetters,
    });
    const [first, second] = [poisonEvent(), poisonEvent()];
    await bus.publish([first, second]);
    let listed: {
      deadLetters: { id: string; error: string; envelope: { id: string; traceparent: string } }[];
    } = { deadLetters: [] };
    const deadline = Date.now() + 5_000;
    while (listed.deadLetters.length < 2 && Date.now() < deadline) {
      listed = (await admin.inject({ url: '/dead-letters/projector' })).json();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(listed.deadLetters.map((letter) => letter.envelope.id).sort()).toEqual(
      [first.id, second.id].sort(),
    );
    expect(listed.deadLetters[0]?.error).toContain('schema 9 unknown');

    healed = true;
    const firstLetter = listed.deadLetters.find((letter) => letter.envelope.id === first.id)!;
    const redrive = await admin.inject({
      method: 'POST',
      url: '/dead-letters/projector/redrive',
      payload: { ids: [firstLetter.id] },
    });
    expect(redrive.json()).toEqual({ redriven: 1 });
    await waitUntil(() => handled.includes(first.id), 5_000, 'the redriven event');

    const purge = await admin.inject({ method: 'POST', url: '/dead-letters/projector/purge', payload: {} });
    expect(purge.json()).toEqual({ purged: 1 });
    expect((await admin.inject({ url: '/dead-letters/projector' })).json().deadLetters).toEqual([]);
    expect(handled).toEqual([first.id]);

    expect((await admin.inject({ url: '/dead-letters/bad%20group' })).statusCode).toBe(400);
    await bus.close();
  });
});
