import type { TObject } from '@sinclair/typebox';
import { type TypeCheck, TypeCompiler } from '@sinclair/typebox/compiler';
import { v7 as uuidv7 } from 'uuid';
import type { EventEnvelope } from '../envelope.js';
import { EventContractError } from './event-contract-error.js';

/** One published version of an event's data schema. */
export interface EventVersion {
  version: `${number}.${number}`;
  schema: TObject;
}

/**
 * An event type and every version it was ever published in, oldest first; the last is current.
 * Minor versions only add optional fields, so a consumer reads any minor of a major it knows.
 * `upcasters[n]` lifts data of major `n` to major `n + 1`, so old events stay readable.
 */
export interface EventDefinition {
  type: string;
  versions: readonly EventVersion[];
  upcasters?: Readonly<Record<number, (data: unknown) => unknown>>;
}

export interface NewEvent<TData = unknown> {
  type: string;
  source: string;
  subject: string;
  tenant: string;
  sequence: number;
  data: TData;
  partitionKey?: string;
  traceparent?: string | undefined;
  tracestate?: string | undefined;
  time?: string;
  id?: string;
}

const dataschemaPattern = /^urn:fiscal:schema:([a-z0-9._]+):(\d+)\.(\d+)$/;

export function dataschemaOf(type: string, version: string): string {
  return `urn:fiscal:schema:${type}:${version}`;
}

interface CompiledVersion {
  major: number;
  minor: number;
  version: string;
  check: TypeCheck<TObject>;
  /** The same schema closed to unknown fields: what producers must publish. */
  strictKeys: ReadonlySet<string>;
}

interface CompiledDefinition {
  definition: EventDefinition;
  versions: CompiledVersion[];
  current: CompiledVersion;
}

export interface EventCatalog {
  createEvent<TData>(event: NewEvent<TData>): EventEnvelope<TData>;
  parseEvent(value: unknown): EventEnvelope;
  definitions(): readonly EventDefinition[];
}

export function createEventCatalog(definitions: readonly EventDefinition[]): EventCatalog {
  const byType = new Map<string, CompiledDefinition>();
  for (const definition of definitions) {
    const versions = definition.versions.map((entry) => {
      const [major, minor] = entry.version.split('.').map(Number) as [number, number];
      return {
        major,
        minor,
        version: entry.version,
        check: TypeCompiler.Compile(entry.schema),
        strictKeys: new Set(Object.keys(entry.schema.properties)),
      };
    });
    const current = versions.at(-1);
    if (!current) throw new Error(`event ${definition.type} has no version`);
    byType.set(definition.type, { definition, versions, current });
  }

  function definitionOf(type: string): CompiledDefinition {
    const compiled = byType.get(type);
    if (!compiled)
      throw new EventContractError('unknown_event_type', `unknown event type "${type}"`, '/type');
    return compiled;
  }

  function checkData(version: CompiledVersion, data: unknown, type: string): void {
    // Every event is checked on publish and on consume: the compiled check is the fast path, the
    // error walk (several times slower) runs only to name what is wrong.
    if (version.check.Check(data)) return;
    const first = version.check.Errors(data).First();
    if (first) {
      throw new EventContractError(
        'invalid_event_data',
        `${type} ${version.version}: ${first.message}`,
        `/data${first.path}`,
      );
    }
  }

  return {
    createEvent(event) {
      const { current } = definitionOf(event.type);
      checkData(current, event.data, event.type);
      const unknown = Object.keys(event.data as object).find((key) => !current.strictKeys.has(key));
      if (unknown) {
        throw new EventContractError(
          'invalid_event_data',
          `${event.type}: unknown field`,
          `/data/${unknown}`,
        );
      }
      const envelope: EventEnvelope<typeof event.data> = {
        specversion: '1.0',
        id: event.id ?? uuidv7(),
        source: event.source,
        type: event.type,
        subject: event.subject,
        time: event.time ?? new Date().toISOString(),
        datacontenttype: 'application/json',
        dataschema: dataschemaOf(event.type, current.version),
        data: event.data,
        sequence: event.sequence,
        tenant: event.tenant,
        partitionkey: event.partitionKey ?? event.subject,
      };
      if (event.traceparent) envelope.traceparent = event.traceparent;
      if (event.tracestate) envelope.tracestate = event.tracestate;
      checkEnvelope(envelope);
      return envelope;
    },

    parseEvent(value) {
      const envelope = checkEnvelope(value);
      const compiled = definitionOf(envelope.type);
      const match = dataschemaPattern.exec(envelope.dataschema);
      if (!match || match[1] !== envelope.type) {
        throw new EventContractError(
          'invalid_envelope',
          `dataschema "${envelope.dataschema}" does not name ${envelope.type}`,
          '/dataschema',
        );
      }
      const major = Number(match[2]);
      const known = compiled.versions.filter((version) => version.major === major);
      const newestOfMajor = known.at(-1);
      if (!newestOfMajor) {
        throw new EventContractError(
          'unknown_schema_version',
          `${envelope.type} has no known major version ${major}`,
          '/dataschema',
        );
      }
      checkData(newestOfMajor, envelope.data, envelope.type);
      if (major === compiled.current.major) return envelope;

      let data = envelope.data;
      for (let from = major; from < compiled.current.major; from++) {
        const upcast = compiled.definition.upcasters?.[from];
        if (!upcast) {
          throw new EventContractError(
            'unknown_schema_version',
            `${envelope.type} cannot be read from major ${from}`,
            '/dataschema',
          );
        }
        data = upcast(data);
      }
      checkData(compiled.current, data, envelope.type);
      return { ...envelope, data, dataschema: dataschemaOf(envelope.type, compiled.current.version) };
    },

    definitions: () => definitions,
  };
}

const requiredStrings = [
  'id',
  'source',
  'type',
  'subject',
  'time',
  'dataschema',
  'tenant',
  'partitionkey',
] as const;

/** CloudEvents 1.0 required attributes plus Fiscal's extensions. */
function checkEnvelope(value: unknown): EventEnvelope {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new EventContractError('invalid_envelope', 'an event must be a JSON object');
  }
  const envelope = value as Record<string, unknown>;
  if (envelope.specversion !== '1.0') {
    throw new EventContractError('invalid_envelope', 'specversion must be "1.0"', '/specversion');
  }
  for (const attribute of requiredStrings) {
    const attributeValue = envelope[attribute];
    if (typeof attributeValue !== 'string' || attributeValue.length === 0) {
      throw new EventContractError(
        'invalid_envelope',
        `${attribute} must be a non-empty string`,
        `/${attribute}`,
      );
    }
  }
  if (Number.isNaN(Date.parse(envelope.time as string))) {
    throw new EventContractError('invalid_envelope', 'time must be an RFC 3339 timestamp', '/time');
  }
  if (envelope.datacontenttype !== 'application/json') {
    throw new EventContractError(
      'invalid_envelope',
      'datacontenttype must be application/json',
      '/datacontenttype',
    );
  }
  if (!Number.isSafeInteger(envelope.sequence) || (envelope.sequence as number) < 1) {
    throw new EventContractError('invalid_envelope', 'sequence must be a positive integer', '/sequence');
  }
  for (const attribute of ['traceparent', 'tracestate'] as const) {
    if (envelope[attribute] !== undefined && typeof envelope[attribute] !== 'string') {
      throw new EventContractError('invalid_envelope', `${attribute} must be a string`, `/${attribute}`);
    }
  }
  if (!('data' in envelope)) throw new EventContractError('invalid_envelope', 'data is missing', '/data');
  return envelope as unknown as EventEnvelope;
}
