import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DocumentDownloadError } from '../domain/document/index.js';
import { createHttpDocumentFetcher, type HttpDocumentFetcherOptions } from './http-document-fetcher.js';

interface TestServer {
  origin: string;
  port: number;
  /** Requests received. */
  hits: number;
  /** TCP connections accepted. */
  connections: number;
}

const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

async function startServer(
  handler: (request: IncomingMessage, response: ServerResponse) => unknown,
): Promise<TestServer> {
  const server = createServer((request, response) => {
    state.hits++;
    void handler(request, response);
  });
  server.on('connection', () => {
    state.connections++;
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const state: TestServer = { origin: `http://127.0.0.1:${port}`, port, hits: 0, connections: 0 };
  cleanups.push(async () => {
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
  });
  return state;
}

function fetcherFor(server: TestServer | undefined, options: HttpDocumentFetcherOptions = {}) {
  const fetcher = createHttpDocumentFetcher({
    allowHosts: server ? [`127.0.0.1:${server.port}`] : [],
    connectTimeoutMs: 1_000,
    headersTimeoutMs: 2_000,
    bodyTimeoutMs: 2_000,
    ...options,
  });
  cleanups.push(() => fetcher.close());
  return fetcher;
}

async function downloadError(promise: Promise<unknown>): Promise<DocumentDownloadError> {
  const error = await promise.then(
    () => {
      throw new Error('expected the download to fail');
    },
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(DocumentDownloadError);
  return error as DocumentDownloadError;
}

/** Writes chunks until the client goes away (or 64 MiB, so a broken fetcher cannot hang the test). */
async function streamUntilClosed(response: ServerResponse, written: { bytes: number; closed: boolean }) {
  const closed = once(response, 'close').then(() => {
    written.closed = true;
  });
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  while (!response.destroyed && written.bytes < 64 * 1024 * 1024) {
    written.bytes += chunk.length;
    if (!response.write(chunk)) await Promise.race([once(response, 'drain'), closed]);
  }
  response.end();
}

describe('HTTP document fetcher', () => {
  it('returns the body byte for byte', async () => {
    const document = randomBytes(300 * 1024);
    const server = await startServer((_request, response) => response.end(document));
    const fetched = await fetcherFor(server).fetch(`${server.origin}/cfdi.xml`);
    expect(Buffer.from(fetched).equals(document)).toBe(true);
  });

  it.each([
    [404, true],
    [410, true],
    [400, true],
    [403, true],
    [429, false],
    [500, false],
    [503, false],
  ])('classifies an answer %i as http_status, permanent: %s', async (status, permanent) => {
    const server = await startServer((_request, response) => {
      response.statusCode = status;
      response.end('no such document');
    });
    const error = await downloadError(fetcherFor(server).fetch(`${server.origin}/missing.xml`));
    expect(error).toMatchObject({ code: 'http_status', permanent, status });
  });

  it('closes the connection of a failed answer with a large body instead of reading it', async () => {
    const written = { bytes: 0, closed: false };
    const server = await startServer((_request, response) => {
      response.statusCode = 503;
      void streamUntilClosed(response, written);
    });
    const error = await downloadError(fetcherFor(server).fetch(server.origin));
    expect(error).toMatchObject({ code: 'http_status', status: 503 });
    await vi.waitFor(() => expect(written.closed).toBe(true), { timeout: 2_000 });
    expect(written.bytes).toBeLessThan(64 * 1024 * 1024);
  });

  it('refuses a body whose declared length exceeds the cap without reading it', async () => {
    const written = { bytes: 0, closed: false };
    const server = await startServer((_request, response) => {
      response.setHeader('content-length', String(64 * 1024 * 1024));
      void streamUntilClosed(response, written);
    });
    const error = await downloadError(fetcherFor(server, { maxBytes: 1024 * 1024 }).fetch(server.origin));
    expect(error).toMatchObject({ code: 'too_large', permanent: true });
    await vi.waitFor(() => expect(written.closed).toBe(true), { timeout: 2_000 });
    expect(written.bytes).toBeLessThan(64 * 1024 * 1024);
  });

  it('stops reading a body without a declared length once it exceeds the cap', async () => {
    const written = { bytes: 0, closed: false };
    const server = await startServer((_request, response) => {
      void streamUntilClosed(response, written);
    });
    const error = await downloadError(fetcherFor(server, { maxBytes: 256 * 1024 }).fetch(server.origin));
    expect(error).toMatchObject({ code: 'too_large', permanent: true });
    await vi.waitFor(() => expect(written.closed).toBe(true), { timeout: 2_000 });
    expect(written.bytes).toBeLessThan(64 * 1024 * 1024);
  });

  it('accepts a body of exactly the cap', async () => {
    const document = randomBytes(64 * 1024);
    const server = await startServer((_request, response) => response.end(document));
    const fetched = await fetcherFor(server, { maxBytes: document.length }).fetch(server.origin);
    expect(fetched.byteLength).toBe(document.length);
  });

  it('follows up to maxRedirects redirects and fails on the next one', async () => {
    const server = await startServer((request, response) => {
      const hop = Number(request.url?.slice(1));
      if (hop === 3) return void response.end('<cfdi/>');
      response.writeHead(hop % 2 === 0 ? 302 : 307, { location: `/${hop + 1}` }).end();
    });
    const fetched = await fetcherFor(server, { maxRedirects: 3 }).fetch(`${server.origin}/0`);
    expect(Buffer.from(fetched).toString()).toBe('<cfdi/>');

    const error = await downloadError(fetcherFor(server, { maxRedirects: 2 }).fetch(`${server.origin}/0`));
    expect(error).toMatchObject({ code: 'too_many_redirects', permanent: true });
    expect(server.hits).toBe(4 + 3);
  });

  it('refuses a redirect to a loopback address that is not allowed, before connecting to it', async () => {
    const internal = await startServer((_request, response) => response.end('secret'));
    const server = await startServer((_request, response) => {
      response.writeHead(302, { location: `http://localhost:${internal.port}/admin` }).end();
    });
    const error = await downloadError(fetcherFor(server).fetch(server.origin));
    expect(error).toMatchObject({ code: 'forbidden_address', permanent: true });
    expect(internal.connections).toBe(0);
  });

  it('refuses a redirect to a scheme other than http and https', async () => {
    const server = await startServer((_request, response) => {
      response.writeHead(301, { location: 'file:///etc/passwd' }).end();
    });
    const error = await downloadError(fetcherFor(server).fetch(server.origin));
    expect(error).toMatchObject({ code: 'unsupported_scheme', permanent: true });
  });

  it('refuses private, loopback and link-local targets without connecting', async () => {
    const server = await startServer((_request, response) => response.end('secret'));
    const fetcher = fetcherFor(undefined);
    for (const url of [
      `http://127.0.0.1:${server.port}/`,
      `http://localhost:${server.port}/`,
      `http://[::ffff:127.0.0.1]:${server.port}/`,
      `http://2130706433:${server.port}/`,
      'http://[::1]/',
      'http://169.254.169.254/latest/meta-data/',
      'http://10.0.0.1/',
      'http://172.16.5.4/',
      'http://192.168.1.1/',
      'http://100.64.0.1/',
      'http://0.0.0.0/',
      'http://[fe80::1]/',
      'http://[fd00::1]/',
      'https://[::]/',
      'http://224.0.0.1/',
    ]) {
      const error = await downloadError(fetcher.fetch(url));
      expect(error, url).toMatchObject({ code: 'forbidden_address', permanent: true });
    }
    expect(server.connections).toBe(0);
  });

  it('allows a listed host only on the listed port', async () => {
    const server = await startServer((_request, response) => response.end('<cfdi/>'));
    const elsewhere = fetcherFor(undefined, { allowHosts: [`127.0.0.1:${server.port + 1}`] });
    expect(await downloadError(elsewhere.fetch(server.origin))).toMatchObject({ code: 'forbidden_address' });
    const listed = fetcherFor(undefined, { allowHosts: [`LocalHost:${server.port}`] });
    expect(Buffer.from(await listed.fetch(`http://localhost:${server.port}/`)).toString()).toBe('<cfdi/>');
  });

  it("opens only the scheme's default port of a host listed without one", async () => {
    const server = await startServer((_request, response) => response.end('<cfdi/>'));
    const fetcher = fetcherFor(undefined, { allowHosts: ['127.0.0.1', 'localhost'] });
    for (const url of [server.origin, `http://localhost:${server.port}/`]) {
      expect(await downloadError(fetcher.fetch(url)), url).toMatchObject({ code: 'forbidden_address' });
    }
    expect(server.connections).toBe(0);
  });

  it("refuses the platform's own ports on this machine even when listed, also through a redirect", async () => {
    const platform = await startServer((_request, response) => response.end('dead letters purged'));
    const redirecting = await startServer((_request, response) => {
      response.writeHead(302, { location: `http://127.0.0.1:${platform.port}/dead-letters/x/purge` }).end();
    });
    const fetcher = fetcherFor(undefined, {
      allowHosts: [
        `127.0.0.1:${platform.port}`,
        `localhost:${platform.port}`,
        `127.0.0.1:${redirecting.port}`,
      ],
      platformPorts: [platform.port],
    });
    for (const url of [
      `http://127.0.0.1:${platform.port}/dead-letters/x/purge`,
      `http://localhost:${platform.port}/`,
      `http://[::ffff:127.0.0.1]:${platform.port}/`,
      redirecting.origin,
    ]) {
      expect(await downloadError(fetcher.fetch(url)), url).toMatchObject({
        code: 'forbidden_address',
        permanent: true,
      });
    }
    expect(platform.connections).toBe(0);
  });

  it('refuses a malformed allowed host at creation', () => {
    expect(() => createHttpDocumentFetcher({ allowHosts: ['http://files.internal/'] })).toThrow(
      /allowed host/,
    );
  });

  it.each([
    ['sftp://files.example.com/cfdi.xml', 'unsupported_scheme'],
    ['ftp://files.example.com/cfdi.xml', 'unsupported_scheme'],
    ['not a url', 'invalid_url'],
  ])('refuses %s as %s', async (url, code) => {
    const error = await downloadError(fetcherFor(undefined).fetch(url));
    expect(error).toMatchObject({ code, permanent: true });
  });

  it('fails as a transient timeout when the headers do not come in time', async () => {
    const server = await startServer(() => undefined);
    const startedAt = performance.now();
    const error = await downloadError(fetcherFor(server, { headersTimeoutMs: 150 }).fetch(server.origin));
    expect(error).toMatchObject({ code: 'timeout', permanent: false });
    expect(performance.now() - startedAt).toBeLessThan(1_500);
  });

  it('fails as a transient timeout when the body trickles past its deadline', async () => {
    const server = await startServer((_request, response) => {
      const timer = setInterval(() => response.write('<'), 20);
      response.on('close', () => clearInterval(timer));
    });
    const error = await downloadError(fetcherFor(server, { bodyTimeoutMs: 200 }).fetch(server.origin));
    expect(error).toMatchObject({ code: 'timeout', permanent: false });
  });

  it('fails as a transient network error when the connection is refused', async () => {
    const server = await startServer(() => undefined);
    await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
    const error = await downloadError(fetcherFor(server).fetch(server.origin));
    expect(error).toMatchObject({ code: 'network', permanent: false });
  });

  it('fails as a transient network error when the host resets the connection', async () => {
    const server = await startServer((request) => request.socket.destroy());
    const error = await downloadError(fetcherFor(server).fetch(server.origin));
    expect(error).toMatchObject({ code: 'network', permanent: false });
  });

  it("gives the caller's cancellation back untouched", async () => {
    const server = await startServer(() => undefined);
    const caller = new AbortController();
    const download = fetcherFor(server).fetch(server.origin, caller.signal);
    await vi.waitFor(() => expect(server.hits).toBe(1), { timeout: 2_000 });
    const reason = new Error('shutting down');
    caller.abort(reason);
    await expect(download).rejects.toBe(reason);
  });
});
