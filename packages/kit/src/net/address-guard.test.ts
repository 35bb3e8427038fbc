import type { LookupFunction } from 'node:net';
import { networkInterfaces } from 'node:os';
import { describe, expect, it, vi } from 'vitest';
import { type AllowList, type ConnectTarget, guardedConnector } from './address-guard.js';
import { createAllowList, isForbiddenAddress, isOwnAddress } from './index.js';

/** What the guard's DNS look-ups answer here: names of this machine, a private host, a public one. */
const answers: Record<string, string> = {
  'files.local.test': '127.0.0.1',
  'files.private.test': '10.0.0.5',
  'files.public.test': '8.8.8.8',
};
vi.mock('node:dns', () => ({
  lookup: (
    hostname: string,
    _options: unknown,
    callback: (error: Error | null, addresses: { address: string; family: number }[]) => void,
  ) => {
    const address = answers[hostname];
    if (address === undefined)
      return callback(Object.assign(new Error('not found'), { code: 'ENOTFOUND' }), []);
    callback(null, [{ address, family: 4 }]);
  },
}));

type Connected = { address: string } | { refused: string };

/**
 * Runs the guarded connector over a stand-in socket connector that resolves a name with the lookup
 * it is given (the answers above when none) and reports the address it would connect to.
 */
function connectThrough(allowed: AllowList, url: string): Promise<Connected> {
  const connector = guardedConnector(
    ({ lookup }: { timeout: number; lookup?: LookupFunction }) =>
      (target: ConnectTarget, callback: (error: Error | null, socket: Connected | null) => void) => {
        const hostname = target.hostname.replace(/^\[(.*)\]$/, '$1');
        if (answers[hostname] === undefined) return callback(null, { address: hostname });
        if (!lookup) return callback(null, { address: answers[hostname] });
        lookup(hostname, {}, (error, address) =>
          error ? callback(error, null) : callback(null, { address: String(address) }),
        );
      },
    allowed,
    1_000,
  );
  return new Promise((resolve) => {
    connector(new URL(url), (error, socket) => resolve(error ? { refused: error.name } : socket!));
  });
}

