import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CfdiReferences, loadCfdiReferences } from '@fiscal/cfdi';
import { sql } from 'kysely';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FileServer, startFileServer } from '../../../../tests/support/file-server.js';
import { createFsObjectStore } from '../adapters/fs-object-store.js';
import { createHttpDocumentFetcher } from '../adapters/http-document-fetcher.js';
import { type InvoiceShards, openInvoiceShards } from '../adapters/invoice-shards.js';
import { createPostgresInvoiceRepository } from '../adapters/postgres-invoice-repository.js';
import { createProcessingInstruments } from '../adapters/prometheus-processing-instruments.js';
import { createResilientDocumentFetcher } from '../adapters/resilient-document-fetcher.js';
import { createTestShardDatabases, type TestShardDatabases } from '../adapters/testing/invoice-shards.js';
import { codecByName, defaultCodec } from '../adapters/zlib-codecs.js';
import type { DocumentFetcher, ObjectStore } from '../domain/document/index.js';
import { type InvoiceKey, type InvoiceRepository, submissionFromDocument } from '../domain/invoice/index.js';
import { createInvoicesHandler } from './create-invoices.js';
import { getDocumentHandler } from './get-document.js';
import { processInvoiceHandler, processInvoicesHandler } from './process-invoice.js';
import { reprocessInvoiceHandler } from './reprocess-invoice.js';
import { resumeLapsedClaimsHandler } from './resume-lapsed-claims.js';

const fixture = (name: string) => readFileSync(new URL(`../../../../fixtures/cfdi/${name}`, import.meta.url));
const validDocument = fixture('cfdiutils-cfdi40-valid.xml');
const validSubmission = submissionFromDocument(validDocument.toString('utf8')).submission!;
const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');

