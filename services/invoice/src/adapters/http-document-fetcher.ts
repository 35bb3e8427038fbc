import { lookup as resolveHostName } from 'node:dns';
import { BlockList, isIP, isIPv6, type LookupFunction } from 'node:net';
import { withSpan } from '@fiscal/kit/telemetry';
import { type Span, SpanKind } from '@opentelemetry/api';
import { Agent, buildConnector, type Dispatcher, request } from 'undici';
import { DocumentDownloadError, type DocumentFetcher } from '../domain/document/index.js';

export interface HttpDocumentFetcherOptions {
  /**
   * Hosts the private-address guard does not apply to (`FISCAL_FETCH_ALLOW_HOSTS`): a host name or an
   * IP, optionally with a port (`files.internal`, `10.0.0.7:8080`, `[fd00::1]:443`); without a port
   * every port of that host is allowed.
   */
  allowHosts?: readonly string[];
  /** Largest body accepted, in bytes; 5 MiB by default. */
  maxBytes?: number;
  /** Redirects followed before giving up; 3 by default. */
  maxRedirects?: number;
  connectTimeoutMs?: number;
  /** From the request being sent to the last response header. */
  headersTimeoutMs?: number;
  /** For reading the whole body, not just the gap between two chunks, so a trickling host cannot stall us. */
  bodyTimeoutMs?: number;
}

export interface HttpDocumentFetcher extends DocumentFetcher {
  /** Closes the pooled connections; part of graceful shutdown. */
  close(): Promise<void>;
}

const redirectStatuses = new Set([301, 302, 303, 307, 308]);
/** A failure's body is read this far so its connection can be reused; a longer one is cut off. */
const discardLimitBytes = 16 * 1024;
const discardTimeoutMs = 1_000;

/**
 * Downloads documents over HTTP(S) with undici on a dedicated connection pool. The private-address
 * guard sits in the pool's connector, so it judges the address each socket actually connects to
 * (after DNS, on every redirect hop): a name that resolves to a public address when checked and to a
 * private one when used (DNS rebinding) has no window to slip through.
 */
export function createHttpDocumentFetcher(options: HttpDocumentFetcherOptions = {}): HttpDocumentFetcher {
  const settings = {
    maxBytes: options.maxBytes ?? 5 * 1024 * 1024,
    maxRedirects: options.maxRedirects ?? 3,
    connectTimeoutMs: options.connectTimeoutMs ?? 5_000,
    headersTimeoutMs: options.headersTimeoutMs ?? 10_000,
    bodyTimeoutMs: options.bodyTimeoutMs ?? 30_000,
  };
  const allowed = allowListOf(options.allowHosts ?? []);
  const agent = new Agent({
    connect: guardedConnector(allowed, settings.connectTimeoutMs),
    headersTimeout: settings.headersTimeoutMs,
    bodyTimeout: settings.bodyTimeoutMs,
  });

  async function fetchDocument(
    url: string,
    signal: AbortSignal | undefined,
    span: Span,
  ): Promise<Uint8Array> {
    let target = parseTarget(url);
    for (let redirects = 0; ; redirects++) {
      // Host and port only: the path and query of a signed URL are credentials.
      span.setAttributes({
        'server.address': target.hostname,
        'server.port': portOf(target.protocol, target.port),
      });
      const response = await send(target, signal);
      const { statusCode, headers, body } = response;
      span.setAttributes({ 'http.response.status_code': statusCode, 'document.redirects': redirects });
      if (statusCode >= 200 && statusCode < 300) {
        const document = await readCapped(response, target, settings, signal);
        span.setAttribute('document.size', document.byteLength);
        return document;
      }
      await discard(body);
      const location = headerValue(headers.location);
      if (redirectStatuses.has(statusCode) && location !== undefined) {
        if (redirects >= settings.maxRedirects) {
          throw new DocumentDownloadError(
            'too_many_redirects',
            `more than ${settings.maxRedirects} redirects`,
            true,
            { url: target.href, status: statusCode },
          );
        }
        target = parseTarget(location, target);
        continue;
      }
      throw statusError(statusCode, target);
    }
  }

  async function send(target: URL, signal: AbortSignal | undefined): Promise<Dispatcher.ResponseData> {
    try {
      return await request(target, {
        dispatcher: agent,
        method: 'GET',
        headers: { accept: 'application/xml, text/xml;q=0.9, */*;q=0.1', 'user-agent': 'fiscal-invoice' },
        signal,
      });
    } catch (error) {
      throw classifyFailure(error, target, signal);
    }
  }

  return {
    fetch(url, signal) {
      return withSpan(
        'GET',
        { kind: SpanKind.CLIENT, attributes: { 'http.request.method': 'GET' } },
        (span) => fetchDocument(url, signal, span),
      );
    },
    close: () => agent.close(),
  };
}

function parseTarget(location: string, base?: URL): URL {
  let target: URL;
  try {
    target = new URL(location, base);
  } catch (error) {
    throw new DocumentDownloadError('invalid_url', 'not a valid URL', true, { cause: error });
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    throw new DocumentDownloadError(
      'unsupported_scheme',
      `${target.protocol.slice(0, -1)} is not supported; only http and https are`,
      true,
      { url: target.href },
    );
  }
  return target;
}

