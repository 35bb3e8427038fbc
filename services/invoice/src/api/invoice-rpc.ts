import { create } from '@bufbuild/protobuf';
import type { ConnectRouter } from '@connectrpc/connect';
import {
  type Invoice as InvoiceMessage,
  InvoiceSchema,
  InvoiceService,
  type InvoiceSubmission as SubmissionMessage,
} from '@fiscal/contracts/rpc/invoice';
import { AppError } from '@fiscal/kit/errors';
import type { CreateInvoice, CreateInvoiceResult } from '../app/create-invoice.js';
import type { Invoice, InvoiceSubmission } from '../domain/invoice/index.js';

export interface InvoiceRpcHandlers {
  createInvoice(command: CreateInvoice): Promise<CreateInvoiceResult>;
}

/** gRPC edge of the invoice service: translate, call a use case, translate back. */
export function registerInvoiceRpc(router: ConnectRouter, handlers: InvoiceRpcHandlers): void {
  router.service(InvoiceService, {
    async createInvoice(request) {
      if (!request.submission) throw missing('/submission');
      const result = await handlers.createInvoice({
        orgId: requireOrg(request.orgId),
        submission: fromSubmissionMessage(request.submission),
      });
      return { invoice: toInvoiceMessage(result.invoice), created: result.created };
    },
  });
}

function requireOrg(orgId: string): string {
  if (!orgId) throw missing('/orgId');
  return orgId;
}

function missing(field: string): AppError {
  return new AppError('invalid', 'validation_failed', 'A required field is missing.', {
    errors: [{ field, code: 'required', message: 'is required' }],
  });
}

function fromSubmissionMessage(message: SubmissionMessage): InvoiceSubmission {
  const document = message.document;
  return {
    uuid: message.uuid,
    issuer: message.issuer,
    receiver: message.receiver,
    amount: message.amount,
    currency: message.currency,
    issuanceDate: message.issuanceDate,
    ...(document.case === 'reference'
      ? { fileUrl: document.value.fileUrl, checksum: document.value.checksum || undefined }
      : {}),
    ...(document.case === 'xml' ? { xml: document.value } : {}),
  };
}

function toInvoiceMessage(invoice: Invoice): InvoiceMessage {
  return create(InvoiceSchema, {
    id: invoice.id,
    orgId: invoice.orgId,
    uuid: invoice.uuid,
    issuer: invoice.issuer,
    receiver: invoice.receiver,
    amount: invoice.amount,
    currency: invoice.currency,
    issuanceDate: invoice.issuanceDate,
    status: invoice.status,
    version: invoice.version,
    checksum: invoice.checksum,
    createdAt: invoice.createdAt,
    updatedAt: invoice.updatedAt,
  });
}
