/**
 * A parser turns one environment variable's text into a typed value, or explains in a few words
 * what it expected. `describe` is what the configuration reference prints.
 */
export interface Parser<T> {
  parse(raw: string): { ok: true; value: T } | { ok: false; expected: string };
  describe: string;
  /** Secret values are never echoed back in error messages or references. */
  secret?: boolean;
}

const ok = <T>(value: T) => ({ ok: true as const, value });
const fail = (expected: string) => ({ ok: false as const, expected });

export function string(options: { minLength?: number } = {}): Parser<string> {
  const minLength = options.minLength ?? 0;
  return {
    describe: 'text',
    parse: (raw) => (raw.length >= minLength ? ok(raw) : fail(`at least ${minLength} characters`)),
  };
}

export function secret(options: { minLength?: number } = {}): Parser<string> {
  return { ...string(options), describe: 'secret', secret: true };
}

export function integer(options: { min?: number; max?: number } = {}): Parser<number> {
  const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = options;
  const expected = `an integer between ${min} and ${max}`;
  return {
    describe: 'integer',
    parse: (raw) => {
      if (!/^-?\d+$/.test(raw.trim())) return fail(expected);
      const value = Number(raw);
      return value >= min && value <= max ? ok(value) : fail(expected);
    },
  };
}

export function number(options: { min?: number; max?: number } = {}): Parser<number> {
  const { min = -Infinity, max = Infinity } = options;
  const expected = `a number between ${min} and ${max}`;
  return {
    describe: 'number',
    parse: (raw) => {
      const value = Number(raw);
      return raw.trim() !== '' && Number.isFinite(value) && value >= min && value <= max
        ? ok(value)
        : fail(expected);
    },
  };
}

export function port(): Parser<number> {
  const parser = integer({ min: 0, max: 65_535 });
  return {
    describe: 'port',
    parse: (raw) => {
      const result = parser.parse(raw);
      return result.ok ? result : fail('a port (0-65535; 0 picks a free one)');
    },
  };
}

const truthy = new Set(['1', 'true', 'yes', 'on']);
const falsy = new Set(['0', 'false', 'no', 'off']);

export function boolean(): Parser<boolean> {
  return {
    describe: 'boolean',
    parse: (raw) => {
      const value = raw.trim().toLowerCase();
      if (truthy.has(value)) return ok(true);
      if (falsy.has(value)) return ok(false);
      return fail('a boolean (1/0, true/false, yes/no)');
    },
  };
}

export function url(options: { protocols?: readonly string[] } = {}): Parser<string> {
  const protocols = options.protocols?.map((protocol) => protocol.replace(/:$/, ''));
  const expected = protocols
    ? `a URL (${protocols.map((protocol) => `${protocol}://`).join(', ')})`
    : 'a URL';
  return {
    describe: 'URL',
    parse: (raw) => {
      try {
        const parsed = new URL(raw);
        if (protocols && !protocols.includes(parsed.protocol.replace(/:$/, ''))) return fail(expected);
        return ok(raw);
      } catch {
        return fail(expected);
      }
    },
  };
}

export function oneOf<const T extends string>(choices: readonly T[]): Parser<T> {
  return {
    describe: choices.join(' | '),
    parse: (raw) =>
      (choices as readonly string[]).includes(raw) ? ok(raw as T) : fail(`one of ${choices.join(', ')}`),
  };
}

const durationUnits: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** Milliseconds: `250` (ms), `250ms`, `30s`, `5m`, `1h`. */
export function duration(): Parser<number> {
  return {
    describe: 'duration',
    parse: (raw) => {
      const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(raw.trim());
      if (!match) return fail('a duration such as 250ms, 30s or 5m');
      return ok(Math.round(Number(match[1]) * (durationUnits[match[2] ?? 'ms'] ?? 1)));
    },
  };
}

/** Comma-separated values, each read by `item`; blanks are ignored. */
export function list<T>(item: Parser<T>): Parser<T[]> {
  return {
    describe: `comma-separated ${item.describe}`,
    parse: (raw) => {
      const values: T[] = [];
      for (const part of raw.split(',').map((value) => value.trim())) {
        if (part === '') continue;
        const result = item.parse(part);
        if (!result.ok) return fail(`a comma-separated list of ${result.expected}`);
        values.push(result.value);
      }
      return ok(values);
    },
  };
}

/** `key=value,key2=value2` (W3C Baggage's form, as OTEL_RESOURCE_ATTRIBUTES): values may be percent-encoded. */
export function keyValues(): Parser<Record<string, string>> {
  return {
    describe: 'comma-separated key=value',
    parse: (raw) => {
      const pairs: Record<string, string> = {};
      for (const part of raw.split(',').map((value) => value.trim())) {
        if (part === '') continue;
        const equals = part.indexOf('=');
        const key = part.slice(0, equals).trim();
        if (equals <= 0 || key === '') return fail('comma-separated key=value pairs');
        try {
          pairs[key] = decodeURIComponent(part.slice(equals + 1).trim());
        } catch {
          return fail('comma-separated key=value pairs, values percent-encoded');
        }
      }
      return ok(pairs);
    },
  };
}
