import { lookup as resolveHostName } from 'node:dns';
import { BlockList, isIP, isIPv6, type LookupFunction } from 'node:net';

/** Raised before any packet leaves for a refused address. */
export class ForbiddenAddress extends Error {
  constructor(readonly address: string) {
    super(`connecting to ${address} is not allowed`);
    this.name = 'ForbiddenAddress';
  }
}

/**
 * Addresses that lead inside our network or to this machine. IPv4-mapped IPv6 addresses
 * (`::ffff:10.0.0.1`) are checked against the IPv4 ranges by `BlockList` itself.
 */
const forbiddenRanges = (() => {
  const ranges = new BlockList();
  for (const [network, prefix] of [
    ['0.0.0.0', 8], // "this network", unspecified
    ['10.0.0.0', 8],
    ['100.64.0.0', 10], // carrier-grade NAT
    ['127.0.0.0', 8],
    ['169.254.0.0', 16], // link-local, cloud metadata services
    ['172.16.0.0', 12],
    ['192.0.0.0', 24], // IETF protocol assignments
    ['192.168.0.0', 16],
    ['198.18.0.0', 15], // benchmarking
    ['224.0.0.0', 4], // multicast
    ['240.0.0.0', 4], // reserved, broadcast
  ] as const) {
    ranges.addSubnet(network, prefix, 'ipv4');
  }
  for (const [network, prefix] of [
    ['::', 96], // unspecified, loopback and the deprecated IPv4-compatible form
    ['fc00::', 7], // unique-local
    ['fe80::', 10], // link-local
    ['fec0::', 10], // deprecated site-local
    ['ff00::', 8], // multicast
  ] as const) {
    ranges.addSubnet(network, prefix, 'ipv6');
  }
  return ranges;
})();

/** Private, loopback, link-local and other non-public addresses; `address` is an IP literal. */
export function isForbiddenAddress(address: string): boolean {
  const bare = address.startsWith('[') ? address.slice(1, -1) : address;
  if (isIP(bare) === 0) return false;
  return forbiddenRanges.check(bare, isIPv6(bare) ? 'ipv6' : 'ipv4');
}

/** Whether `host` (a name or IP) on `port` is exempt from the guard. */
export type AllowList = (host: string, port: number) => boolean;

/**
 * Hosts the guard does not apply to: a host name or an IP, optionally with a port (`files.internal`,
 * `10.0.0.7:8080`, `[fd00::1]:443`); without a port every port of that host is allowed. A malformed
 * entry throws a `RangeError` naming it.
 */
export function createAllowList(entries: readonly string[]): AllowList {
  const hosts = entries.map(parseAllowedHost);
  return (host, port) => {
    const normalized = normalizeHost(host);
    return hosts.some(
      (entry) => entry.host === normalized && (entry.port === undefined || entry.port === port),
    );
  };
}

interface AllowedHost {
  host: string;
  port?: number;
}

function parseAllowedHost(entry: string): AllowedHost {
  const trimmed = entry.trim();
  if (isIPv6(trimmed)) return { host: normalizeHost(trimmed) };
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+))(?::(\d{1,5}))?$/.exec(trimmed);
  const host = match?.[1] ?? match?.[2];
  if (!match || host === undefined || (match[1] !== undefined && !isIPv6(match[1]))) {
    throw new RangeError(`allowed host "${entry}" is not a host name or IP address with an optional port`);
  }
  return match[3] === undefined
    ? { host: normalizeHost(host) }
    : { host: normalizeHost(host), port: Number(match[3]) };
}

/** Lower-case names, canonical IPv6 (`0:0::1` and `::1` are one host), no brackets. */
function normalizeHost(host: string): string {
  const bare = host.startsWith('[') ? host.slice(1, -1) : host;
  if (isIPv6(bare)) return new URL(`http://[${bare}]/`).hostname.slice(1, -1);
  return bare.toLowerCase();
}

/** URLs and undici leave the port empty when it is the scheme's default. */
export function portOf(protocol: string, port: string): number {
  return Number(port) || (protocol === 'https:' ? 443 : 80);
}

/** Resolves like the system does, then refuses the name when any of its addresses is forbidden. */
export const guardedLookup: LookupFunction = (hostname, options, callback) => {
  resolveHostName(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, '');
    const forbidden = addresses.find((candidate) => isForbiddenAddress(candidate.address));
    if (forbidden) return callback(new ForbiddenAddress(forbidden.address), '');
    if (options.all) return callback(null, addresses);
    const [first] = addresses;
    if (first) return callback(null, first.address, first.family);
    callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '');
  });
};

/** What a socket connector is asked to reach (undici's `buildConnector.Options` has these). */
export interface ConnectTarget {
  hostname: string;
  protocol: string;
  port: string;
}

type Connector<Target extends ConnectTarget, Callback> = (target: Target, callback: Callback) => void;

/**
 * Wraps an HTTP client's socket connector (undici's `buildConnector`) so the guard judges the address
 * each socket actually connects to (after DNS, on every redirect hop): a name that resolves to a public
 * address when checked and to a private one when used (DNS rebinding) has no window to slip through.
 * An allowed host connects as usual; an IP literal is judged as it is; a name is resolved by
 * `guardedLookup`, so the socket can only ever be given an address that passed the check.
 */
export function guardedConnector<Target extends ConnectTarget, Callback>(
  buildConnector: (options: { timeout: number; lookup?: LookupFunction }) => Connector<Target, Callback>,
  allowed: AllowList,
  timeoutMs: number,
): Connector<Target, Callback> {
  const connect = buildConnector({ timeout: timeoutMs });
  const connectResolvingSafely = buildConnector({ timeout: timeoutMs, lookup: guardedLookup });
  return (target, callback) => {
    if (allowed(target.hostname, portOf(target.protocol, target.port))) return connect(target, callback);
    if (isIP(target.hostname) === 0) return connectResolvingSafely(target, callback);
    if (isForbiddenAddress(target.hostname)) {
      const refuse = callback as unknown as (error: Error, socket: null) => void;
      queueMicrotask(() => refuse(new ForbiddenAddress(target.hostname), null));
      return;
    }
    connect(target, callback);
  };
}
