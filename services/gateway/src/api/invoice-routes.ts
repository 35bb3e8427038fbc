import { isAppError } from '@fiscal/kit/errors';
import type { FastifyInstance } from 'fastify';
import type { CallerResolver } from '../app/caller.js';
import type { InvoiceCommands, InvoiceDocuments, InvoiceQueries } from '../app/upstreams.js';
import { createCallerOf } from './caller-of.js';
import { InvoiceDocumentContent, InvoiceIdParams, InvoiceState, InvoiceView } from './invoice-schemas.js';
import { registerSubmissionRoutes } from './submission-routes.js';

export interface InvoiceRoutesDependencies {
  callers: CallerResolver;
  commands: InvoiceCommands;
  documents: InvoiceDocuments;
  queries: InvoiceQueries;
  /** `POST /invoices/batch` takes up to 1,000 inline documents, far more than other routes. */
  batchBodyLimitBytes: number;
}

const isNotFound = (error: unknown) => isAppError(error) && error.kind === 'not_found';

export function registerInvoiceRoutes(app: FastifyInstance, dependencies: InvoiceRoutesDependencies): void {
  const { callers, commands, documents, queries } = dependencies;
  const callerOf = createCallerOf(callers);

  // A scope of their own, so the content types below hold for these routes only.
  app.register(async (invoices) => {
    // JSON unless a route says otherwise: Fastify's default text/plain parser would hand a JSON
    // route a string instead of answering 415.
    invoices.removeContentTypeParser('text/plain');
    registerSubmissionRoutes(invoices, { ...dependencies, callerOf });

    invoices.get<{ Params: InvoiceIdParams }>(
      '/api/v1/invoices/:id',
      { schema: { params: InvoiceIdParams, response: { 200: InvoiceView } } },
      async (request) => {
        const caller = await callerOf(request, 'invoices:read');
        try {
          return await queries.get(caller.orgId, request.params.id);
        } catch (error) {
          // Read your writes: a client that was just answered 202 may ask before the read model has
          // the invoice; the invoice service, which answered, has it.
          if (!isNotFound(error)) throw error;
          return commands.get(caller.orgId, request.params.id);
        }
      },
    );

    invoices.post<{ Params: InvoiceIdParams }>(
      '/api/v1/invoices/:id/reprocess',
      { schema: { params: InvoiceIdParams, response: { 202: InvoiceState } } },
      async (request, reply) => {
        const caller = await callerOf(request, 'invoices:write');
        const invoice = await commands.reprocess(caller.orgId, request.params.id);
        return reply.code(202).send(invoice);
      },
    );

    invoices.get<{ Params: InvoiceIdParams }>(
      '/api/v1/invoices/:id/document',
      {
        schema: {
          params: InvoiceIdParams,
          response: { 200: { content: { 'application/xml': { schema: InvoiceDocumentContent } } } },
        },
      },
      async (request, reply) => {
        const caller = await callerOf(request, 'invoices:read');
        const { content, contentType, checksum } = await documents.get(caller.orgId, request.params.id);
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
