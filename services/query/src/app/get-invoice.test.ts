import { createMemoryCache } from '@fiscal/kit/cache';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { applyEvent, type InvoiceSummary, type SummaryStore } from '../domain/invoice-summary/index.js';
import { invoiceFacts, lifeOf } from '../testing/invoice-events.js';
import { getInvoiceHandler } from './get-invoice.js';
import { projectInvoiceEventsHandler } from './project-invoice-event.js';
import { createSummaryCache } from './summary-cache.js';

/** A summary store in memory that counts its reads. */
function countingStore() {
  const rows = new Map<string, InvoiceSummary>();
  const store: SummaryStore & { reads: number } = {
    reads: 0,
    async findById(orgId, id) {
      store.reads += 1;
      const row = rows.get(id);
      return row?.orgId === orgId ? row : undefined;
    },
    list: async () => ({ items: [] }),
    async applyOnce(events, fold) {
      for (const event of events) {
        const next = fold(rows.get(event.subject), [event]);
        if (next) rows.set(event.subject, next);
      }
      return events;
    },
  };
  return store;
}

describe('GetInvoice, cache-aside', () => {
  const facts = invoiceFacts(1);
  const [created, processing, ...rest] = lifeOf(facts, 'archived');

  it('reads the database once, then answers from the cache until the projector applies an event', async () => {
    const registry = new Registry();
    const store = countingStore();
    const cache = createSummaryCache(
      createMemoryCache({ name: 'invoice-summaries', registry, maxEntries: 10 }),
    );
    const project = projectInvoiceEventsHandler(store, cache);
    const getInvoice = getInvoiceHandler(store, cache);
    await project([created!]);

    expect(await getInvoice({ orgId: 'org_a', id: facts.id })).toMatchObject({ status: 'pending' });
    expect(await getInvoice({ orgId: 'org_a', id: facts.id })).toMatchObject({ status: 'pending' });
    expect(store.reads).toBe(1);
    const metrics = await registry.metrics();
    expect(metrics).toContain('cache_requests_total{cache="invoice-summaries",result="miss"} 1');
    expect(metrics).toContain('cache_requests_total{cache="invoice-summaries",result="hit"} 1');

    await project([processing!]);
    expect(await getInvoice({ orgId: 'org_a', id: facts.id })).toMatchObject({ status: 'processing' });
    expect(store.reads).toBe(2);
    await project(rest);
    expect(await getInvoice({ orgId: 'org_a', id: facts.id })).toEqual(
      [created!, processing!, ...rest].reduce<InvoiceSummary | undefined>(applyEvent, undefined),
    );
  });

  it('does not hand another organisation a summary it cached for the owner', async () => {
    const store = countingStore();
    const cache = createSummaryCache(
      createMemoryCache({ name: 'invoice-summaries', registry: new Registry(), maxEntries: 10 }),
    );
    await projectInvoiceEventsHandler(store, cache)([created!]);
    const getInvoice = getInvoiceHandler(store, cache);
    await getInvoice({ orgId: 'org_a', id: facts.id });

    await expect(getInvoice({ orgId: 'org_b', id: facts.id })).rejects.toMatchObject({
      code: 'invoice_not_found',
    });
  });
});
