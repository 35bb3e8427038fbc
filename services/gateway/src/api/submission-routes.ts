import { AppError } from '@fiscal/kit/errors';
import type { FastifyInstance } from 'fastify';
import type { InvoiceCommands } from '../app/upstreams.js';
import { requesterOf } from './authentication.js';
import { batchItemsOf, checkBatchItems, mergeBatchOutcomes } from './batch-items.js';
import { BatchResult, BatchSubmissionBody } from './batch-schemas.js';
import {
  AcceptedInvoice,
  IdempotencyHeaders,
  InvoiceSubmissionBody,
  RawInvoiceDocument,
} from './invoice-schemas.js';
import { acceptRawDocuments, xmlMediaTypes } from './raw-document.js';

export interface SubmissionRoutesDependencies {
  commands: InvoiceCommands;
  batchBodyLimitBytes: number;
}

function missingBody(): AppError {
  return new AppError('invalid', 'validation_failed', 'The request has no body.', {
    errors: [{ field: '/', code: 'required', message: 'is required: JSON metadata or the XML document' }],
  });
}

const rawDocumentContent = Object.fromEntries(
  xmlMediaTypes.map((mediaType) => [mediaType, { schema: RawInvoiceDocument }]),
);

/** `POST /invoices` (JSON metadata, or the raw document) and `POST /invoices/batch`. */
export function registerSubmissionRoutes(
  scope: FastifyInstance,
  { commands, batchBodyLimitBytes }: SubmissionRoutesDependencies,
): void {
  scope.register(async (rawDocuments) => {
    // Only this route takes XML; the parser is scoped to it.
    acceptRawDocuments(rawDocuments);
    rawDocuments.post<{ Body: InvoiceSubmissionBody | string; Headers: IdempotencyHeaders }>(
      '/api/v1/invoices',
      {
        config: { scope: 'invoices:write', problems: ['conflict'] },
        schema: {
          operationId: 'submitInvoice',
          summary: 'Submit one invoice: its document inline, as raw XML, or by URL',
          description:
            '202 with the new invoice; 200 with the same answer when an `Idempotency-Key` repeats an earlier ' +
            'request. A UUID the organisation already submitted, or a key reused with another body, is 409.',
          headers: IdempotencyHeaders,
          body: {
            content: {
              'application/json': { schema: InvoiceSubmissionBody },
              ...rawDocumentContent,
            },
          },
          response: { 202: AcceptedInvoice, 200: AcceptedInvoice },
        },
      },
      async (request, reply) => {
        const requester = requesterOf(request);
        // The body schemas are per content type: a request with neither body nor type meets none.
        if (request.body === undefined) throw missingBody();
        const submission = typeof request.body === 'string' ? { rawXml: request.body } : request.body;
        const accepted = await commands.create(requester, submission, {
          idempotencyKey: request.headers['idempotency-key'],
        });
        return reply.code(202).send(accepted);
      },
    );
  });

  scope.post<{ Body: BatchSubmissionBody; Headers: IdempotencyHeaders }>(
    '/api/v1/invoices/batch',
    {
      config: { scope: 'invoices:write', problems: ['conflict'] },
      bodyLimit: batchBodyLimitBytes,
      schema: {
        operationId: 'submitInvoiceBatch',
        summary: 'Submit up to 1,000 invoices; each item is accepted or refused on its own',
        headers: IdempotencyHeaders,
        body: BatchSubmissionBody,
        response: { 202: BatchResult },
      },
    },
    async (request, reply) => {
      const requester = requesterOf(request);
      const checked = checkBatchItems(batchItemsOf(request.body));
      const outcomes =
        checked.sent.length === 0
          ? []
          : await commands.createBatch(
              requester,
              checked.sent.map(({ submission }) => submission),
              { idempotencyKey: request.headers['idempotency-key'] },
            );
      return reply.code(202).send(mergeBatchOutcomes(checked, outcomes));
    },
  );
}
