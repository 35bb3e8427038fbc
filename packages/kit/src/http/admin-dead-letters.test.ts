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
import { HealthRegistry } from '../lifecycle/index.js';
import { createAdminServer } from './admin-server.js';

const logger = pino({ level: 'silent' });
const operatorToken = 'a-long-enough-operator-token-for-tests-0001';
const asOperator = { authorization: `Bearer ${operatorToken}` };

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

interface Listed {
  deadLetters: { id: string; error: string; envelope: { id: string; traceparent: string } }[];
}

/** A bus whose `projector` group refuses events until healed, and the admin server in front of it. */
async function adminWithPoisonedGroup() {
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
    operatorToken,
    deadLetters: () => bus.deadLetters,
  });
  const list = async (): Promise<Listed> =>
    (await admin.inject({ url: '/dead-letters/projector', headers: asOperator })).json();
  const poison = async (count: number) => {
    const events = Array.from({ length: count }, poisonEvent);
    await bus.publish(events);
    await expect.poll(async () => (await list()).deadLetters, { timeout: 5_000 }).toHaveLength(count);
    return { events, listed: await list() };
  };
  const post = (action: 'redrive' | 'purge', payload?: unknown) =>
    admin.inject({
      method: 'POST',
      url: `/dead-letters/projector/${action}`,
      headers: asOperator,
      ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }),
      ...(payload === undefined ? {} : { headers: { ...asOperator, 'content-type': 'application/json' } }),
    });
  const heal = () => {
    healed = true;
  };
  return { bus, admin, handled, list, poison, post, heal };
}

describe('dead-letter admin endpoints', () => {
  it('answers a 503 problem until the process has a bus', async () => {
    const admin = createAdminServer({
      health: new HealthRegistry(),
      registry: new Registry(),
      logger,
      operatorToken,
      deadLetters: () => undefined,
    });
    const response = await admin.inject({ url: '/dead-letters/projector', headers: asOperator });
    expect(response.statusCode).toBe(503);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ code: 'event_bus_not_started' });
  });

  it('lists, redrives and purges a group dead letters', async () => {
    const { bus, handled, list, poison, post, heal } = await adminWithPoisonedGroup();
    const {
      events: [first, second],
      listed,
    } = await poison(2);
    expect(listed.deadLetters.map((letter) => letter.envelope.id).sort()).toEqual(
      [first!.id, second!.id].sort(),
    );
    expect(listed.deadLetters[0]?.error).toContain('schema 9 unknown');

    heal();
    const firstLetter = listed.deadLetters.find((letter) => letter.envelope.id === first!.id)!;
    const redrive = await post('redrive', { ids: [firstLetter.id] });
    expect(redrive.json()).toEqual({ redriven: 1 });
    await expect.poll(() => handled, { timeout: 5_000 }).toContain(first!.id);

    const purge = await post('purge', { all: true });
    expect(purge.json()).toEqual({ purged: 1 });
    expect((await list()).deadLetters).toEqual([]);
    expect(handled).toEqual([first!.id]);
    await bus.close();
  });

  it('lists the consumer groups of the process', async () => {
    const { bus, admin } = await adminWithPoisonedGroup();
    const response = await admin.inject({ url: '/dead-letters', headers: asOperator });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ groups: ['projector'] });
    await bus.close();
  });

  it.each([
    ['a list', 'GET', '/dead-letters/projectr'],
    ['a redrive', 'POST', '/dead-letters/projectr/redrive'],
    ['a purge', 'POST', '/dead-letters/projectr/purge'],
  ] as const)(
    'answers %s of a group the process does not consume with a 404 naming its groups',
    async (_case, method, url) => {
      const { bus, admin } = await adminWithPoisonedGroup();
      const response = await admin.inject({
        method,
        url,
        headers: { ...asOperator, ...(method === 'POST' ? { 'content-type': 'application/json' } : {}) },
        ...(method === 'POST' ? { payload: JSON.stringify({ all: true }) } : {}),
      });
      expect(response.statusCode).toBe(404);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.json()).toMatchObject({
        code: 'consumer_group_not_found',
        detail: 'No consumer group projectr here; this process consumes projector.',
      });
      await bus.close();
    },
  );

  it('refuses a group name that is not one', async () => {
    const { bus, admin } = await adminWithPoisonedGroup();
    const response = await admin.inject({ url: '/dead-letters/bad%20group', headers: asOperator });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'validation_failed' });
    await bus.close();
  });

  it.each([
    ['no body', undefined, '/ids'],
    ['null', null, '/ids'],
    ['{}', {}, '/ids'],
    ['an empty id list', { ids: [] }, '/ids'],
    ['"all": false', { all: false }, '/all'],
    ['both ids and all', { ids: ['1'], all: true }, '/all'],
    ['an unknown field', { everything: true }, '/everything'],
  ])('refuses %s as a selection, naming the field, and changes nothing', async (_case, payload, field) => {
    const { bus, list, poison, post } = await adminWithPoisonedGroup();
    await poison(1);
    for (const action of ['redrive', 'purge'] as const) {
      const response = await post(action, payload);
      expect(response.statusCode).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.json()).toMatchObject({ code: 'validation_failed' });
      expect(response.json().errors.map((error: { field: string }) => error.field)).toContain(field);
    }
    expect((await list()).deadLetters).toHaveLength(1);
    await bus.close();
  });

  it.each(['redrive', 'purge'] as const)(
    'answers %s of an id that is not a dead letter of the group with a 404 problem, changing nothing',
    async (action) => {
      const { bus, list, poison, post } = await adminWithPoisonedGroup();
      const { listed } = await poison(2);
      const known = listed.deadLetters[0]!.id;

      const response = await post(action, { ids: [known, 'no-such-letter'] });

      expect(response.statusCode).toBe(404);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.json()).toMatchObject({
        status: 404,
        code: 'dead_letter_not_found',
        errors: [{ field: '/ids/1', code: 'not_found' }],
      });
      expect((await list()).deadLetters).toHaveLength(2);
      await bus.close();
    },
  );
});