function statusError(status: number, target: URL): DocumentDownloadError {
  // 429 and 5xx say "not now"; any other answer says the request itself is wrong and stays wrong.
  const transient = status === 429 || status >= 500;
  return new DocumentDownloadError('http_status', `the host answered ${status}`, !transient, {
    status,
    url: target.href,
  });
}

/** Thrown inside the body reader when its deadline passes; becomes a transient `timeout`. */
class BodyDeadlineExceeded extends Error {}

async function readCapped(
  { headers, body }: Dispatcher.ResponseData,
  target: URL,
  limits: { maxBytes: number; bodyTimeoutMs: number },
  signal: AbortSignal | undefined,
): Promise<Uint8Array> {
  const tooLarge = () =>
    new DocumentDownloadError('too_large', `the document exceeds ${limits.maxBytes} bytes`, true, {
      url: target.href,
    });
  const declaredLength = Number(headerValue(headers['content-length']));
  if (declaredLength > limits.maxBytes) {
    body.destroy();
    throw tooLarge();
  }
  const deadline = setTimeout(() => body.destroy(new BodyDeadlineExceeded()), limits.bodyTimeoutMs);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      size += chunk.byteLength;
      // Destroying the body aborts the request and closes its socket: the rest is never read.
      if (size > limits.maxBytes) {
        body.destroy();
        throw tooLarge();
      }
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof BodyDeadlineExceeded) {
      const message = `the body took longer than ${limits.bodyTimeoutMs} ms`;
      throw new DocumentDownloadError('timeout', message, false, { url: target.href });
    }
    throw classifyFailure(error, target, signal);
  } finally {
    clearTimeout(deadline);
  }
  return Buffer.concat(chunks, size);
}

/**
 * Frees the connection of an answer we do not use: a small body is read to the end so the connection
 * can serve the next request (the redirect's, often), a large or slow one is cut off.
 */
async function discard(body: Dispatcher.ResponseData['body']): Promise<void> {
  await body
    .dump({ limit: discardLimitBytes, signal: AbortSignal.timeout(discardTimeoutMs) })
    .catch(() => undefined);
}

const timeoutCodes = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

function classifyFailure(error: unknown, target: URL, signal: AbortSignal | undefined): unknown {
  // A cancellation is the caller's decision, not a download failure: it goes back untouched.
  if (signal?.aborted) return signal.reason ?? error;
  if (error instanceof DocumentDownloadError) return error;
  if (error instanceof ForbiddenAddress) {
    return new DocumentDownloadError(
      'forbidden_address',
      `${target.hostname} is a private, loopback or link-local address (${error.address})`,
      true,
      { url: target.href, cause: error },
    );
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && timeoutCodes.has(code)) {
    return new DocumentDownloadError('timeout', `${target.host} did not answer in time`, false, {
      url: target.href,
      cause: error,
    });
  }
  const reason = typeof code === 'string' ? ` (${code})` : '';
  return new DocumentDownloadError('network', `could not reach ${target.host}${reason}`, false, {
    url: target.href,
    cause: error,
  });
}

/** URLs and undici leave the port empty when it is the scheme's default. */
function portOf(protocol: string, port: string): number {
  return Number(port) || (protocol === 'https:' ? 443 : 80);
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

// ---------------------------------------------------------------------------------------------------
// The private-address guard

/** Raised by the connector before any packet leaves for a refused address. */
class ForbiddenAddress extends Error {
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

function isForbiddenAddress(address: string): boolean {
  return forbiddenRanges.check(address, isIPv6(address) ? 'ipv6' : 'ipv4');
}

interface AllowedHost {
  host: string;
  port?: number;
}

type AllowList = (host: string, port: number) => boolean;

function allowListOf(entries: readonly string[]): AllowList {
  const hosts = entries.map(parseAllowedHost);
  return (host, port) => {
    const normalized = normalizeHost(host);
    return hosts.some(
      (entry) => entry.host === normalized && (entry.port === undefined || entry.port === port),
    );
  };
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

/**
 * The pool's connector. An allowed host connects as usual; an IP literal is judged as it is; a name is
 * resolved by a lookup that refuses it when any of its addresses is forbidden, so the socket can only
 * ever be given an address that passed the check.
 */
function guardedConnector(allowed: AllowList, timeoutMs: number): buildConnector.connector {
  const connect = buildConnector({ timeout: timeoutMs });
  const connectResolvingSafely = buildConnector({ timeout: timeoutMs, lookup: safeLookup });
  return (target, callback) => {
    if (allowed(target.hostname, portOf(target.protocol, target.port))) return connect(target, callback);
    if (isIP(target.hostname) === 0) return connectResolvingSafely(target, callback);
    if (isForbiddenAddress(target.hostname)) {
      queueMicrotask(() => callback(new ForbiddenAddress(target.hostname), null));
      return;
    }
    connect(target, callback);
  };
}

/** Resolves like the system does, then refuses the name when any of its addresses is forbidden. */
const safeLookup: LookupFunction = (hostname, options, callback) => {
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
