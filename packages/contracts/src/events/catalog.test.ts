import { readdirSync, readFileSync } from 'node:fs';
import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { createEventCatalog } from './catalog.js';
import { createEvent, domainOf, fiscalEventDefinitions, parseEvent } from './fiscal-catalog.js';

const samplesDir = new URL('../../samples/', import.meta.url);
const sampleFiles = readdirSync(samplesDir).filter((file) => file.endsWith('.json'));
const readSample = (file: string) => JSON.parse(readFileSync(new URL(file, samplesDir), 'utf8'));
const created = () => readSample('fiscal.invoice.created@1.0.json');

describe('recorded samples (schema evolution guard)', () => {
  it('keeps a sample of every published version of every event', () => {
    const expected = fiscalEventDefinitions.flatMap((definition) =>
      definition.versions.map((version) => `${definition.type}@${version.version}.json`),
    );
    expect(sampleFiles.sort()).toEqual(expect.arrayContaining(expected.sort()));
  });

  it.each(sampleFiles)('still reads %s with the current consumers', (file) => {
    const sample = readSample(file);
    expect(parseEvent(sample)).toMatchObject({ type: sample.type, id: sample.id });
  });
});

describe('createEvent', () => {
  it('builds a CloudEvents envelope with a time-ordered id and the current dataschema', () => {
    const { data } = created();
    const first = createEvent({
      type: 'fiscal.invoice.created',
      source: 'fiscal/invoice',
      subject: 'inv-1',
      tenant: 'org-1',
      sequence: 1,
      data,
    });
    const second = createEvent({
      type: 'fiscal.invoice.created',
      source: 'fiscal/invoice',
      subject: 'inv-1',
      tenant: 'org-1',
      sequence: 1,
      data,
    });
    expect(first).toMatchObject({
      specversion: '1.0',
      dataschema: 'urn:fiscal:schema:fiscal.invoice.created:1.0',
      partitionkey: 'inv-1',
      datacontenttype: 'application/json',
    });
    expect(first.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
    expect(first.id < second.id).toBe(true);
    expect('traceparent' in first).toBe(false);
  });

  it.each([
    ['a float amount', { amount: 1160.5 }, '/data/amount'],
    ['an amount with a exponent', { amount: '1e3' }, '/data/amount'],
    ['a missing field', { checksum: undefined }, '/data/checksum'],
    ['an unknown field', { surprise: true }, '/data/surprise'],
  ])('refuses %s, naming the path', (_case, change, path) => {
    const data = { ...created().data, ...change };
    for (const key of Object.keys(change))
      if ((change as Record<string, unknown>)[key] === undefined) delete data[key];
    expect(() =>
      createEvent({
        type: 'fiscal.invoice.created',
        source: 'fiscal/invoice',
        subject: 'inv-1',
        tenant: 'org-1',
        sequence: 1,
        data,
      }),
    ).toThrow(expect.objectContaining({ code: 'invalid_event_data', path, permanent: true }));
  });
});

describe('parseEvent', () => {
  it.each([
    [
      'an unknown type',
      { type: 'fiscal.invoice.exploded', dataschema: 'urn:fiscal:schema:fiscal.invoice.exploded:1.0' },
      'unknown_event_type',
    ],
    [
      'an unknown major version',
      { dataschema: 'urn:fiscal:schema:fiscal.invoice.created:9.0' },
      'unknown_schema_version',
    ],
    ['another specversion', { specversion: '0.3' }, 'invalid_envelope'],
    [
      'a dataschema of another type',
      { dataschema: 'urn:fiscal:schema:fiscal.invoice.archived:1.0' },
      'invalid_envelope',
    ],
    ['a zero sequence', { sequence: 0 }, 'invalid_envelope'],
    ['an unparseable time', { time: 'noon' }, 'invalid_envelope'],
  ])('rejects %s as permanent', (_case, change, code) => {
    expect(() => parseEvent({ ...created(), ...change })).toThrow(
      expect.objectContaining({ code, permanent: true }),
    );
  });

  it('rejects data that breaks the schema with the offending path', () => {
    const event = created();
    event.data.currency = 'pesos';
    expect(() => parseEvent(event)).toThrow(
      expect.objectContaining({ code: 'invalid_event_data', path: '/data/currency' }),
    );
  });

  it('reads a newer minor version of a known major, ignoring the fields it does not know', () => {
    const event = { ...created(), dataschema: 'urn:fiscal:schema:fiscal.invoice.created:1.4' };
    event.data.channel = 'erp';
    expect(parseEvent(event).data).toMatchObject({ channel: 'erp', amount: '1160.00' });
  });

  it('rejects things that are not events at all', () => {
    for (const value of [null, 'event', [], 42]) {
      expect(() => parseEvent(value)).toThrow(expect.objectContaining({ code: 'invalid_envelope' }));
    }
  });
});

describe('upcasting', () => {
  const catalog = createEventCatalog([
    {
      type: 'test.thing.happened',
      versions: [
        { version: '1.0', schema: Type.Object({ total: Type.String() }) },
        { version: '2.0', schema: Type.Object({ amount: Type.String(), currency: Type.String() }) },
      ],
      upcasters: { 1: (data) => ({ amount: (data as { total: string }).total, currency: 'MXN' }) },
    },
  ]);
  const v1 = {
    specversion: '1.0',
    id: 'e-1',
    source: 'test',
    type: 'test.thing.happened',
    subject: 's-1',
    time: '2026-11-24T12:00:00Z',
    datacontenttype: 'application/json',
    dataschema: 'urn:fiscal:schema:test.thing.happened:1.0',
    data: { total: '10.00' },
    sequence: 1,
    tenant: 'org-1',
    partitionkey: 's-1',
  };

  it('lifts an old major version to the current one', () => {
    expect(catalog.parseEvent(v1)).toMatchObject({
      data: { amount: '10.00', currency: 'MXN' },
      dataschema: 'urn:fiscal:schema:test.thing.happened:2.0',
    });
  });

  it('publishes only the current version', () => {
    const event = catalog.createEvent({
      type: 'test.thing.happened',
      source: 't',
      subject: 's',
      tenant: 'o',
      sequence: 1,
      data: { amount: '1', currency: 'USD' },
    });
    expect(event.dataschema).toBe('urn:fiscal:schema:test.thing.happened:2.0');
  });
});

describe('domainOf', () => {
  it.each([
    ['fiscal.invoice.created', 'fiscal.invoice'],
    ['auth.login.failed', 'auth'],
    ['auth.key.rotated', 'auth'],
  ])('puts %s on the %s exchange', (type, domain) => {
    expect(domainOf(type)).toBe(domain);
  });
});
