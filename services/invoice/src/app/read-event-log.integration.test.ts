import { randomUUID } from 'node:crypto';
import type { EventEnvelope } from '@fiscal/contracts';
import { createDatabase, type EmbeddedPostgres, openEmbeddedPostgres } from '@fiscal/kit/db';
import { appendToOutbox } from '@fiscal/kit/outbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InvoiceSchema } from '../adapters/invoice-rows.js';
import { type InvoiceShards, openInvoiceShards } from '../adapters/invoice-shards.js';
import { createPostgresEventLog } from '../adapters/postgres-event-log.js';
import { eventLogOf, readEventLog } from './read-event-log.js';

function event(subject: string, sequence: number): EventEnvelope {
  const type = sequence === 1 ? 'fiscal.invoice.created' : 'fiscal.invoice.validated';
  return {
    specversion: '1.0',
    id: randomUUID(),
    source: 'fiscal/invoice',
    type,
    subject,
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    dataschema: `urn:fiscal:schema:${type}:1.0`,
    data: {},
    sequence,
    tenant: 'org_a',
    partitionkey: subject,
  };
}

describe('the event log', () => {
  let embedded: EmbeddedPostgres;
  let shards: InvoiceShards;
  const recorded: EventEnvelope[][] = [[], []];

  beforeAll(async () => {
    embedded = await openEmbeddedPostgres();
    const databases = await Promise.all(
      ['invoice', 'invoice_1'].map((schema) =>
        createDatabase<InvoiceSchema>({ engine: 'pglite', embedded, schema }),
      ),
    );
    shards = await openInvoiceShards(databases);
    for (const [index, shard] of shards.all.entries()) {
      for (let invoice = 0; invoice < 4; invoice++) {
        const events = [event(`inv-${index}-${invoice}`, 1), event(`inv-${index}-${invoice}`, 2)];
        await appendToOutbox(shard.database.db, events);
        recorded[index]!.push(...events);
      }
    }
    // A published event stays in the log.
    await shards.all[0]!.database.db.updateTable('outbox').set({ published_at: new Date() }).execute();
  });
  afterAll(async () => {
    await embedded?.close();
  });

  it('pages through every shard, each in commit order, every event once', async () => {
    const pages: string[][] = [];
    let after: string | undefined;
    do {
      const page = await readEventLog(createPostgresEventLog(shards), { after, limit: 3 });
      pages.push(page.events.map((read) => read.id));
      after = page.next;
    } while (after);

    expect(pages.flat()).toEqual(recorded.flat().map((written) => written.id));
    expect(pages.every((page) => page.length <= 3)).toBe(true);
  });

  it('reads the same order every time', async () => {
    const first: string[] = [];
    for await (const read of eventLogOf(createPostgresEventLog(shards), { pageSize: 5 })) first.push(read.id);
    const second: string[] = [];
    for await (const read of eventLogOf(createPostgresEventLog(shards), { pageSize: 16 }))
      second.push(read.id);
    expect(second).toEqual(first);
    expect(first).toHaveLength(16);
  });

  it('refuses a position it did not hand out', async () => {
    await expect(readEventLog(createPostgresEventLog(shards), { after: '7:1', limit: 3 })).rejects.toThrow(
      RangeError,
    );
  });
});
