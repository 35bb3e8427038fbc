import { create } from '@bufbuild/protobuf';
import type { ConnectRouter } from '@connectrpc/connect';
import { InvoiceSummarySchema, QueryService, TimelineEntrySchema } from '@fiscal/contracts/rpc/query';
import { rpcCallerOf } from '@fiscal/kit/auth';
import type { GetInvoice } from '../app/get-invoice.js';
import type { GetTimeline } from '../app/get-timeline.js';
import type { InvoiceListPage, ListInvoices } from '../app/list-invoices.js';
import type { InvoiceListItem, InvoiceSummary } from '../domain/invoice-summary/index.js';
import type { TimelineEntry } from '../domain/timeline/index.js';

export interface QueryRpcHandlers {
  getInvoice(query: GetInvoice): Promise<InvoiceSummary>;
  listInvoices(query: ListInvoices): Promise<InvoiceListPage>;
  getTimeline(query: GetTimeline): Promise<TimelineEntry[]>;
}

/** gRPC edge of the query service: every read is of the verified caller's organisation. */
export function registerQueryRpc(router: ConnectRouter, handlers: QueryRpcHandlers): void {
  router.service(QueryService, {
    async getInvoice(request, context) {
      const { orgId } = rpcCallerOf(context, 'invoices:read');
      const summary = await handlers.getInvoice({ orgId, id: request.id });
      return { invoice: toSummaryMessage(summary) };
    },
    async listInvoices(request, context) {
      const { orgId } = rpcCallerOf(context, 'invoices:read');
      const page = await handlers.listInvoices({
        orgId,
        status: request.status,
        issuer: request.issuer,
        receiver: request.receiver,
        q: request.q,
        from: request.from,
        to: request.to,
        limit: request.limit,
        cursor: request.cursor,
      });
      return { items: page.items.map(toSummaryMessage), nextCursor: page.nextCursor };
    },
    async getTimeline(request, context) {
      const { orgId } = rpcCallerOf(context, 'invoices:read');
      const entries = await handlers.getTimeline({ orgId, id: request.id });
      return {
        entries: entries.map((entry) =>
          create(TimelineEntrySchema, {
            eventId: entry.eventId,
            type: entry.type,
            sequence: entry.sequence,
            occurredAt: entry.occurredAt,
            detailJson: JSON.stringify(entry.detail),
          }),
        ),
      };
    },
  });
}

/** A list item has no problems: its message carries none (the detail of the invoice does). */
function toSummaryMessage(summary: InvoiceListItem & Partial<Pick<InvoiceSummary, 'problems'>>) {
  return create(InvoiceSummarySchema, {
    id: summary.id,
    orgId: summary.orgId,
    uuid: summary.uuid ?? undefined,
    issuer: summary.issuer ?? undefined,
    receiver: summary.receiver ?? undefined,
    amount: summary.amount ?? undefined,
    currency: summary.currency ?? undefined,
    issuanceDate: summary.issuanceDate ?? undefined,
    status: summary.status,
    rejectionReason: summary.outcomeReason ?? undefined,
    errors: summary.problems ?? [],
    processingMs: summary.processingMs ?? undefined,
    originalSize: summary.originalSize ?? undefined,
    compressedSize: summary.compressedSize ?? undefined,
    createdAt: summary.createdAt,
    updatedAt: summary.updatedAt,
  });
}
