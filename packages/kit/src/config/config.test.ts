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

  it.each([
    [integer({ min: 1, max: 10 }), '1.5', 'an integer between 1 and 10'],
    [integer(), '12abc', 'an integer between'],
    [url({ protocols: ['amqp', 'amqps'] }), 'http://broker', 'a URL (amqp://, amqps://)'],
    [url(), 'not a url', 'a URL'],
    [oneOf(['fs', 's3'] as const), 'gcs', 'one of fs, s3'],
    [duration(), '5 minutes', 'a duration such as 250ms, 30s or 5m'],
    [list(integer({ min: 1 })), '1,0', 'a comma-separated list of an integer between 1'],
    [boolean(), 'enabled', 'a boolean (1/0, true/false, yes/no)'],
  ])('explains what it expected when %#: %s is not accepted', (parser, raw, expected) => {
    expect(() =>
      parseConfig({ value: { env: 'FISCAL_VALUE', type: parser, doc: '' } }, { FISCAL_VALUE: raw }),
    ).toThrow(`FISCAL_VALUE: expected ${expected}`);
  });

  it('treats an empty variable as unset', () => {
    expect(parseConfig(spec, { FISCAL_DATABASE_URL: 'postgres://db/x', FISCAL_HTTP_PORT: '' }).httpPort).toBe(
      8080,
    );
  });

  it('lets a service spread the common settings into its own spec, types included', () => {
    const serviceSpec = defineConfig({
      ...commonConfig,
      grpcPort: { env: 'FISCAL_GRPC_PORT', type: port(), default: 50051, doc: 'gRPC port' },
    });
    const config = parseConfig(serviceSpec, {
      FISCAL_LOG_LEVEL: 'debug',
      FISCAL_OTLP_ENDPOINT: 'http://otel:4318',
    });
    expect(config).toEqual({
      logLevel: 'debug',
      otlpEndpoint: 'http://otel:4318',
      traceSampleRatio: 1,
      shutdownTimeout: 30_000,
      adminHost: '127.0.0.1',
      adminPort: 9090,
      adminToken: undefined,
      grpcPort: 50051,
    });
    expectTypeOf(config.logLevel).toEqualTypeOf<
      'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'
    >();
    expectTypeOf(config.otlpEndpoint).toEqualTypeOf<string | undefined>();
    expectTypeOf(config.grpcPort).toEqualTypeOf<number>();
  });

  it('parses the common settings from an empty environment', () => {
    expect(parseConfig(commonConfig, {})).toMatchObject({
      logLevel: 'info',
      adminPort: 9090,
      shutdownTimeout: 30_000,
    });
  });

  it('binds the admin port to loopback unless told otherwise', () => {
    expect(parseConfig(commonConfig, {}).adminHost).toBe('127.0.0.1');
    expect(parseConfig(commonConfig, { FISCAL_ADMIN_HOST: '0.0.0.0' }).adminHost).toBe('0.0.0.0');
  });

  it('refuses an operator token shorter than 32 characters without echoing it', () => {
    const short = 'too-short-to-guard-a-purge';
    expect(() => parseConfig(commonConfig, { FISCAL_ADMIN_TOKEN: short })).toThrow(
      'FISCAL_ADMIN_TOKEN: expected at least 32 characters, got a value that is not',
    );
    expect(() => parseConfig(commonConfig, { FISCAL_ADMIN_TOKEN: short })).not.toThrow(short);
    const token = 'x'.repeat(32);
    expect(parseConfig(commonConfig, { FISCAL_ADMIN_TOKEN: token }).adminToken).toBe(token);
    expect(describeConfig(commonConfig)).toContainEqual(
      expect.objectContaining({ env: 'FISCAL_ADMIN_TOKEN', type: 'secret', default: '(unset)' }),
    );
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

  it('never prints the default of a secret', () => {
    const rows = describeConfig({
      key: { env: 'FISCAL_SIGNING_KEY', type: secret(), default: 'dev-only-key', doc: 'signing key' },
    });
    expect(rows).toEqual([
      { env: 'FISCAL_SIGNING_KEY', type: 'secret', default: '(hidden)', doc: 'signing key' },
    ]);
  });
});

describe('the standard OpenTelemetry variables', () => {
  it('are read beside the FISCAL_* ones, resource attributes percent-decoded', () => {
    const settings = parseConfig(commonConfig, {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_SERVICE_NAME: 'gateway-eu',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=production, service.namespace=fiscal%2Cmx',
    });
    expect(settings).toMatchObject({
      otelExporterOtlpEndpoint: 'http://collector:4318',
      otelServiceName: 'gateway-eu',
      otelTracesSampler: 'parentbased_traceidratio',
      otelTracesSamplerArg: 0.25,
      otelResourceAttributes: { 'deployment.environment': 'production', 'service.namespace': 'fiscal,mx' },
    });
  });

  it('refuses a sampler or attribute list OpenTelemetry would not read', () => {
    expect(() => parseConfig(commonConfig, { OTEL_TRACES_SAMPLER: 'sometimes' })).toThrow(
      /OTEL_TRACES_SAMPLER/,
    );
    expect(() => parseConfig(commonConfig, { OTEL_RESOURCE_ATTRIBUTES: 'no-equals-sign' })).toThrow(
      /OTEL_RESOURCE_ATTRIBUTES/,
    );
  });
});
