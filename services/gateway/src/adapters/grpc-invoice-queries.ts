import { createClient, type Transport } from '@connectrpc/connect';
import { type InvoiceSummary, QueryService } from '@fiscal/contracts/rpc/query';
import type { Policy } from '@fiscal/kit/resilience';
import type { InvoiceQueries, InvoiceView } from '../app/upstreams.js';
import { callUpstream } from './call-upstream.js';

/** The query service's reads over gRPC, behind the upstream's breaker and bulkhead. */
export function createGrpcInvoiceQueries(transport: Transport, policy: Policy): InvoiceQueries {
  const client = createClient(QueryService, transport);
  return {
    async get(requester, id) {
      const { invoice } = await callUpstream(policy, requester, (options) =>
        client.getInvoice({ id }, options),
      );
      return toInvoiceView(invoice!);
    },
    async list(requester, filter) {
      const { items, nextCursor } = await callUpstream(policy, requester, (options) =>
        client.listInvoices({ ...filter, limit: filter.limit ?? 0 }, options),
      );
      return { items: items.map(toInvoiceView), nextCursor: nextCursor ?? null };
    },
    async timeline(requester, id) {
      const { entries } = await callUpstream(policy, requester, (options) =>
        client.getTimeline({ id }, options),
      );
      return entries.map((entry) => ({
        eventId: entry.eventId,
        type: entry.type,
        sequence: entry.sequence,
        occurredAt: entry.occurredAt,
        detail: entry.detailJson ? JSON.parse(entry.detailJson) : null,
      }));
    },
  };
}

function toInvoiceView(summary: InvoiceSummary): InvoiceView {
  return {
    id: summary.id,
    uuid: summary.uuid ?? null,
    issuer: summary.issuer ?? null,
    receiver: summary.receiver ?? null,
    amount: summary.amount ?? null,
    currency: summary.currency ?? null,
    issuanceDate: summary.issuanceDate ?? null,
    status: summary.status,
    reason: summary.rejectionReason ?? null,
    errors: summary.errors.map(({ code, path, message }) => ({ code, path, message })),
    processingMs: summary.processingMs ?? null,
    originalSize: summary.originalSize ?? null,
    compressedSize: summary.compressedSize ?? null,
    createdAt: summary.createdAt,
    updatedAt: summary.updatedAt,
  };
}
