import type { EventEnvelope } from '@fiscal/contracts';
import { describe, expect, it } from 'vitest';
import { applyEvent, type InvoiceSummary } from './invoice-summary.js';

function event(type: string, sequence: number, data: object = {}): EventEnvelope {
  return {
    specversion: '1.0',
    id: `event-${sequence}`,
    source: 'fiscal/invoice',
    type,
    subject: 'inv-1',
    time: `2026-11-24T12:00:0${sequence}.000Z`,
    datacontenttype: 'application/json',
    dataschema: `urn:fiscal:schema:${type}:1.0`,
    data,
    sequence,
    tenant: 'org-1',
    partitionkey: 'inv-1',
  };
}

const created = event('fiscal.invoice.created', 1, {
  uuid: '5c1a7a34-6f8b-4d5e-9b44-2f8f0a1e7c11',
  issuer: 'EKU9003173C9',
  receiver: 'CACX7605101P8',
  amount: '1160.00',
  currency: 'MXN',
  issuanceDate: '2026-11-20T10:00:00.000Z',
});
const validated = event('fiscal.invoice.validated', 2);
const archived = event('fiscal.invoice.archived', 3);

const fold = (events: EventEnvelope[]) =>
  events.reduce<InvoiceSummary | undefined>((summary, next) => applyEvent(summary, next), undefined);

describe('applyEvent', () => {
  it('builds a pending summary from the created event', () => {
    expect(fold([created])).toMatchObject({
      id: 'inv-1',
      orgId: 'org-1',
      status: 'pending',
      amount: '1160.00',
      sequence: 1,
    });
  });

  it('converges on the same summary whatever the order and duplication of delivery', () => {
    const ordered = fold([created, validated, archived]);
    const orders = [
      [archived, created, validated],
      [validated, archived, created, created],
      [created, archived, validated, validated, archived],
    ];
    for (const order of orders) {
      expect(fold(order)).toEqual(ordered);
    }
    expect(ordered).toMatchObject({ status: 'archived', sequence: 3, issuer: 'EKU9003173C9' });
  });

  it('never lets an older event overwrite a newer status', () => {
    const summary = fold([created, archived, validated]);
    expect(summary?.status).toBe('archived');
  });
});

describe('the verdict in the summary', () => {
  const problems = [{ code: 'download_http_status', path: '/fileUrl', message: 'the host answered 503' }];
  const failed = event('fiscal.invoice.failed', 3, {
    reason: 'download_failed',
    errors: problems,
    attempts: 5,
  });
  const requeued = event('fiscal.invoice.requeued', 4, { previousStatus: 'failed' });
  const archivedAgain = event('fiscal.invoice.archived', 6, {
    processingMs: 120,
    originalSize: 5000,
    compressedSize: 2400,
  });

  it('carries why an invoice failed, and forgets it once the invoice is requeued and archived', () => {
    expect(fold([created, failed])).toMatchObject({
      status: 'failed',
      outcomeReason: 'download_failed',
      problems,
    });
    expect(fold([created, failed, requeued])).toMatchObject({
      status: 'pending',
      outcomeReason: null,
      problems: [],
    });
    expect(fold([created, failed, requeued, archivedAgain])).toMatchObject({
      status: 'archived',
      outcomeReason: null,
      processingMs: 120,
      originalSize: 5000,
      compressedSize: 2400,
    });
  });

  it('an old verdict delivered late does not come back', () => {
    expect(fold([created, requeued, archivedAgain, failed])).toEqual(
      fold([created, failed, requeued, archivedAgain]),
    );
  });
});
