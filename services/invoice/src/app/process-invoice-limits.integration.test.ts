import { readFileSync } from 'node:fs';
import { type CfdiReferences, loadCfdiReferences, maxProblemsKept, tooManyProblemsCode } from '@fiscal/cfdi';
import { sql } from 'kysely';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type InvoiceShards, openInvoiceShards } from '../adapters/invoice-shards.js';
import { createMemoryObjectStore } from '../adapters/memory-object-store.js';
import { createPostgresInvoiceRepository } from '../adapters/postgres-invoice-repository.js';
import { createProcessingInstruments } from '../adapters/prometheus-processing-instruments.js';
import { createTestShardDatabases, type TestShardDatabases } from '../adapters/testing/invoice-shards.js';
import { defaultCodec } from '../adapters/zlib-codecs.js';
import type { DocumentFetcher } from '../domain/document/index.js';
import {
  type InvoiceKey,
  type InvoiceRepository,
  maxReprocessings,
  submissionFromDocument,
} from '../domain/invoice/index.js';
import { createInvoicesHandler } from './create-invoices.js';
import { processInvoiceHandler } from './process-invoice.js';
import { reprocessInvoiceHandler } from './reprocess-invoice.js';

const validDocument = readFileSync(
  new URL('../../../../fixtures/cfdi/cfdiutils-cfdi40-valid.xml', import.meta.url),
);
const validSubmission = submissionFromDocument(validDocument.toString('utf8')).submission!;

/** 400 KB: a Comprobante followed by 100,000 empty elements, each a problem of its own. */
const hostileDocument = `<cfdi:Comprobante xmlns:cfdi="http://www.sat.gob.mx/cfd/4" Version="4.0">${'<x/>'.repeat(100_000)}</cfdi:Comprobante>`;

describe('processing a document with a problem per element (PGlite shards)', () => {
  let test: TestShardDatabases;
  let shards: InvoiceShards;
  let invoices: InvoiceRepository;

  beforeAll(async () => {
    test = await createTestShardDatabases('pglite', 1);
    shards = await openInvoiceShards(test.databases);
    invoices = createPostgresInvoiceRepository(shards);
  });
  afterAll(async () => {
    await test?.dispose();
  });

  const clock = () => new Date('2026-11-24T12:00:00Z');
  const unused: DocumentFetcher = {
    fetch: () => Promise.reject(new Error('an inline document is not downloaded')),
  };
  const processor = async (references: CfdiReferences) =>
    processInvoiceHandler({
      invoices,
      fetcher: unused,
      objects: createMemoryObjectStore(),
      codec: defaultCodec,
      instruments: createProcessingInstruments(new Registry()),
      logger: pino({ level: 'silent' }),
      clock,
      leaseMs: 60_000,
      maxAttempts: 3,
      allowUnstamped: false,
      references,
    });

  async function submitInline(orgId: string, xml: string): Promise<InvoiceKey> {
    const create = createInvoicesHandler({ invoices, newId: uuidv7, clock });
    const [outcome] = await create({ orgId, submissions: [{ submission: { ...validSubmission, xml } }] });
    if (!outcome?.accepted) throw new Error('the submission was refused');
    return { orgId, id: outcome.invoice.id };
  }

  async function eventCount(key: InvoiceKey): Promise<number> {
    const invoice = await invoices.findById(key);
    const { rows } = await sql<{ count: string }>`
      select count(*) as count from outbox where envelope->>'subject' = ${key.id}`.execute(
      shards.forSlot(invoice!.slot).database.db,
    );
    return Number(rows[0]!.count);
  }

  it('rejects it keeping the first hundred problems and a count of the rest, on the invoice and its event', async () => {
    const key = await submitInline('org-1', hostileDocument);
    const process = await processor(await loadCfdiReferences({ certificateDir: '' }));

    expect(await process(key, { finalAttempt: false })).toBe('rejected');

    const invoice = await invoices.findById(key);
    expect(invoice?.outcome?.reason).toBe('validation_failed');
    const problems = invoice!.outcome!.problems;
    expect(problems).toHaveLength(maxProblemsKept + 1);
    expect(problems.at(-1)).toMatchObject({ code: tooManyProblemsCode });
    expect(Number(/^and (\d+) more/.exec(problems.at(-1)!.message)?.[1])).toBeGreaterThan(99_900);

    const database = shards.forSlot(invoice!.slot).database.db;
    const stored = await sql<{ bytes: number }>`
      select octet_length(problems::text) as bytes from invoices where id = ${key.id}`.execute(database);
    expect(stored.rows[0]!.bytes).toBeLessThan(20_000);
    const event = await sql<{ errors: unknown[]; bytes: number }>`
      select envelope->'data'->'errors' as errors, octet_length(envelope::text) as bytes
        from outbox where envelope->>'subject' = ${key.id} and envelope->>'type' = 'fiscal.invoice.rejected'`.execute(
      database,
    );
    expect(event.rows[0]!.errors).toEqual(problems);
    expect(event.rows[0]!.bytes).toBeLessThan(25_000);
  });

  it('reprocesses a failed invoice at most maxReprocessings times, so its events stop growing', async () => {
    const references = await loadCfdiReferences({ certificateDir: '' });
    // The stamp's PAC certificate is unknown: the invoice fails, and may be reprocessed.
    const process = await processor({ ...references, certificates: { find: () => undefined } as never });
    const key = await submitInline('org-2', validDocument.toString('utf8'));
    const reprocess = reprocessInvoiceHandler({ invoices, clock });
    expect(await process(key, { finalAttempt: false })).toBe('failed');
    for (let round = 0; round < maxReprocessings; round++) {
      await reprocess(key);
      expect(await process(key, { finalAttempt: false })).toBe('failed');
    }
    const events = await eventCount(key);

    await expect(reprocess(key)).rejects.toMatchObject({ kind: 'conflict', code: 'reprocess_limit_reached' });
    expect(await invoices.findById(key)).toMatchObject({ status: 'failed', reprocessings: maxReprocessings });
    expect(await eventCount(key)).toBe(events);
  });
});
