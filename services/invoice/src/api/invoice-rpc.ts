import { create } from '@bufbuild/protobuf';
import type { ConnectRouter } from '@connectrpc/connect';
import {
  type BatchItemResult,
  BatchItemResultSchema,
  type Invoice as InvoiceMessage,
  InvoiceSchema,
  InvoiceService,
  type InvoiceSubmission as SubmissionMessage,
} from '@fiscal/contracts/rpc/invoice';
import { rpcCallerOf } from '@fiscal/kit/auth';
import { AppError } from '@fiscal/kit/errors';
import { itemTraceparentsOf } from '@fiscal/kit/grpc';
import { runInTrace } from '@fiscal/kit/telemetry';
import type { CreateInvoiceOutcome, ReceivedSubmission } from '../app/create-invoices.js';
import type { ArchivedOriginal } from '../app/get-document.js';
import {
  InvalidInvoiceSubmission,
  type Invoice,
  type InvoiceKey,
  submissionFromDocument,
} from '../domain/invoice/index.js';

/** An accepted invoice as answered (and stored for Idempotency-Key replays): no document body. */
export type InvoiceSnapshot = Omit<Invoice, 'source'>;

export type BatchAnswer = (
  | { index: number; invoice: InvoiceSnapshot; created: boolean }
  | { index: number; error: AnsweredError }
)[];

/** A refused item as answered; `kind` lets a single-invoice call rethrow it with its status. */
export interface AnsweredError {
  kind: AppError['kind'];
  code: string;
  message: string;
  errors: AppError['errors'];
}

export interface InvoiceRpcHandlers {
  createInvoices(request: {
    orgId: string;
    submissions: readonly ReceivedSubmission[];
    idempotencyKey: string | undefined;
    operation: 'create' | 'batch';
  }): Promise<BatchAnswer>;
  getInvoice(key: InvoiceKey): Promise<Invoice>;
  reprocessInvoice(key: InvoiceKey): Promise<Invoice>;
  getDocument(key: InvoiceKey): Promise<ArchivedOriginal>;
}

/**
 * gRPC edge of the invoice service: translate, call a use case, translate back. Every call acts in
 * the organisation of its verified caller, with the scope it needs.
 */
export function registerInvoiceRpc(router: ConnectRouter, handlers: InvoiceRpcHandlers): void {
  router.service(InvoiceService, {
    async createInvoice(request, context) {
      const { orgId } = rpcCallerOf(context, 'invoices:write');
      if (!request.submission) throw missing('/submission');
      const [answer] = await handlers.createInvoices({
        orgId,
        submissions: [fromSubmissionMessage(request.submission)],
        idempotencyKey: request.idempotencyKey || undefined,
        operation: 'create',
      });
      if (!answer) throw new Error('no answer for the submission');
      if ('error' in answer) throw toAppError(answer.error);
      return { invoice: toInvoiceMessage(answer.invoice), created: answer.created };
    },

    async createInvoiceBatch(request, context) {
      const { orgId } = rpcCallerOf(context, 'invoices:write');
      const traceparents = itemTraceparentsOf(context.requestHeader, request.submissions.length);
      if (traceparents && !request.idempotencyKey) {
        // Single submissions of several requests the gateway sent together: each is created in its
        // own request's trace, as its own call would have been; the repository writes them in one group.
        const answers = await Promise.all(
          request.submissions.map((submission, index) =>
            runInTrace(traceparents[index], () =>
              handlers.createInvoices({
                orgId,
                submissions: [fromSubmissionMessage(submission)],
                idempotencyKey: undefined,
                operation: 'create',
              }),
            ),
          ),
        );
        return { results: answers.map(([answer], index) => toBatchItemResult({ ...answer!, index })) };
      }
      const answers = await handlers.createInvoices({
        orgId,
        submissions: request.submissions.map(fromSubmissionMessage),
        idempotencyKey: request.idempotencyKey || undefined,
        operation: 'batch',
      });
      return { results: answers.map(toBatchItemResult) };
    },

    async getInvoice(request, context) {
      const { orgId } = rpcCallerOf(context, 'invoices:read');
      const invoice = await handlers.getInvoice({ orgId, id: request.id });
      return { invoice: toInvoiceMessage(invoice) };
    },

    async reprocessInvoice(request, context) {
      const { orgId } = rpcCallerOf(context, 'invoices:write');
      const invoice = await handlers.reprocessInvoice({ orgId, id: request.id });
      return { invoice: toInvoiceMessage(invoice) };
    },

    async getDocument(request, context) {
      const { orgId } = rpcCallerOf(context, 'invoices:read');
      const original = await handlers.getDocument({ orgId, id: request.id });
      return {
        content: original.content,
        contentType: 'application/xml',
        codec: original.codec,
        checksum: original.checksum,
      };
    },
  });
}

/** What a use-case outcome is answered with, and stored as for Idempotency-Key replays. */
export function toBatchAnswer(outcomes: readonly CreateInvoiceOutcome[]): BatchAnswer {
  return outcomes.map((outcome, index) => {
    if (outcome.accepted) {
      const { source: _document, ...snapshot } = outcome.invoice;
      return { index, invoice: snapshot, created: outcome.created };
    }
    const { kind, code, message, errors } = outcome.error;
    return { index, error: { kind, code, message, errors } };
  });
}

function missing(field: string): AppError {
  return new AppError('invalid', 'validation_failed', 'A required field is missing.', {
    errors: [{ field, code: 'required', message: 'is required' }],
  });
}

function fromSubmissionMessage(message: SubmissionMessage): ReceivedSubmission {
  const document = message.document;
  if (message.metadataFromDocument) {
    if (document.case !== 'xml') {
      return { refused: new InvalidInvoiceSubmission([xmlRequired]) };
    }
    const { submission, problems } = submissionFromDocument(document.value);
    return submission ? { submission } : { refused: new InvalidInvoiceSubmission(problems) };
  }
  return {
    submission: {
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
    },
  };
}

const xmlRequired = {
  field: '/xml',
  code: 'document_required',
  message: 'metadata is read from the document: send the document',
};

function toAppError(error: AnsweredError): AppError {
  return new AppError(error.kind, error.code, error.message, { errors: error.errors });
}

function toBatchItemResult(answer: BatchAnswer[number]): BatchItemResult {
  if ('error' in answer) {
    return create(BatchItemResultSchema, {
      index: answer.index,
      outcome: {
        case: 'error',
        value: { code: answer.error.code, message: answer.error.message, errors: [...answer.error.errors] },
      },
    });
  }
  return create(BatchItemResultSchema, {
    index: answer.index,
    outcome: {
      case: 'accepted',
      value: { invoice: toInvoiceMessage(answer.invoice), created: answer.created },
    },
  });
}

function toInvoiceMessage(invoice: InvoiceSnapshot): InvoiceMessage {
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
    storageKey: invoice.archive?.storageKey ?? '',
    codec: invoice.archive?.codec ?? '',
    originalSize: invoice.archive?.originalSize ?? 0,
    compressedSize: invoice.archive?.compressedSize ?? 0,
    outcomeReason: invoice.outcome?.reason ?? '',
    problems: (invoice.outcome?.problems ?? []).map((problem) => ({
      field: problem.path,
      code: problem.code,
      message: problem.message,
    })),
    processingAttempts: invoice.processingAttempts,
  });
}
