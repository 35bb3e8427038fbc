import { readFileSync } from 'node:fs';
import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../envelope.js';
import { AuthEventTypes } from './auth-events.js';
import { createEventCatalog } from './catalog.js';
import { EventContractError } from './event-contract-error.js';
import { createEvent, isEventOfType, parseEvent } from './fiscal-catalog.js';
import { InvoiceEventTypes } from './invoice-events.js';

const samplesDir = new URL('../../samples/', import.meta.url);
const sample = (type: string) =>
  JSON.parse(readFileSync(new URL(`${type}@1.0.json`, samplesDir), 'utf8')) as EventEnvelope<
    Record<string, unknown>
  >;

function withData(type: string, change: Record<string, unknown>) {
  const event = sample(type);
  return { ...event, data: { ...event.data, ...change } };
}

function thrownBy(action: () => unknown): EventContractError {
  try {
    action();
  } catch (error) {
    if (error instanceof EventContractError) return error;
    throw error;
  }
  throw new Error('expected an EventContractError');
}

describe('event data that breaks its schema', () => {
  it.each([
    [
      'a rejection reason outside the enum',
      InvoiceEventTypes.rejected,
      { reason: 'timeout' },
      '/data/reason',
    ],
    [
      'a rejection error without a message',
      InvoiceEventTypes.rejected,
      { errors: [{ code: 'cfdi_total', path: '/Comprobante/@Total' }] },
      '/data/errors/0/message',
    ],
    ['a negative archived size', InvoiceEventTypes.archived, { compressedSize: -1 }, '/data/compressedSize'],
    ['an archived amount with a comma', InvoiceEventTypes.archived, { amount: '1,160.00' }, '/data/amount'],
    [
      'a fractional validation time',
      InvoiceEventTypes.validated,
      { validationMs: 1.5 },
      '/data/validationMs',
    ],
    ['an upper-case checksum', InvoiceEventTypes.validated, { checksum: 'A'.repeat(64) }, '/data/checksum'],
    ['an unknown login failure reason', AuthEventTypes.loginFailed, { reason: 'bored' }, '/data/reason'],
    ['a role that does not exist', AuthEventTypes.userCreated, { role: 'root' }, '/data/role'],
    [
      'a rotation time without a zone',
      AuthEventTypes.keyRotated,
      { rotatedAt: '2026-11-24T12:00:00' },
      '/data/rotatedAt',
    ],
  ])('is refused for %s, with the offending path', (_case, type, change, path) => {
    const error = thrownBy(() => parseEvent(withData(type, change)));
    expect(error).toMatchObject({ code: 'invalid_event_data', path, permanent: true });
  });
});

describe('envelopes that break CloudEvents or the Fiscal extensions', () => {
  const created = () => sample(InvoiceEventTypes.created) as unknown as Record<string, unknown>;

  it.each([
    ['tenant', undefined, '/tenant'],
    ['partitionkey', '', '/partitionkey'],
    ['id', 7, '/id'],
    ['sequence', 1.5, '/sequence'],
    ['datacontenttype', 'application/xml', '/datacontenttype'],
    ['traceparent', 42, '/traceparent'],
    ['data', undefined, '/data'],
    ['dataschema', 'fiscal.invoice.created@1.0', '/dataschema'],
  ])('refuses a bad %s', (attribute, value, path) => {
    const event = created();
    if (value === undefined) delete event[attribute];
    else event[attribute] = value;
    const error = thrownBy(() => parseEvent(event));
    expect(error).toMatchObject({ code: 'invalid_envelope', path, permanent: true });
  });

  it('says where the problem is in the error message', () => {
    const error = thrownBy(() => parseEvent({ ...created(), sequence: -1 }));
    expect(error.message).toContain('/sequence');
    expect(error.name).toBe('EventContractError');
  });
});

