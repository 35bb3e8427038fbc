import { createAllowList, ForbiddenAddress, guardedConnector, portOf } from '@fiscal/kit/net';
import { withSpan } from '@fiscal/kit/telemetry';
import { type Span, SpanKind } from '@opentelemetry/api';
import { Agent, buildConnector, type Dispatcher, request } from 'undici';
import { DocumentDownloadError, type DocumentFetcher } from '../domain/document/index.js';

export interface HttpDocumentFetcherOptions {
  /**
   * Hosts the private-address guard does not apply to (`FISCAL_FETCH_ALLOW_HOSTS`): a host name or an
   * IP, optionally with a port (`files.internal`, `10.0.0.7:8080`, `[fd00::1]:8443`); without a port
   * only the scheme's default port (80, 443) is open.
   */
  allowHosts?: readonly string[];
  /**
   * This process's own ports (HTTP, admin, gRPC), refused on this machine with the platform's default
   * ones, allow-list or not.
   */
  platformPorts?: readonly number[];
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
 * guard (`@fiscal/kit/net`) sits in the pool's connector, so it judges the address each socket
 * actually connects to, after DNS and on every redirect hop.
 */
export function createHttpDocumentFetcher(options: HttpDocumentFetcherOptions = {}): HttpDocumentFetcher {
  const settings = {
    maxBytes: options.maxBytes ?? 5 * 1024 * 1024,
    maxRedirects: options.maxRedirects ?? 3,
    connectTimeoutMs: options.connectTimeoutMs ?? 5_000,
    headersTimeoutMs: options.headersTimeoutMs ?? 10_000,
    bodyTimeoutMs: options.bodyTimeoutMs ?? 30_000,
  };
  const allowed = createAllowList(options.allowHosts ?? [], { platformPorts: options.platformPorts ?? [] });
  const agent = new Agent({
    connect: guardedConnector(buildConnector, allowed, settings.connectTimeoutMs),
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

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
