import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DocumentDownloadError } from '../domain/document/index.js';
import { createHttpDocumentFetcher } from './http-document-fetcher.js';
import {
  createResilientDocumentFetcher,
  type ResilientDocumentFetcherOptions,
} from './resilient-document-fetcher.js';

interface TestServer {
  origin: string;
  /** `host:port`, the key of the host's policy. */
  host: string;
  hits: number;
  /** Requests whose answer has not been sent yet. */
  pending: number;
  mostPending: number;
}

const cleanups: Array<() => Promise<void> | void> = [];
/** `host:port` of each server this test started: the fetcher may reach them on loopback. */
const startedHosts: string[] = [];

afterEach(async () => {
  vi.useRealTimers();
  startedHosts.splice(0);
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startServer(
  handler: (request: IncomingMessage, response: ServerResponse) => unknown,
): Promise<TestServer> {
  const server = createServer(async (request, response) => {
    state.hits++;
    state.pending++;
    state.mostPending = Math.max(state.mostPending, state.pending);
    response.on('close', () => state.pending--);
    await handler(request, response);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const state: TestServer = {
    origin: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    hits: 0,
    pending: 0,
    mostPending: 0,
  };
  startedHosts.push(state.host);
  cleanups.push(async () => {
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
  });
  return state;
}

/** A host that holds every answer until released. */
async function startSlowServer() {
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const server = await startServer(async (_request, response) => {
    await released;
    response.end('<slow/>');
  });
  cleanups.push(() => release());
  return { server, release };
}

const noDelay = { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 5 };

function resilientFetcher(options: Partial<ResilientDocumentFetcherOptions> = {}) {
  const fetcher = createHttpDocumentFetcher({ allowHosts: [...startedHosts] });
  cleanups.push(() => fetcher.close());
  const registry = new Registry();
  const resilient = createResilientDocumentFetcher({ fetcher, registry, retry: noDelay, ...options });
  return { fetcher: resilient, registry };
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

/** Value of one series, 0 when it does not exist yet; `series` picks a histogram's `_count` or `_sum`. */
async function metricValue(registry: Registry, name: string, labels: Record<string, string>, series = name) {
  const { values } = await registry.getSingleMetric(name)!.get();
  const found = values.find(
    (value) =>
      ((value as { metricName?: string }).metricName ?? name) === series &&
      Object.entries(labels).every(([label, expected]) => String(value.labels[label]) === expected),
  );
  return found?.value ?? 0;
}

const downloadsCounted = (registry: Registry, outcome: string) =>
  metricValue(registry, 'document_download_seconds', { outcome }, 'document_download_seconds_count');

/** `promise`, or a failure naming the deadline, so a starved download fails the test at once. */
async function within<T>(deadlineMs: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`not done within ${deadlineMs} ms`)), deadlineMs);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

const text = (document: Uint8Array) => Buffer.from(document).toString();

describe('resilient document fetcher', () => {
  it('retries a host that fails twice and returns the third answer', async () => {
    const server = await startServer((_request, response) => {
      response.statusCode = server.hits <= 2 ? 500 : 200;
      response.end('<cfdi/>');
    });
    const { fetcher, registry } = resilientFetcher();
    expect(text(await fetcher.fetch(`${server.origin}/cfdi.xml`))).toBe('<cfdi/>');
    expect(server.hits).toBe(3);
    expect(
      await metricValue(registry, 'resilience_retries_total', { policy: `document-host:${server.host}` }),
    ).toBe(2);
    expect(await downloadsCounted(registry, 'success')).toBe(1);
  });

  it('does not retry a permanent failure', async () => {
    const server = await startServer((_request, response) => {
      response.statusCode = 404;
      response.end();
    });
    const { fetcher } = resilientFetcher();
    const error = await downloadError(fetcher.fetch(`${server.origin}/missing.xml`));
    expect(error).toMatchObject({ code: 'http_status', status: 404, permanent: true });
    expect(server.hits).toBe(1);
  });

  it('opens the circuit of a failing host, fails fast while open, and closes after a good trial', async () => {
    let healthy = false;
    const server = await startServer((_request, response) => {
      response.statusCode = healthy ? 200 : 503;
      response.end('<cfdi/>');
    });
    const halfOpenAfterMs = 5_000;
    const { fetcher, registry } = resilientFetcher({
      retry: { maxAttempts: 1, initialDelayMs: 1, maxDelayMs: 1 },
      breaker: { consecutiveFailures: 2, halfOpenAfterMs },
    });
    const url = `${server.origin}/cfdi.xml`;
    const breakerState = () =>
      metricValue(registry, 'resilience_breaker_state', { policy: `document-host:${server.host}` });

    for (let failure = 0; failure < 2; failure++) {
      expect(await downloadError(fetcher.fetch(url))).toMatchObject({ code: 'http_status', status: 503 });
    }
    const fastFailure = await downloadError(fetcher.fetch(url));
    expect(fastFailure).toMatchObject({ code: 'circuit_open', permanent: false });
    expect(server.hits).toBe(2);
    expect(await breakerState()).toBe(2);

    healthy = true;
    // The breaker reads `Date.now()`: moving only the clock past the open period, not waiting it out.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + halfOpenAfterMs + 1);
    expect(text(await fetcher.fetch(url))).toBe('<cfdi/>');
    expect(await breakerState()).toBe(0);
    expect(text(await fetcher.fetch(url))).toBe('<cfdi/>');
    expect(server.hits).toBe(4);
  });

  it('keeps downloading from other hosts while a slow host holds all of its own slots', async () => {
    const slow = await startSlowServer();
    const fast = await startServer((_request, response) => response.end('<fast/>'));
    const { fetcher } = resilientFetcher({
      concurrency: 3,
      queue: 10,
      perHostConcurrency: 2,
      perHostQueue: 10,
    });

    const slowDownloads = Array.from({ length: 6 }, (_, index) => {
      const download = { settled: false, result: fetcher.fetch(`${slow.server.origin}/${index}.xml`) };
      download.result.finally(() => {
        download.settled = true;
      });
      return download;
    });
    await vi.waitFor(() => expect(slow.server.pending).toBe(2), { timeout: 2_000 });

    const fastDocuments = await within(
      2_000,
      Promise.all(Array.from({ length: 5 }, (_, index) => fetcher.fetch(`${fast.origin}/${index}.xml`))),
    );
    expect(fastDocuments.map(text)).toEqual(Array(5).fill('<fast/>'));
    expect(slowDownloads.some((download) => download.settled)).toBe(false);

    slow.release();
    expect((await Promise.all(slowDownloads.map((download) => download.result))).map(text)).toEqual(
      Array(6).fill('<slow/>'),
    );
    expect(slow.server.mostPending).toBe(2);
  });

  it('refuses a download at once when the worker-wide slots and queue are full', async () => {
    const slow = await startSlowServer();
    const { fetcher, registry } = resilientFetcher({ concurrency: 1, queue: 1, perHostConcurrency: 5 });
    const running = fetcher.fetch(`${slow.server.origin}/1.xml`);
    const queued = fetcher.fetch(`${slow.server.origin}/2.xml`);
    await vi.waitFor(() => expect(slow.server.pending).toBe(1), { timeout: 2_000 });

    const error = await downloadError(fetcher.fetch(`${slow.server.origin}/3.xml`));
    expect(error).toMatchObject({ code: 'bulkhead_full', permanent: false });
    expect(
      await metricValue(registry, 'resilience_bulkhead_rejected_total', { policy: 'document-download' }),
    ).toBe(1);
    expect(
      await metricValue(registry, 'resilience_retries_total', {
        policy: `document-host:${slow.server.host}`,
      }),
    ).toBe(0);

    slow.release();
    await Promise.all([running, queued]);
    expect(slow.server.hits).toBe(2);
  });

  it("refuses a download at once when the host's slots and queue are full", async () => {
    const slow = await startSlowServer();
    const { fetcher } = resilientFetcher({ perHostConcurrency: 1, perHostQueue: 0 });
    const running = fetcher.fetch(`${slow.server.origin}/1.xml`);
    const error = await downloadError(fetcher.fetch(`${slow.server.origin}/2.xml`));
    expect(error).toMatchObject({ code: 'bulkhead_full', permanent: false });
    slow.release();
    await running;
  });

  it('cuts an attempt short at timeoutMs and reports a transient timeout', async () => {
    const slow = await startSlowServer();
    const { fetcher, registry } = resilientFetcher({
      timeoutMs: 50,
      retry: { maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 1 },
    });
    const error = await downloadError(fetcher.fetch(`${slow.server.origin}/cfdi.xml`));
    expect(error).toMatchObject({ code: 'timeout', permanent: false });
    expect(slow.server.hits).toBe(2);
    expect(await downloadsCounted(registry, 'timeout')).toBe(1);
  });

  it("gives the caller's cancellation back untouched", async () => {
    const slow = await startSlowServer();
    const { fetcher } = resilientFetcher();
    const caller = new AbortController();
    const download = fetcher.fetch(`${slow.server.origin}/cfdi.xml`, caller.signal);
    await vi.waitFor(() => expect(slow.server.pending).toBe(1), { timeout: 2_000 });
    const reason = new Error('shutting down');
    caller.abort(reason);
    await expect(download).rejects.toBe(reason);
  });
});
