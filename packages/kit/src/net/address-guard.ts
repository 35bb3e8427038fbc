import { lookup as resolveHostName } from 'node:dns';
import { isIP, isIPv6, type LookupFunction } from 'node:net';
import { isForbiddenAddress, isOwnAddress } from './ip-address.js';

/** Raised before any packet leaves for a refused address. */
export class ForbiddenAddress extends Error {
  constructor(readonly address: string) {
    super(`connecting to ${address} is not allowed`);
    this.name = 'ForbiddenAddress';
  }
}

/**
 * What a connection is asked to reach: a `URL` has these, and so has undici's `buildConnector.Options`.
 * `port` is empty for the scheme's default.
 */
export interface ConnectTarget {
  hostname: string;
  protocol: string;
  port: string;
}

/**
 * Ports the platform listens on by default: the REST API (8080), the admin endpoints (9090) and the
 * gRPC API (50051). They are refused on this machine whatever the allow-list says, together with the
 * ports a process is configured with.
 */
export const defaultPlatformPorts: readonly number[] = [8080, 9090, 50051];

export interface AllowListOptions {
  /** The process's own ports as configured (HTTP, admin, gRPC); 0 (a free port) is ignored. */
  platformPorts?: Iterable<number>;
}

/** Hosts the guard lets through to private addresses, and the ports it never lets through locally. */
export interface AllowList {
  /** Whether `target` is listed, and is not a platform port on this machine named literally. */
  allows(target: ConnectTarget): boolean;
  /** Refused on loopback and on this machine's own addresses, listed or not. */
  readonly platformPorts: ReadonlySet<number>;
}

const defaultPorts: Record<string, number> = { 'http:': 80, 'https:': 443 };

/**
 * Hosts the guard does not apply to: a host name or an IP, optionally with a port (`files.internal`,
 * `10.0.0.7:8080`, `[fd00::1]:8443`). Without a port an entry opens the scheme's default port only
 * (80 for http, 443 for https); `host:port` opens exactly that port. No entry opens a platform port
 * on this machine (`defaultPlatformPorts` and `options.platformPorts` on loopback, an unspecified
 * address or one of this machine's own). A malformed entry throws a `RangeError` naming it.
 */
export function createAllowList(entries: readonly string[], options: AllowListOptions = {}): AllowList {
  const hosts = entries.map(parseAllowedHost);
  const platformPorts = new Set(defaultPlatformPorts);
  for (const port of options.platformPorts ?? []) if (port > 0) platformPorts.add(port);
  return {
    platformPorts,
    allows(target) {
      const host = normalizeHost(target.hostname);
      const port = portOf(target.protocol, target.port);
      const listed = hosts.some(
        (entry) => entry.host === host && (entry.port ?? defaultPorts[target.protocol]) === port,
      );
      return listed && !(platformPorts.has(port) && namesThisMachine(host));
    },
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

function namesThisMachine(host: string): boolean {
  return host === 'localhost' || host.endsWith('.localhost') || isOwnAddress(host);
}

/** URLs and undici leave the port empty when it is the scheme's default. */
export function portOf(protocol: string, port: string): number {
  return Number(port) || (protocol === 'https:' ? 443 : 80);
}

/** Private, reserved or this machine: where a host that is not listed may not lead. */
const isOffLimits = (address: string) => isForbiddenAddress(address) || isOwnAddress(address);

/** Resolves like the system does, then refuses the name when any of its addresses is refused. */
function lookupRefusing(refused: (address: string) => boolean): LookupFunction {
  return (hostname, options, callback) => {
    resolveHostName(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '');
      const forbidden = addresses.find((candidate) => refused(candidate.address));
      if (forbidden) return callback(new ForbiddenAddress(forbidden.address), '');
      if (options.all) return callback(null, addresses);
      const [first] = addresses;
      if (first) return callback(null, first.address, first.family);
      callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '');
    });
  };
}

/** Resolves like the system does, refusing private, reserved and this machine's addresses. */
export const guardedLookup: LookupFunction = lookupRefusing(isOffLimits);

type Connector<Target extends ConnectTarget, Callback> = (target: Target, callback: Callback) => void;

/**
 * Wraps an HTTP client's socket connector (undici's `buildConnector`) so the guard judges the address
 * each socket actually connects to (after DNS, on every redirect hop): a name that resolves to a public
 * address when checked and to a private one when used (DNS rebinding) has no window to slip through.
 * - A host that is not listed may not reach a private or reserved address, nor this machine.
 * - A listed host connects as usual, except on a platform port, where it may not reach this machine.
 * An IP literal is judged as it is; a name is resolved by a lookup that refuses what the rule refuses,
 * so the socket can only ever be given an address that passed the check.
 */
export function guardedConnector<Target extends ConnectTarget, Callback>(
  buildConnector: (options: { timeout: number; lookup?: LookupFunction }) => Connector<Target, Callback>,
  allowed: AllowList,
  timeoutMs: number,
): Connector<Target, Callback> {
  const connect = buildConnector({ timeout: timeoutMs });
  const connectAvoidingOffLimits = buildConnector({ timeout: timeoutMs, lookup: guardedLookup });
  const connectAvoidingThisMachine = buildConnector({
    timeout: timeoutMs,
    lookup: lookupRefusing(isOwnAddress),
  });
  return (target, callback) => {
    const platformPort = allowed.platformPorts.has(portOf(target.protocol, target.port));
    const refused = !allowed.allows(target) ? isOffLimits : platformPort ? isOwnAddress : undefined;
    if (refused === undefined) return connect(target, callback);
    if (isIP(target.hostname.replace(/^\[(.*)\]$/, '$1')) === 0) {
      const resolving = refused === isOwnAddress ? connectAvoidingThisMachine : connectAvoidingOffLimits;
      return resolving(target, callback);
    }
    if (refused(target.hostname)) {
      const refuse = callback as unknown as (error: Error, socket: null) => void;
      queueMicrotask(() => refuse(new ForbiddenAddress(target.hostname), null));
      return;
    }
    connect(target, callback);
  };
}
