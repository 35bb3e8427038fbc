import { isAppError } from '@fiscal/kit/errors';
import type { FastifyInstance } from 'fastify';
import type { InvoiceCommands, InvoiceDocuments, InvoiceQueries } from '../app/upstreams.js';
import { requesterOf } from './authentication.js';
import { InvoiceDocumentContent, InvoiceIdParams, InvoiceState, InvoiceView } from './invoice-schemas.js';
import { registerSubmissionRoutes } from './submission-routes.js';

export interface InvoiceRoutesDependencies {
  commands: InvoiceCommands;
  documents: InvoiceDocuments;
  queries: InvoiceQueries;
  /** `POST /invoices/batch` takes up to 1,000 inline documents, far more than other routes. */
  batchBodyLimitBytes: number;
}

const isNotFound = (error: unknown) => isAppError(error) && error.kind === 'not_found';

export function registerInvoiceRoutes(app: FastifyInstance, dependencies: InvoiceRoutesDependencies): void {
  const { commands, documents, queries } = dependencies;

  // A scope of their own, so the content types below hold for these routes only.
  app.register(async (invoices) => {
    // JSON unless a route says otherwise: Fastify's default text/plain parser would hand a JSON
    // route a string instead of answering 415.
    invoices.removeContentTypeParser('text/plain');
    registerSubmissionRoutes(invoices, dependencies);

    invoices.get<{ Params: InvoiceIdParams }>(
      '/api/v1/invoices/:id',
      {
        config: { scope: 'invoices:read' },
        schema: {
          operationId: 'getInvoice',
          summary: 'Read an invoice: its state, submission data and outcome',
          params: InvoiceIdParams,
          response: { 200: InvoiceView },
        },
      },
      async (request) => {
        const requester = requesterOf(request);
        try {
          return await queries.get(requester, request.params.id);
        } catch (error) {
          // Read your writes: a client that was just answered 202 may ask before the read model has
          // the invoice; the invoice service, which answered, has it.
          if (!isNotFound(error)) throw error;
          return commands.get(requester, request.params.id);
        }
      },
    );

    invoices.post<{ Params: InvoiceIdParams }>(
      '/api/v1/invoices/:id/reprocess',
      {
        config: { scope: 'invoices:write', problems: ['conflict'] },
        schema: {
          operationId: 'reprocessInvoice',
          summary: 'Process a failed invoice again',
          params: InvoiceIdParams,
          response: { 202: InvoiceState },
        },
      },
      async (request, reply) => {
        const requester = requesterOf(request);
        const invoice = await commands.reprocess(requester, request.params.id);
        return reply.code(202).send(invoice);
      },
    );

    invoices.get<{ Params: InvoiceIdParams }>(
      '/api/v1/invoices/:id/document',
      {
        config: { scope: 'invoices:read', problems: ['conflict'] },
        schema: {
          operationId: 'getInvoiceDocument',
          summary: 'Download the archived CFDI document, byte for byte',
          params: InvoiceIdParams,
          response: {
            200: {
              content: {
                'application/xml': { schema: InvoiceDocumentContent },
              },
            },
          },
        },
      },
      async (request, reply) => {
        const requester = requesterOf(request);
        const { content, contentType, checksum } = await documents.get(requester, request.params.id);
        if (checksum) reply.header('etag', `"${checksum}"`);
        return reply
          .code(200)
          .type(contentType || 'application/xml')
          .header('content-length', content.byteLength)
          .send(Buffer.from(content.buffer, content.byteOffset, content.byteLength));
      },
    );
  });
}
