import { create } from '@bufbuild/protobuf';
import type { ConnectRouter } from '@connectrpc/connect';
import { InvoiceSummarySchema, QueryService } from '@fiscal/contracts/rpc/query';
import type { GetInvoice } from '../app/get-invoice.js';
import type { InvoiceSummary } from '../domain/invoice-summary/index.js';

export interface QueryRpcHandlers {
  getInvoice(query: GetInvoice): Promise<InvoiceSummary>;
}

/** gRPC edge of the query service. */
export function registerQueryRpc(router: ConnectRouter, handlers: QueryRpcHandlers): void {
  router.service(QueryService, {
    async getInvoice(request) {
      const summary = await handlers.getInvoice({ orgId: request.orgId, id: request.id });
      return { invoice: toSummaryMessage(summary) };
    },
  });
}

function toSummaryMessage(summary: InvoiceSummary) {
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
    errors: summary.problems,
    processingMs: summary.processingMs ?? undefined,
    originalSize: summary.originalSize ?? undefined,
    compressedSize: summary.compressedSize ?? undefined,
    createdAt: summary.createdAt,
    updatedAt: summary.updatedAt,
  });
}
