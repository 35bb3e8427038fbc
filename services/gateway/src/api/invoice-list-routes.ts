import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { InvoiceQueries } from '../app/upstreams.js';
import { requesterOf } from './authentication.js';
import { InvoiceIdParams, InvoiceListItem, TimelineEntry } from './invoice-schemas.js';

export interface InvoiceListRoutesDependencies {
  queries: InvoiceQueries;
}

const dateOrInstant = Type.String({
  maxLength: 40,
  pattern: '^\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}:\\d{2}))?$',
  description: 'Issuance date, inclusive: YYYY-MM-DD (the whole day, UTC) or an ISO 8601 instant',
});

export const InvoiceListQuery = Type.Object(
  {
    status: Type.Optional(
      Type.Union(
        ['pending', 'processing', 'validated', 'archived', 'rejected', 'failed'].map((status) =>
          Type.Literal(status),
        ),
      ),
    ),
    issuer: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Issuer RFC, exact' })),
    receiver: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Receiver RFC, exact' })),
    q: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description: 'Free text over issuer, receiver and uuid; fragments of an RFC or UUID match too',
      }),
    ),
    from: Type.Optional(dateOrInstant),
    to: Type.Optional(dateOrInstant),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
    cursor: Type.Optional(
      Type.String({ minLength: 1, maxLength: 400, description: 'The nextCursor of the previous page' }),
    ),
  },
  { additionalProperties: false },
);
export type InvoiceListQuery = Static<typeof InvoiceListQuery>;

export const InvoiceListPage = Type.Object({
  items: Type.Array(InvoiceListItem, { description: "Each invoice's view without its problems" }),
  nextCursor: Type.Union([Type.String(), Type.Null()], { description: 'Null on the last page' }),
});

export const InvoiceTimeline = Type.Object({ entries: Type.Array(TimelineEntry) });

/** The read side of invoices: lists with filters and keyset pages, and each invoice's timeline. */
export function registerInvoiceListRoutes(
  app: FastifyInstance,
  { queries }: InvoiceListRoutesDependencies,
): void {
  app.get<{ Querystring: InvoiceListQuery }>(
    '/api/v1/invoices',
    {
      config: { scope: 'invoices:read' },
      schema: {
        operationId: 'listInvoices',
        summary: 'List invoices, newest first, filtered and paged by cursor',
        querystring: InvoiceListQuery,
        response: { 200: InvoiceListPage },
      },
    },
    async (request) => {
      const requester = requesterOf(request);
      return queries.list(requester, request.query);
    },
  );

  app.get<{ Params: InvoiceIdParams }>(
    '/api/v1/invoices/:id/timeline',
    {
      config: { scope: 'invoices:read' },
      schema: {
        operationId: 'getInvoiceTimeline',
        summary: "The invoice's events, in the order they happened",
        params: InvoiceIdParams,
        response: { 200: InvoiceTimeline },
      },
    },
    async (request) => {
      const requester = requesterOf(request);
      return { entries: await queries.timeline(requester, request.params.id) };
    },
  );
}
