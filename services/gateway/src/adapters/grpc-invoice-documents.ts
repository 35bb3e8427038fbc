import { createClient, type Transport } from '@connectrpc/connect';
import { InvoiceService } from '@fiscal/contracts/rpc/invoice';
import type { Policy } from '@fiscal/kit/resilience';
import type { InvoiceDocuments } from '../app/upstreams.js';
import { callUpstream } from './call-upstream.js';

/** Archived originals, served by the invoice service, behind the same policy as its commands. */
export function createGrpcInvoiceDocuments(transport: Transport, policy: Policy): InvoiceDocuments {
  const client = createClient(InvoiceService, transport);
  return {
    async get(requester, id) {
      const document = await callUpstream(policy, requester, (options) =>
        client.getDocument({ id }, options),
      );
      return { content: document.content, contentType: document.contentType, checksum: document.checksum };
    },
  };
}
