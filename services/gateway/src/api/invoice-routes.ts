import { extendLogContext } from '@fiscal/kit/log';
import type { FastifyInstance } from 'fastify';
import type { CallerResolver } from '../app/caller.js';
import type { InvoiceCommands, InvoiceQueries } from '../app/upstreams.js';
import { AcceptedInvoice, InvoiceIdParams, InvoiceSubmissionBody, InvoiceView } from './invoice-schemas.js';

export interface InvoiceRoutesDependencies {
  callers: CallerResolver;
  commands: InvoiceCommands;
  queries: InvoiceQueries;
}

export function registerInvoiceRoutes(
  app: FastifyInstance,
  { callers, commands, queries }: InvoiceRoutesDependencies,
) {
  app.post<{ Body: InvoiceSubmissionBody }>(
    '/api/v1/invoices',
    {
      schema: {
        body: InvoiceSubmissionBody,
        response: { 202: AcceptedInvoice, 200: AcceptedInvoice },
      },
    },
    async (request, reply) => {
      const caller = await callers.resolve(request.headers);
      extendLogContext({ tenant: caller.orgId });
      const accepted = await commands.create(caller.orgId, request.body);
      return reply.code(202).send(accepted);
    },
  );

  app.get<{ Params: InvoiceIdParams }>(
    '/api/v1/invoices/:id',
    { schema: { params: InvoiceIdParams, response: { 200: InvoiceView } } },
    async (request) => {
      const caller = await callers.resolve(request.headers);
      extendLogContext({ tenant: caller.orgId });
      return queries.get(caller.orgId, request.params.id);
    },
  );
}
