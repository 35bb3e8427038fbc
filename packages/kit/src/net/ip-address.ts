import { isIPv4, isIPv6 } from 'node:net';
import { networkInterfaces } from 'node:os';

/** An IP address as its bytes: 4 for IPv4, 16 for IPv6. */
type AddressBytes = readonly number[];

interface Range {
  network: AddressBytes;
  prefix: number;
}

/**
 * IPv4 ranges that lead inside our network, to this machine, or nowhere useful (IANA's special-purpose
 * registry, less the globally reachable entries).
 */
const forbiddenIPv4 = ranges([
  '0.0.0.0/8', // "this network", unspecified
  '10.0.0.0/8',
  '100.64.0.0/10', // carrier-grade NAT
  '127.0.0.0/8',
  '169.254.0.0/16', // link-local, cloud metadata services
  '172.16.0.0/12',
  '192.0.0.0/24', // IETF protocol assignments
  '192.0.2.0/24', // documentation
  '192.88.99.0/24', // 6to4 relay anycast, deprecated
  '192.168.0.0/16',
  '198.18.0.0/15', // benchmarking
  '198.51.100.0/24', // documentation
  '203.0.113.0/24', // documentation
  '224.0.0.0/4', // multicast
  '240.0.0.0/4', // reserved, broadcast
]);

/**
 * Only global unicast (2000::/3) is reachable on the IPv6 internet; everything outside it is refused:
 * unspecified, loopback and IPv4-compatible (::/96), discard-only (100::/64), local-use NAT64
 * (64:ff9b:1::/48, whose IPv4 sits where the operator chose), SRv6 (5f00::/16), unique local
 * (fc00::/7), link-local (fe80::/10), site-local (fec0::/10), multicast (ff00::/8) and the unassigned
 * rest. These are refused inside it.
 */
const forbiddenGlobalIPv6 = ranges([
  '2001:2::/48', // benchmarking
  '2001:10::/28', // ORCHID, deprecated
  '2001:20::/28', // ORCHIDv2
  '2001:db8::/32', // documentation
  '3fff::/20', // documentation
]);
const globalUnicast = ranges(['2000::/3']);

const ipv4Mapped = ranges(['::ffff:0:0/96']);
const ipv4Translated = ranges(['::ffff:0:0:0/96']); // SIIT
const nat64 = ranges(['64:ff9b::/96']);
const sixToFour = ranges(['2002::/16']);
const teredo = ranges(['2001::/32']);

/**
 * Private, loopback, link-local, reserved and other non-public addresses; `address` is an IP
 * literal (brackets allowed), anything else is not judged here. An IPv6 address that carries an
 * IPv4 one (IPv4-mapped `::ffff:10.0.0.1` or `::ffff:a00:1`, IPv4-translated, NAT64 `64:ff9b::/96`,
 * 6to4 `2002::/16`, Teredo `2001::/32` with its server and its XOR-obfuscated client) is judged by
 * that IPv4 address: each of them is a way to reach it.
 */
export function isForbiddenAddress(address: string): boolean {
  const bytes = parseAddress(address);
  if (bytes === undefined) return false;
  if (bytes.length === 4) return isForbiddenIPv4(bytes);
  const carried = carriedIPv4(bytes);
  if (carried.length > 0) return carried.some(isForbiddenIPv4);
  return !within(bytes, globalUnicast) || within(bytes, forbiddenGlobalIPv6);
}

/**
 * This machine: loopback, unspecified (which connects to the local host) or one of its interfaces'
 * addresses, also in IPv4-mapped form. Interfaces are read on each call, so an address gained since
 * start-up counts.
 */
export function isOwnAddress(address: string): boolean {
  const bytes = parseAddress(address);
  if (bytes === undefined) return false;
  const local = localForm(bytes);
  if (local.length === 4 && (local[0] === 127 || local[0] === 0)) return true;
  if (local.length === 16 && local.slice(0, 15).every((byte) => byte === 0) && (local[15] ?? 0) <= 1) {
    return true; // `::` and `::1`
  }
  const key = local.join('.');
  return Object.values(networkInterfaces()).some((addresses) =>
    addresses?.some((candidate) => {
      const own = parseAddress(candidate.address);
      return own !== undefined && localForm(own).join('.') === key;
    }),
  );
}

function isForbiddenIPv4(bytes: AddressBytes): boolean {
  return within(bytes, forbiddenIPv4);
}

/** The IPv4 addresses an IPv6 address leads to by one of the standard embeddings, if any. */
function carriedIPv4(bytes: AddressBytes): AddressBytes[] {
  if (within(bytes, ipv4Mapped) || within(bytes, ipv4Translated) || within(bytes, nat64)) {
    return [bytes.slice(12, 16)];
  }
  if (within(bytes, sixToFour)) return [bytes.slice(2, 6)];
  if (within(bytes, teredo)) {
    const client = bytes.slice(12, 16).map((byte) => byte ^ 0xff);
    return [bytes.slice(4, 8), client];
  }
  return [];
}

/** The socket a mapped or translated address opens is an IPv4 one: compare in that form. */
function localForm(bytes: AddressBytes): AddressBytes {
  if (bytes.length === 16 && (within(bytes, ipv4Mapped) || within(bytes, ipv4Translated))) {
    return bytes.slice(12, 16);
  }
  return bytes;
}

function within(bytes: AddressBytes, candidates: readonly Range[]): boolean {
  return candidates.some(({ network, prefix }) => {
    if (network.length !== bytes.length) return false;
    for (let bit = 0; bit < prefix; bit += 8) {
      const mask = prefix - bit >= 8 ? 0xff : (0xff << (8 - (prefix - bit))) & 0xff;
      if (((bytes[bit / 8] ?? 0) & mask) !== ((network[bit / 8] ?? 0) & mask)) return false;
    }
    return true;
  });
}

function ranges(cidrs: readonly string[]): Range[] {
  return cidrs.map((cidr) => {
    const [network = '', prefix = ''] = cidr.split('/');
    const bytes = parseAddress(network);
    if (bytes === undefined) throw new Error(`${cidr} is not a network`);
    return { network: bytes, prefix: Number(prefix) };
  });
}

/** The bytes of an IP literal (`[::1]` and a zone such as `fe80::1%eth0` accepted), or undefined. */
function parseAddress(address: string): AddressBytes | undefined {
  const bare = (address.startsWith('[') ? address.slice(1, -1) : address).replace(/%.*$/, '');
  if (isIPv4(bare)) return bare.split('.').map(Number);
  if (!isIPv6(bare)) return undefined;
  // A trailing dotted quad (`::ffff:10.0.0.1`) is the last two groups.
  const hex = bare.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_match, a, b, c, d) =>
    [(Number(a) << 8) | Number(b), (Number(c) << 8) | Number(d)].map((group) => group.toString(16)).join(':'),
  );
  const [head = '', tail] = hex.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const zeros = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].flatMap((group) => {
    const value = Number.parseInt(group, 16);
    return [value >> 8, value & 0xff];
  });
}