describe('processing an invoice (PGlite shards, loopback file server, filesystem archive)', () => {
  let files: FileServer;
  let baseUrl: string;
  let test: TestShardDatabases;
  let shards: InvoiceShards;
  let invoices: InvoiceRepository;
  let objects: ObjectStore;
  let objectRoot: string;
  let fetcher: DocumentFetcher;
  let now = new Date('2026-11-24T12:00:00Z');
  const clock = () => now;
  const registry = new Registry();
  let references: CfdiReferences;
  /** The worker's log lines, parsed. */
  const logged: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logged.push(JSON.parse(line)) });

  beforeAll(async () => {
    files = await startFileServer();
    baseUrl = files.baseUrl;
    references = await loadCfdiReferences({ certificateDir: '' });
    test = await createTestShardDatabases('pglite', 2);
    shards = await openInvoiceShards(test.databases);
    invoices = createPostgresInvoiceRepository(shards);
    objectRoot = await mkdtemp(join(tmpdir(), 'fiscal-objects-'));
    objects = createFsObjectStore({ root: objectRoot });
    fetcher = createResilientDocumentFetcher({
      fetcher: createHttpDocumentFetcher({ allowHosts: [new URL(baseUrl).host], maxBytes: 64 * 1024 }),
      registry,
      retry: { maxAttempts: 3, initialDelayMs: 10, maxDelayMs: 50 },
      breaker: { consecutiveFailures: 50, halfOpenAfterMs: 1_000 },
    });
  });
  afterAll(async () => {
    await files?.close();
    await test?.dispose();
    await rm(objectRoot, { recursive: true, force: true });
  });

  const processor = (
    overrides: { fetcher?: DocumentFetcher; maxAttempts?: number; references?: CfdiReferences } = {},
  ) =>
    processInvoiceHandler({
      invoices,
      fetcher: overrides.fetcher ?? fetcher,
      objects,
      codec: defaultCodec,
      instruments: createProcessingInstruments(registry),
      logger,
      clock,
      leaseMs: 60_000,
      maxAttempts: overrides.maxAttempts ?? 3,
      allowUnstamped: false,
      references: overrides.references ?? references,
    });
  const process: ReturnType<typeof processor> = (key, options) => processor()(key, options);
  const batchProcessor = () =>
    processInvoicesHandler({
      invoices,
      fetcher,
      objects,
      codec: defaultCodec,
      instruments: createProcessingInstruments(registry),
      logger,
      clock,
      leaseMs: 60_000,
      maxAttempts: 3,
      allowUnstamped: false,
      references,
    });

  async function submit(document: { fileUrl?: string; xml?: string; checksum?: string }, changes = {}) {
    const create = createInvoicesHandler({ invoices, newId: uuidv7, clock });
    const submission = {
      ...validSubmission,
      uuid: crypto.randomUUID(),
      xml: undefined,
      ...document,
      ...changes,
    };
    const [outcome] = await create({ orgId: 'org-1', submissions: [{ submission }] });
    if (!outcome?.accepted) throw new Error(JSON.stringify(outcome?.error.errors));
    return { orgId: 'org-1', id: outcome.invoice.id };
  }

  /** The document with the stamp UUID the invoice declares, so each test has its own fiscal UUID. */
  async function submitValid(path: string, changes = {}) {
    files.serve(path, validDocument);
    const key = await submit(
      { fileUrl: `${baseUrl}${path}`, checksum: sha256(validDocument) },
      { uuid: validSubmission.uuid, ...changes },
    );
    return key;
  }

  async function eventTypes(key: InvoiceKey) {
    const shard = shards.forSlot(Number.parseInt(key.id.slice(-3), 16));
    const { rows } = await sql<{ type: string }>`
      select type from outbox where envelope->>'subject' = ${key.id} order by id`.execute(shard.database.db);
    return rows.map((row) => row.type);
  }

  async function lastEventData(key: InvoiceKey) {
    const shard = shards.forSlot(Number.parseInt(key.id.slice(-3), 16));
    const { rows } = await sql<{ data: unknown }>`
      select envelope->'data' as data from outbox where envelope->>'subject' = ${key.id}
       order by id desc limit 1`.execute(shard.database.db);
    return rows[0]?.data;
  }

  it('claims a document to download even on its first delivery, and announces it', async () => {
    files.serve('/first-delivery.xml', validDocument);
    const key = await submitInOtherOrg('/first-delivery.xml');
    const reports = await batchProcessor()([{ key, finalAttempt: false, firstDelivery: true }]);
    expect(reports).toEqual([{ result: 'archived' }]);
    expect(await eventTypes(key)).toEqual([
      'fiscal.invoice.created',
      'fiscal.invoice.processing_started',
      'fiscal.invoice.validated',
      'fiscal.invoice.archived',
    ]);
  });

  it('downloads, checks, validates, compresses and archives a valid document', async () => {
    const key = await submitValid('/valid.xml');
    expect(await process(key, { finalAttempt: false })).toBe('archived');

    const invoice = await invoices.findById(key);
    expect(invoice).toMatchObject({ status: 'archived', claim: null, outcome: null });
    expect(invoice?.archive?.storageKey).toBe(
      `org-1/EKU9003173C9/${invoice!.issuanceDate.slice(0, 4)}/${invoice!.issuanceDate.slice(5, 7)}/${invoice!.uuid}.xml.${defaultCodec.name}`,
    );
    expect(invoice?.archive?.originalSize).toBe(validDocument.byteLength);
    const stored = await objects.get(invoice!.archive!.storageKey);
    expect(stored!.byteLength).toBe(invoice!.archive!.compressedSize);
    expect(Buffer.from(await defaultCodec.decompress(stored!)).equals(validDocument)).toBe(true);
    expect(await eventTypes(key)).toEqual([
      'fiscal.invoice.created',
      'fiscal.invoice.processing_started',
      'fiscal.invoice.validated',
      'fiscal.invoice.archived',
    ]);
    const original = await getDocumentHandler({ invoices, objects, codecByName })(key);
    expect(Buffer.from(original.content).equals(validDocument)).toBe(true);
    // Every step was timed (and traced) on the way.
    const stepCounts = (await registry.getMetricsAsJSON())
      .find((metric) => metric.name === 'invoice_processing_step_seconds')
      ?.values.filter(
        (value) => (value as { metricName?: string }).metricName === 'invoice_processing_step_seconds_count',
      )
      .map((value) => value.labels.step);
    expect(new Set(stepCounts)).toEqual(
      new Set(['claim', 'download', 'checksum', 'validate', 'compress', 'store']),
    );
  });

  it('archives an inline document with a byte-order mark, and gives back the same bytes', async () => {
    const xml = `\uFEFF${validDocument.toString('utf8')}`;
    const create = createInvoicesHandler({ invoices, newId: uuidv7, clock });
    const [outcome] = await create({
      orgId: 'org-bom',
      submissions: [{ submission: { ...validSubmission, xml } }],
    });
    if (!outcome?.accepted) throw outcome?.error;
    const key = { orgId: 'org-bom', id: outcome.invoice.id };
    expect(await process(key, { finalAttempt: false })).toBe('archived');
    const original = await getDocumentHandler({ invoices, objects, codecByName })(key);
    expect(Buffer.from(original.content).subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(Buffer.from(original.content).equals(Buffer.from(xml, 'utf8'))).toBe(true);
    expect(original.checksum).toBe(sha256(Buffer.from(xml, 'utf8')));
  });

  it('a stamp whose PAC certificate is unknown fails the invoice at once; with the certificate added, reprocessing archives it', async () => {
    const key = await submitInOtherOrg('/valid.xml');
    const withoutCertificates = processor({
      references: { ...references, certificates: { find: () => undefined } as never },
    });
    expect(await withoutCertificates(key, { finalAttempt: false })).toBe('failed');
    expect(await invoices.findById(key)).toMatchObject({
      status: 'failed',
      processingAttempts: 1,
      outcome: { reason: 'stamp_unverifiable', problems: [{ code: 'stamp_unverifiable' }] },
    });
    await reprocessInvoiceHandler({ invoices, clock })(key);
    expect(await process(key, { finalAttempt: false })).toBe('archived');
  });

  it('rejects a valid CFDI whose seal was broken after signing', async () => {
    const tampered = Buffer.from(
      validDocument.toString('utf8').replace('LugarExpedicion="', 'LugarExpedicion="0'),
      'utf8',
    );
    files.serve('/tampered-seal.xml', tampered);
    const key = await submit(
      { fileUrl: `${baseUrl}/tampered-seal.xml`, checksum: sha256(tampered) },
      { uuid: crypto.randomUUID() },
    );
    expect(await process(key, { finalAttempt: false })).toBe('rejected');
    const codes = (await invoices.findById(key))?.outcome?.problems.map((problem) => problem.code);
    expect(codes).toContain('CFDI40102');
  });

  it('rejects a document whose bytes do not match the declared checksum', async () => {
    files.serve('/tampered.xml', Buffer.concat([validDocument, Buffer.from('\n')]));
    const key = await submit({ fileUrl: `${baseUrl}/tampered.xml`, checksum: sha256(validDocument) });
    expect(await process(key, { finalAttempt: false })).toBe('rejected');
    expect(await invoices.findById(key)).toMatchObject({
      status: 'rejected',
      outcome: { reason: 'checksum_mismatch', problems: [{ code: 'checksum_mismatch', path: '/checksum' }] },
    });
    expect((await eventTypes(key)).at(-1)).toBe('fiscal.invoice.rejected');
    expect(await lastEventData(key)).toMatchObject({
      reason: 'checksum_mismatch',
      issuer: validSubmission.issuer,
      amount: validSubmission.amount,
      currency: validSubmission.currency,
      processingMs: expect.any(Number),
    });
  });

  it('rejects at once when the host answers 404', async () => {
    const key = await submit({ fileUrl: `${baseUrl}/missing.xml`, checksum: sha256('x') });
    expect(await process(key, { finalAttempt: false })).toBe('rejected');
    expect(files.hits.get('/missing.xml')).toBe(1);
    expect(await invoices.findById(key)).toMatchObject({
      status: 'rejected',
      outcome: { reason: 'download_failed', problems: [{ code: 'download_http_status', path: '/fileUrl' }] },
    });
  });

  /** All a client sees of a decided invoice: its outcome, and the data of its last event. */
  async function clientView(key: InvoiceKey): Promise<string> {
    const invoice = await invoices.findById(key);
    return JSON.stringify({ outcome: invoice?.outcome, event: await lastEventData(key) });
  }

  const logLine = (key: InvoiceKey, message: string) =>
    logged.find((line) => line.invoiceId === key.id && line.msg === message);

  it('tells the client the status a host answered, in a stable sentence', async () => {
    const key = await submit({ fileUrl: `${baseUrl}/nowhere.xml`, checksum: sha256('x') });
    expect(await process(key, { finalAttempt: false })).toBe('rejected');
    expect((await invoices.findById(key))?.outcome?.problems).toEqual([
      {
        code: 'download_http_status',
        path: '/fileUrl',
        message: 'The document could not be downloaded: the server answered 404',
      },
    ]);
    expect(logLine(key, 'document download failed')).toMatchObject({ code: 'http_status', status: 404 });
  });

  it('a redirect to an address that is not allowed: the client learns only that, the log says where it led', async () => {
    files.route('/to-loopback.xml', (_request, response) => {
      response.writeHead(302, { location: 'http://127.0.0.2:9/internal/secret.xml' }).end();
    });
    const key = await submit({ fileUrl: `${baseUrl}/to-loopback.xml`, checksum: sha256('x') });
    expect(await process(key, { finalAttempt: false })).toBe('rejected');
    const seen = await clientView(key);
    expect(seen).toContain('The document could not be downloaded: the address is not allowed');
    expect(seen).not.toMatch(/127\.0\.0\.2|internal|secret/);
    expect(logLine(key, 'document download failed')).toMatchObject({
      level: 40,
      orgId: key.orgId,
      code: 'forbidden_address',
      host: '127.0.0.2:9',
      detail: expect.stringContaining('127.0.0.2'),
    });
  });

  it('a redirected document that does not match its checksum: the client sees no digest, the log has it', async () => {
    const other = Buffer.concat([validDocument, Buffer.from('<!-- another page -->')]);
    files.serve('/elsewhere.xml', other);
    files.route('/moved.xml', (_request, response) => {
      response.writeHead(301, { location: '/elsewhere.xml' }).end();
    });
    const key = await submit({ fileUrl: `${baseUrl}/moved.xml`, checksum: sha256(validDocument) });
    expect(await process(key, { finalAttempt: false })).toBe('rejected');
    const seen = await clientView(key);
    expect(seen).toContain('The downloaded document does not match the declared SHA-256 checksum');
    expect(seen).not.toContain(sha256(other));
    expect(seen).not.toMatch(/elsewhere/);
    expect(logLine(key, 'downloaded document does not match its declared checksum')).toMatchObject({
      declared: sha256(validDocument),
      actual: sha256(other),
    });
  });

  it('a document over the size cap: the client is not told the limit or the size, the log is', async () => {
    files.serve('/oversized.xml', Buffer.alloc(100 * 1024, 'a'));
    const key = await submit({ fileUrl: `${baseUrl}/oversized.xml`, checksum: sha256('x') });
    expect(await process(key, { finalAttempt: false })).toBe('rejected');
    const seen = await clientView(key);
    expect(seen).toContain('The document could not be downloaded: it is larger than the limit');
    expect(seen).not.toMatch(/65536|102400|64 ?KiB|bytes/);
    expect(logLine(key, 'document download failed')).toMatchObject({
      code: 'too_large',
      detail: expect.stringContaining(String(64 * 1024)),
    });
  });

  it('an inline document that does not match its checksum is told both digests: they are its own', async () => {
    const xml = validDocument.toString('utf8');
    const key = await submit({ xml, checksum: sha256('something else') });
    expect(await process(key, { finalAttempt: false })).toBe('rejected');
    expect(await clientView(key)).toContain(sha256(validDocument));
  });

  it('retries a host that answers 500 twice, then archives', async () => {
    let calls = 0;
    files.route('/flaky.xml', (_request, response) => {
      calls += 1;
      if (calls <= 2) response.writeHead(500).end('try later');
      else response.writeHead(200).end(validDocument);
    });
    const key = await submitInOtherOrg('/flaky.xml');
    expect(await process(key, { finalAttempt: false })).toBe('archived');
    expect(calls).toBe(3);
  });

  let organisations = 0;
  async function submitInOtherOrg(path: string) {
    organisations += 1;
    const create = createInvoicesHandler({ invoices, newId: uuidv7, clock });
    const submission = {
      ...validSubmission,
      xml: undefined,
      fileUrl: `${baseUrl}${path}`,
      checksum: sha256(validDocument),
    };
    const [outcome] = await create({ orgId: `org-x${organisations}`, submissions: [{ submission }] });
    if (!outcome?.accepted) throw outcome?.error;
    return { orgId: `org-x${organisations}`, id: outcome.invoice.id };
  }

  it('a host that keeps failing: the claim is released for the bus to retry, the last attempt fails it, reprocessing archives it', async () => {
    let healthy = false;
    files.route('/down.xml', (_request, response) => {
      if (healthy) response.writeHead(200).end(validDocument);
      else response.writeHead(503).end();
    });
    const key = await submitInOtherOrg('/down.xml');
    expect(await process(key, { finalAttempt: false })).toBe('retry');
    const released = await invoices.findById(key);
    expect(released).toMatchObject({ status: 'processing', processingAttempts: 1 });
    expect(Date.parse(released!.claim!.expiresAt)).toBeLessThanOrEqual(now.getTime());

    expect(await process(key, { finalAttempt: true })).toBe('failed');
    expect(await invoices.findById(key)).toMatchObject({
      status: 'failed',
      outcome: { reason: 'download_failed', problems: [{ code: 'download_http_status' }] },
    });
    expect(await eventTypes(key)).toContain('fiscal.invoice.failed');

    healthy = true;
    const requeued = await reprocessInvoiceHandler({ invoices, clock })(key);
    expect(requeued).toMatchObject({ status: 'pending', processingAttempts: 0 });
    expect(await process(key, { finalAttempt: false })).toBe('archived');
    await expect(reprocessInvoiceHandler({ invoices, clock })(key)).rejects.toMatchObject({
      code: 'invoice_not_reprocessable',
    });
  });

  it('rejects a document over the size cap', async () => {
    const huge = Buffer.alloc(200 * 1024, 'a');
    files.serve('/huge.xml', huge);
    const key = await submit({ fileUrl: `${baseUrl}/huge.xml`, checksum: sha256(huge) });
    expect(await process(key, { finalAttempt: false })).toBe('rejected');
    expect(await invoices.findById(key)).toMatchObject({
      outcome: { reason: 'download_failed', problems: [{ code: 'download_too_large' }] },
    });
  });

  it.each([
    [
      'an external entity (XXE)',
      '<?xml version="1.0"?><!DOCTYPE c [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><c>&xxe;</c>',
    ],
    [
      'billion laughs',
      `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">${Array.from(
        { length: 9 },
        (_, n) => `<!ENTITY lol${n + 1} "${`&lol${n === 0 ? '' : n};`.repeat(10)}">`,
      ).join('')}]><lolz>&lol9;</lolz>`,
    ],
  ])('rejects %s without expanding it', async (_case, xml) => {
    const key = await submit({ xml });
    expect(await process(key, { finalAttempt: false })).toBe('rejected');
    expect(await invoices.findById(key)).toMatchObject({
      outcome: { reason: 'validation_failed', problems: [{ code: 'xml_doctype_forbidden' }] },
    });
  });

  it('rejects a valid CFDI whose declared total differs from the document', async () => {
    const key = await submitInOtherOrg('/valid.xml');
    await invoices.update(key, (invoice) => ({
      invoice: { ...invoice, amount: '1.00', version: invoice.version + 1 },
      events: [],
    }));
    expect(await process(key, { finalAttempt: false })).toBe('rejected');
    const invoice = await invoices.findById(key);
    expect(invoice?.outcome?.problems.map((problem) => problem.code)).toContain('declared_total_mismatch');
  });

  it('a duplicated delivery processes once: one archive, one set of events', async () => {
    const key = await submitInOtherOrg('/valid.xml');
    const results = await Promise.all([
      process(key, { finalAttempt: false }),
      process(key, { finalAttempt: false }),
      process(key, { finalAttempt: false }),
    ]);
    expect(results.sort()).toEqual(['archived', 'skipped', 'skipped']);
    expect(await process(key, { finalAttempt: false })).toBe('skipped');
    expect(await eventTypes(key)).toEqual([
      'fiscal.invoice.created',
      'fiscal.invoice.processing_started',
      'fiscal.invoice.validated',
      'fiscal.invoice.archived',
    ]);
  });

  it('a processor that dies mid-download: its claim lapses, another resumes it, and it is archived once', async () => {
    const key = await submitInOtherOrg('/valid.xml');
    // The first processor hangs in its download, as a killed worker would, forever.
    let releaseHung!: () => void;
    const hung = new Promise<void>((resolve) => {
      releaseHung = resolve;
    });
    const hanging: DocumentFetcher = {
      fetch: async (url) => {
        await hung;
        return fetcher.fetch(url);
      },
    };
    const dead = processor({ fetcher: hanging })(key, { finalAttempt: false });
    await expect.poll(async () => (await invoices.findById(key))?.status).toBe('processing');

    const resume = resumeLapsedClaimsHandler({ invoices, process: batchProcessor(), clock });
    expect(await resume()).toBe(0); // the claim still holds
    now = new Date(now.getTime() + 61_000);
    expect(await resume()).toBe(1);
    expect(await invoices.findById(key)).toMatchObject({ status: 'archived', processingAttempts: 2 });

    // The first processor wakes up late: its claim is gone, so it decides nothing.
    releaseHung();
    expect(await dead).toBe('skipped');
    const types = await eventTypes(key);
    expect(types.filter((type) => type === 'fiscal.invoice.archived')).toHaveLength(1);
    expect(types.filter((type) => type === 'fiscal.invoice.processing_started')).toHaveLength(2);
  });

  it('an invoice whose claims keep lapsing ends failed instead of looping', async () => {
    const key = await submitInOtherOrg('/valid.xml');
    const never: DocumentFetcher = { fetch: () => new Promise(() => {}) };
    const stuck = processor({ fetcher: never, maxAttempts: 2 });
    for (let attempt = 0; attempt < 2; attempt++) {
      void stuck(key, { finalAttempt: false });
      await expect.poll(async () => (await invoices.findById(key))?.processingAttempts).toBe(attempt + 1);
      now = new Date(now.getTime() + 61_000);
    }
    expect(await stuck(key, { finalAttempt: false })).toBe('failed');
    expect(await invoices.findById(key)).toMatchObject({
      status: 'failed',
      outcome: { reason: 'processing_failed', problems: [{ code: 'processing_abandoned' }] },
    });
  });
});
