import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { duration, parseConfig } from '@fiscal/kit/config';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { serviceConfigs } from '../../apps/cli/src/commands/serve.js';

/**
 * No image can be pulled on this machine, so the Compose file is not started here; its structure
 * is checked instead: every service, the settings each one needs (parsed as it would parse them at
 * start-up), healthchecks, start order, and the files it mounts.
 */
const composeFile = fileURLToPath(new URL('../../deploy/compose/compose.yaml', import.meta.url));
const composeDir = dirname(composeFile);

function parseDuration(text: string): number {
  const result = duration().parse(text);
  if (!result.ok) throw new Error(`not a duration: ${text}`);
  return result.value;
}

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string | number | boolean>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
  deploy?: { replicas?: number };
  stop_grace_period?: string;
  read_only?: boolean;
}

/** Compose's interpolation with nothing set: `${NAME:-default}` is its default, `$$` a dollar. */
function interpolate(value: string): string {
  return value
    .replace(
      /\$\{([A-Z0-9_]+)(?::?-([^}]*))?\}/g,
      (_whole, _name, fallback: string | undefined) => fallback ?? '',
    )
    .replaceAll('$$', '$');
}

const compose = parse(readFileSync(composeFile, 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>;
  volumes: Record<string, unknown>;
};
const services = compose.services;
const fiscalServices = Object.keys(serviceConfigs);
const environmentOf = (name: string): Record<string, string> =>
  Object.fromEntries(
    Object.entries(services[name]?.environment ?? {}).map(([key, value]) => [
      key,
      interpolate(String(value)),
    ]),
  );

describe('deploy/compose/compose.yaml', () => {
  it('runs every service, two invoice workers, two invoice shards, the engines and the telemetry stack', () => {
    for (const name of [
      ...fiscalServices,
      'migrate',
      'postgres',
      'invoice-shard-0',
      'invoice-shard-1',
      'rabbitmq',
      'redis',
      'jaeger',
      'prometheus',
      'grafana',
    ])
      expect(Object.keys(services)).toContain(name);
    expect(services['invoice-worker']?.deploy?.replicas).toBe(2);
    for (const name of ['invoice', 'invoice-worker']) {
      const shards = environmentOf(name).FISCAL_INVOICE_SHARD_URLS?.split(',') ?? [];
      expect(shards).toHaveLength(2);
      expect(new Set(shards.map((url) => new URL(url).hostname)).size).toBe(2);
    }
  });

  it.each(fiscalServices)('starts %s with fiscal serve and settings it accepts at start-up', (name) => {
    const service = services[name]!;
    expect(service.command).toEqual(['serve', name]);
    expect(service.image).toBe(services.migrate?.image);
    const environment = environmentOf(name);
    // The very parser the process runs: a missing or malformed setting fails here as it would there.
    expect(() => parseConfig(serviceConfigs[name]!, environment)).not.toThrow();
    expect(environment.FISCAL_ADMIN_HOST).toBe('0.0.0.0');
    if (name !== 'gateway') expect(environment.FISCAL_GRPC_HOST).toBe('0.0.0.0');
    expect(environment.OTEL_SERVICE_NAME).toBe(name);
    expect(service.read_only).toBe(true);
    const budget = parseDuration(environment.FISCAL_SHUTDOWN_TIMEOUT ?? '30s');
    expect(parseDuration(service.stop_grace_period ?? '10s')).toBeGreaterThan(budget);
  });

  it('has a healthcheck on every long-running service', () => {
    const missing = Object.entries(services)
      .filter(([name, service]) => name !== 'migrate' && !service.healthcheck)
      .map(([name]) => name);
    expect(missing).toEqual([]);
    for (const name of fiscalServices)
      expect(services[name]?.healthcheck?.test.join(' ')).toContain('/readyz');
  });

  it('starts each service after the engines and services its settings name are healthy, and after the migrations', () => {
    for (const [name, service] of Object.entries(services)) {
      const hosts = new Set<string>();
      for (const value of Object.values(environmentOf(name))) {
        for (const candidate of value.split(',')) {
          if (!/^[a-z]+:\/\//.test(candidate)) continue;
          const host = new URL(candidate).hostname;
          if (host !== name) hosts.add(host);
        }
      }
      for (const host of hosts) {
        expect(Object.keys(services), `${name} names ${host}`).toContain(host);
        // Traces are best effort: a service starts without its collector.
        if (host === 'jaeger') continue;
        expect(service.depends_on?.[host]?.condition, `${name} waits for ${host}`).toBe('service_healthy');
      }
      if (fiscalServices.includes(name) && name !== 'gateway')
        expect(service.depends_on?.migrate?.condition).toBe('service_completed_successfully');
    }
  });

  it('shares one object store between the invoice service and its workers', () => {
    for (const name of ['invoice', 'invoice-worker']) {
      const mount = services[name]?.volumes?.find((volume) => volume.startsWith('objects:'));
      expect(mount?.split(':')[1]).toBe(environmentOf(name).FISCAL_OBJECT_STORE_DIR);
    }
    expect(Object.keys(compose.volumes)).toContain('objects');
  });

  it('mounts only files that exist, and scrapes every Fiscal service', () => {
    for (const service of Object.values(services)) {
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0]!;
        if (source.startsWith('.')) expect(existsSync(resolve(composeDir, source)), source).toBe(true);
      }
    }
    const prometheus = readFileSync(join(composeDir, 'prometheus.yml'), 'utf8');
    for (const name of fiscalServices) expect(prometheus).toContain(name);
    expect(existsSync(resolve(composeDir, '../../Dockerfile'))).toBe(true);
  });
});
