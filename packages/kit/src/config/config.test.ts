import { describe, expect, expectTypeOf, it } from 'vitest';
import { commonConfig } from './common.js';
import { ConfigError, defineConfig, describeConfig, parseConfig } from './config.js';
import { boolean, duration, integer, list, oneOf, port, secret, string, url } from './parsers.js';

const spec = defineConfig({
  httpPort: { env: 'FISCAL_HTTP_PORT', type: port(), default: 8080, doc: 'REST port' },
  databaseUrl: { env: 'FISCAL_DATABASE_URL', type: url({ protocols: ['postgres'] }), doc: 'database' },
  memory: { env: 'FISCAL_MEMORY', type: boolean(), default: false, doc: 'memory' },
  shards: {
    env: 'FISCAL_SHARDS',
    type: list(url({ protocols: ['postgres'] })),
    default: [] as string[],
    doc: 'shards',
  },
  mode: { env: 'FISCAL_MODE', type: oneOf(['a', 'b'] as const), default: 'a', doc: 'mode' },
  token: { env: 'FISCAL_TOKEN', type: secret({ minLength: 8 }), default: undefined, doc: 'token' },
  budget: { env: 'FISCAL_BUDGET', type: duration(), default: 30_000, doc: 'budget' },
  workers: { env: 'FISCAL_WORKERS', type: integer({ min: 1, max: 64 }), default: 4, doc: 'workers' },
  name: { env: 'FISCAL_NAME', type: string(), default: 'fiscal', doc: 'name' },
});

describe('parseConfig', () => {
  it('applies defaults and parses each type', () => {
    const config = parseConfig(spec, {
      FISCAL_DATABASE_URL: 'postgres://db/fiscal',
      FISCAL_MEMORY: 'yes',
      FISCAL_SHARDS: 'postgres://a/x, postgres://b/y',
      FISCAL_BUDGET: '5m',
    });
    expect(config).toEqual({
      httpPort: 8080,
      databaseUrl: 'postgres://db/fiscal',
      memory: true,
      shards: ['postgres://a/x', 'postgres://b/y'],
      mode: 'a',
      token: undefined,
      budget: 300_000,
      workers: 4,
      name: 'fiscal',
    });
    expectTypeOf(config.httpPort).toEqualTypeOf<number>();
    expectTypeOf(config.mode).toEqualTypeOf<'a' | 'b'>();
    expectTypeOf(config.token).toEqualTypeOf<string | undefined>();
  });

  it('names every bad or missing variable on its own line, all at once', () => {
    let error: unknown;
    try {
      parseConfig(spec, {
        FISCAL_HTTP_PORT: 'abc',
        FISCAL_MEMORY: 'maybe',
        FISCAL_WORKERS: '0',
        FISCAL_SHARDS: 'mysql://x',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const lines = (error as ConfigError).message.split('\n');
    expect(lines).toEqual([
      'FISCAL_HTTP_PORT: expected a port (0-65535; 0 picks a free one), got "abc"',
      'FISCAL_DATABASE_URL: required (database)',
      'FISCAL_MEMORY: expected a boolean (1/0, true/false, yes/no), got "maybe"',
      'FISCAL_SHARDS: expected a comma-separated list of a URL (postgres://), got "mysql://x"',
      'FISCAL_WORKERS: expected an integer between 1 and 64, got "0"',
    ]);
  });

  it('never echoes a secret back', () => {
    expect(() =>
      parseConfig(spec, { FISCAL_DATABASE_URL: 'postgres://x/y', FISCAL_TOKEN: 'hunter2' }),
    ).toThrow(/^FISCAL_TOKEN: expected at least 8 characters, got a value that is not$/);
  });

  it.each([
    ['70000', false],
    ['-1', false],
    ['8.5', false],
    ['0', true],
  ])('reads port %s as valid=%s', (raw, valid) => {
    const parse = () => parseConfig({ p: { env: 'P', type: port(), doc: '' } }, { P: raw });
    if (valid) expect(parse()).toEqual({ p: Number(raw) });
    else expect(parse).toThrow(ConfigError);
  });

  it.each([
    ['250', 250],
    ['250ms', 250],
    ['30s', 30_000],
    ['1.5m', 90_000],
    ['2h', 7_200_000],
  ])('reads duration %s as %i ms', (raw, ms) => {
    expect(parseConfig({ d: { env: 'D', type: duration(), doc: '' } }, { D: raw })).toEqual({ d: ms });
  });

  it('parses the common settings from an empty environment', () => {
    expect(parseConfig(commonConfig, {})).toMatchObject({
      logLevel: 'info',
      adminPort: 9090,
      shutdownTimeout: 30_000,
    });
  });
});

describe('describeConfig', () => {
  it('lists each variable with its default for the reference', () => {
    const rows = describeConfig(spec);
    expect(rows).toContainEqual({ env: 'FISCAL_HTTP_PORT', type: 'port', default: '8080', doc: 'REST port' });
    expect(rows).toContainEqual(
      expect.objectContaining({ env: 'FISCAL_DATABASE_URL', default: '(required)' }),
    );
    expect(rows).toContainEqual(expect.objectContaining({ env: 'FISCAL_TOKEN', default: '(unset)' }));
  });
});