describe('createEvent', () => {
  const data = () => sample(InvoiceEventTypes.created).data as never;

  it('keeps the trace context and an explicit partition key', () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const event = createEvent({
      type: InvoiceEventTypes.created,
      source: 'fiscal/invoice',
      subject: 'inv-1',
      tenant: 'org-1',
      sequence: 3,
      data: data(),
      partitionKey: 'org-1',
      traceparent,
      tracestate: undefined,
    });
    expect(event).toMatchObject({ traceparent, partitionkey: 'org-1', sequence: 3 });
    expect(Object.keys(event)).not.toContain('tracestate');
    expect(parseEvent(JSON.parse(JSON.stringify(event)))).toEqual(event);
  });

  it('refuses an event type nobody declared', () => {
    const error = thrownBy(() =>
      createEvent({
        type: 'fiscal.invoice.lost' as typeof InvoiceEventTypes.created,
        source: 'fiscal/invoice',
        subject: 'inv-1',
        tenant: 'org-1',
        sequence: 1,
        data: data(),
      }),
    );
    expect(error).toMatchObject({ code: 'unknown_event_type', path: '/type' });
  });

  it('holds data to the type of its event at compile time', () => {
    const build = () =>
      createEvent({
        type: AuthEventTypes.loginFailed,
        source: 'fiscal/auth',
        subject: 'user-1',
        tenant: 'org-1',
        sequence: 1,
        // @ts-expect-error a login failure carries no invoice amount
        data: { email: 'a@b.mx', ip: '127.0.0.1', reason: 'locked', amount: '1.00' },
      });
    expect(build).toThrow(expect.objectContaining({ code: 'invalid_event_data', path: '/data/amount' }));
  });
});

describe('isEventOfType', () => {
  it('narrows a parsed event to the data of its type', () => {
    const event = parseEvent(sample(InvoiceEventTypes.archived));
    expect(isEventOfType(event, InvoiceEventTypes.created)).toBe(false);
    if (!isEventOfType(event, InvoiceEventTypes.archived)) throw new Error('expected an archived event');
    expect(event.data.compressedSize).toBeLessThan(event.data.originalSize);
  });
});

describe('reading old versions', () => {
  const envelope = (version: string, data: unknown) => ({
    specversion: '1.0',
    id: 'e-1',
    source: 'test',
    type: 'test.thing.happened',
    subject: 's-1',
    time: '2026-11-24T12:00:00Z',
    datacontenttype: 'application/json',
    dataschema: `urn:fiscal:schema:test.thing.happened:${version}`,
    data,
    sequence: 1,
    tenant: 'org-1',
    partitionkey: 's-1',
  });

  it('reads an older minor of the current major without upcasting', () => {
    const catalog = createEventCatalog([
      {
        type: 'test.thing.happened',
        versions: [
          { version: '1.0', schema: Type.Object({ amount: Type.String() }) },
          {
            version: '1.1',
            schema: Type.Object({ amount: Type.String(), note: Type.Optional(Type.String()) }),
          },
        ],
      },
    ]);
    expect(catalog.parseEvent(envelope('1.0', { amount: '5.00' }))).toMatchObject({
      data: { amount: '5.00' },
      dataschema: 'urn:fiscal:schema:test.thing.happened:1.0',
    });
  });

  it('refuses an old major that no upcaster can lift', () => {
    const catalog = createEventCatalog([
      {
        type: 'test.thing.happened',
        versions: [
          { version: '1.0', schema: Type.Object({ total: Type.String() }) },
          { version: '2.0', schema: Type.Object({ amount: Type.String() }) },
        ],
      },
    ]);
    const error = thrownBy(() => catalog.parseEvent(envelope('1.0', { total: '5.00' })));
    expect(error).toMatchObject({ code: 'unknown_schema_version', path: '/dataschema', permanent: true });
  });

  it('refuses an upcaster result that breaks the current schema', () => {
    const catalog = createEventCatalog([
      {
        type: 'test.thing.happened',
        versions: [
          { version: '1.0', schema: Type.Object({ total: Type.String() }) },
          { version: '2.0', schema: Type.Object({ amount: Type.String() }) },
        ],
        upcasters: { 1: () => ({ amount: 5 }) },
      },
    ]);
    const error = thrownBy(() => catalog.parseEvent(envelope('1.0', { total: '5.00' })));
    expect(error).toMatchObject({ code: 'invalid_event_data', path: '/data/amount' });
  });
});
