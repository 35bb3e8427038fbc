import { AuthEventTypes, InvoiceEventTypes, NotificationEventTypes } from '@fiscal/contracts';
import type { ServiceModule } from '@fiscal/kit/runtime';
import { describe, expect, it } from 'vitest';
import { type BackEnd, buildBackEnd, type Engines, topology } from './topology.js';

const backEnds = Object.values(topology.backEnds);
const everyEventType = [
  ...Object.values(InvoiceEventTypes),
  ...Object.values(AuthEventTypes),
  ...Object.values(NotificationEventTypes),
];

describe('the topology', () => {
  it('names each back end by the key it is listed under', () => {
    for (const [key, service] of Object.entries(topology.backEnds)) expect(service.name).toBe(key);
  });

  it('has every event type published by exactly one service', () => {
    const publishers = everyEventType.map((type) =>
      backEnds.filter((service) => service.publishes.includes(type)).map((service) => service.name),
    );
    expect(publishers.every((names) => names.length === 1)).toBe(true);
    const published = backEnds.flatMap((service) => service.publishes);
    expect([...published].sort()).toEqual([...everyEventType].sort());
  });

  it('has every consumed event published, and every consumer group once', () => {
    const published = new Set(backEnds.flatMap((service) => service.publishes));
    const consumers = backEnds.flatMap((service) => (service.consumes ? [service.consumes] : []));
    for (const { events } of consumers) for (const type of events) expect(published).toContain(type);
    const groups = consumers.map(({ group }) => group);
    expect(new Set(groups).size).toBe(groups.length);
  });

  it('has every upstream serve a gRPC API', () => {
    const services = [...backEnds, topology.gateway];
    for (const { upstreams } of services)
      for (const upstream of upstreams)
        expect(backEnds.find((service) => service.name === upstream)?.api).toBeDefined();
  });
});

describe('buildBackEnd', () => {
  const engines = {} as Engines;
  const moduleOf = (module: Partial<ServiceModule>): ServiceModule => ({
    name: 'auth',
    start: async () => {},
    stop: async () => {},
    ...module,
  });
  const row = (module: ServiceModule): BackEnd<unknown> => ({
    ...topology.backEnds.auth,
    create: async () => module,
  });

  it('hands back the module its row describes', async () => {
    const module = moduleOf({ registerRpc: () => {}, anonymousRpc: ['fiscal.auth.v1.AuthService/Login'] });
    await expect(buildBackEnd(row(module), engines, undefined)).resolves.toBe(module);
  });

  it.each([
    ['another name', moduleOf({ name: 'query', registerRpc: () => {}, anonymousRpc: ['x/Login'] })],
    ['no gRPC API', moduleOf({ anonymousRpc: ['x/Login'] })],
    ['no anonymous procedures', moduleOf({ registerRpc: () => {} })],
  ])('refuses a module with %s than its row says', async (_difference, module) => {
    await expect(buildBackEnd(row(module), engines, undefined)).rejects.toThrow(/does not match/);
  });
});