describe('address guard', () => {
  it.each([
    ['127.0.0.1', true],
    ['10.1.2.3', true],
    ['169.254.169.254', true],
    ['192.168.1.1', true],
    ['100.64.0.1', true],
    ['0.0.0.0', true],
    ['192.0.2.10', true], // documentation
    ['198.51.100.7', true], // documentation
    ['203.0.113.9', true], // documentation
    ['255.255.255.255', true],
    ['8.8.8.8', false],
    ['172.32.0.1', false], // just past 172.16.0.0/12
    ['example.com', false],
  ])('judges IPv4 %s forbidden: %s', (address, forbidden) => {
    expect(isForbiddenAddress(address)).toBe(forbidden);
  });

  it.each([
    // Forms that carry an IPv4 address are judged by it.
    ['::ffff:10.0.0.1', true], // IPv4-mapped
    ['::ffff:7f00:1', true], // IPv4-mapped 127.0.0.1 in hex
    ['[::ffff:127.0.0.1]', true],
    ['::ffff:8.8.8.8', false],
    ['::ffff:0:a9fe:a9fe', true], // IPv4-translated 169.254.169.254
    ['::ffff:0:808:808', false], // IPv4-translated 8.8.8.8
    ['64:ff9b::127.0.0.1', true], // NAT64
    ['64:ff9b::a00:1', true], // NAT64 10.0.0.1 in hex
    ['64:ff9b::a9fe:a9fe', true], // NAT64 169.254.169.254
    ['64:ff9b::8.8.8.8', false],
    ['64:ff9b:1::a00:1', true], // local-use NAT64: refused whole
    ['64:ff9b:1::808:808', true],
    ['2002:7f00:1::', true], // 6to4 of 127.0.0.1
    ['2002:c0a8:101::1', true], // 6to4 of 192.168.1.1
    ['2002:a9fe:a9fe::', true], // 6to4 of 169.254.169.254
    ['2002:808:808::1', false], // 6to4 of 8.8.8.8
    ['2001:0:4136:e378:8000:63bf:80ff:fffe', true], // Teredo, client 127.0.0.1 (XOR-obfuscated)
    ['2001:0:4136:e378:8000:63bf:f5ff:fefe', true], // Teredo, client 10.0.1.1
    ['2001:0:a00:1:8000:63bf:f7f7:f7f7', true], // Teredo, server 10.0.0.1
    ['2001:0:4136:e378:8000:63bf:f7f7:f7f7', false], // Teredo, public server and client 8.8.8.8
    ['::1.2.3.4', true], // IPv4-compatible, deprecated: refused whole
    ['::8.8.8.8', true],
    // Other reserved IPv6.
    ['::', true],
    ['::1', true],
    ['[::1]', true],
    ['0:0:0:0:0:0:0:1', true],
    ['fd00::1', true], // unique local
    ['fc00::1', true],
    ['fe80::1', true], // link-local
    ['fe80::1%eth0', true],
    ['fec0::1', true], // site-local
    ['ff02::1', true], // multicast
    ['100::1', true], // discard-only
    ['2001:db8::1', true], // documentation
    ['3fff::1', true], // documentation
    ['2001:2::1', true], // benchmarking
    ['2001:20::1', true], // ORCHIDv2
    ['5f00::1', true], // SRv6
    ['4000::1', true], // unassigned
    ['2606:4700::1111', false],
    ['2a00:1450:4001:80e::200e', false],
  ])('judges IPv6 %s forbidden: %s', (address, forbidden) => {
    expect(isForbiddenAddress(address)).toBe(forbidden);
  });

  it.each([
    ['127.0.0.1', true],
    ['127.8.9.10', true],
    ['0.0.0.0', true],
    ['::1', true],
    ['::', true],
    ['::ffff:127.0.0.1', true],
    ['10.99.99.99', false],
    ['8.8.8.8', false],
    ['localhost', false], // names are resolved first
  ])('judges %s this machine: %s', (address, own) => {
    expect(isOwnAddress(address)).toBe(own);
  });

  it("counts this machine's interface addresses as its own", () => {
    const addresses = Object.values(networkInterfaces())
      .flatMap((list) => list ?? [])
      .map((entry) => entry.address);
    expect(addresses.length).toBeGreaterThan(0);
    for (const address of addresses) expect(isOwnAddress(address), address).toBe(true);
  });

  const target = (url: string) => new URL(url);

  it.each([
    // A bare host opens the scheme's default port only.
    ['files.internal', 'http://FILES.internal/a.xml', true],
    ['files.internal', 'https://files.internal/a.xml', true],
    ['files.internal', 'http://files.internal:80/a.xml', true],
    ['files.internal', 'http://files.internal:443/a.xml', false],
    ['files.internal', 'https://files.internal:80/a.xml', false],
    ['files.internal', 'http://files.internal:1234/a.xml', false],
    ['10.0.0.7', 'http://10.0.0.7:8081/', false],
    // host:port opens exactly that port, whatever the scheme.
    ['127.0.0.1:8081', 'http://127.0.0.1:8081/', true],
    ['127.0.0.1:8081', 'https://127.0.0.1:8081/', true],
    ['127.0.0.1:8081', 'http://127.0.0.1:8082/', false],
    ['127.0.0.1:8081', 'http://127.0.0.1/', false],
    ['[0:0::1]:8443', 'https://[::1]:8443/', true],
    ['[fd00::1]', 'https://[fd00::1]/', true],
    ['fd00::1', 'http://[fd00::1]/', true],
    // The platform's own ports on this machine stay closed, listed or not.
    ['127.0.0.1:9090', 'http://127.0.0.1:9090/dead-letters/x/purge', false],
    ['127.0.0.1:8080', 'http://127.0.0.1:8080/api/v1/invoices', false],
    ['[::1]:50051', 'http://[::1]:50051/', false],
    ['localhost:9090', 'http://localhost:9090/', false],
    ['0.0.0.0:8080', 'http://0.0.0.0:8080/', false],
    ['127.0.0.1:7000', 'http://127.0.0.1:7000/', false], // configured below
    // Elsewhere they are ordinary ports.
    ['10.0.0.7:8080', 'http://10.0.0.7:8080/', true],
    ['files.internal:9090', 'http://files.internal:9090/', true],
  ])('an allow-list of %s lets %s through: %s', (entry, url, allowed) => {
    expect(createAllowList([entry], { platformPorts: [7000, 0] }).allows(target(url))).toBe(allowed);
  });

  it("refuses this machine's own address on a platform port, however it is written", () => {
    const own = Object.values(networkInterfaces())
      .flatMap((list) => list ?? [])
      .find((entry) => entry.family === 'IPv4' && !entry.internal)?.address;
    if (own === undefined) return;
    expect(createAllowList([`${own}:9090`]).allows(target(`http://${own}:9090/`))).toBe(false);
    expect(createAllowList([`${own}:9091`]).allows(target(`http://${own}:9091/`))).toBe(true);
  });

  it.each([
    // A listed name connects wherever it leads, except to this machine on a platform port.
    ['files.local.test:8081', 'http://files.local.test:8081/', { address: '127.0.0.1' }],
    ['files.local.test:9090', 'http://files.local.test:9090/', { refused: 'ForbiddenAddress' }],
    ['files.local.test:7000', 'http://files.local.test:7000/', { refused: 'ForbiddenAddress' }],
    ['files.private.test:9090', 'http://files.private.test:9090/', { address: '10.0.0.5' }],
    ['127.0.0.1:8081', 'http://127.0.0.1:8081/', { address: '127.0.0.1' }],
    ['127.0.0.1:8080', 'http://127.0.0.1:8080/', { refused: 'ForbiddenAddress' }],
    // Not listed: never a private address or this machine, on any port.
    ['files.public.test', 'http://files.local.test:8081/', { refused: 'ForbiddenAddress' }],
    ['files.public.test', 'http://files.private.test/', { refused: 'ForbiddenAddress' }],
    ['files.public.test', 'http://[::1]:8081/', { refused: 'ForbiddenAddress' }],
    ['files.public.test', 'http://[64:ff9b::a00:1]/', { refused: 'ForbiddenAddress' }],
    ['files.public.test', 'http://files.public.test:9090/', { address: '8.8.8.8' }],
    ['files.public.test', 'http://8.8.8.8/', { address: '8.8.8.8' }],
  ])('the connector, with %s listed, asked for %s: %o', async (entry, url, outcome) => {
    const allowed = createAllowList([entry], { platformPorts: [7000] });
    expect(await connectThrough(allowed, url)).toEqual(outcome);
  });

  it('refuses a malformed entry at creation', () => {
    expect(() => createAllowList(['http://x/'])).toThrow(RangeError);
  });
});
