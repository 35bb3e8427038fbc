import type { ConnectRouter, HandlerContext } from '@connectrpc/connect';
import {
  type CreateInvoiceBatchRequest,
  type CreateInvoiceRequest,
  InvoiceService,
  type InvoiceSubmission,
} from '@fiscal/contracts/rpc/invoice';
import { QueryService } from '@fiscal/contracts/rpc/query';
import { type Cache, createMemoryCache } from '@fiscal/kit/cache';
import { AppError } from '@fiscal/kit/errors';
import { createInMemoryTransport, itemTraceparentsHeader } from '@fiscal/kit/grpc';
import type { FastifyInstance } from 'fastify';
import { decodeJwt } from 'jose';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { createSingleTenantCallerResolver } from '../adapters/single-tenant-caller-resolver.js';
import {
  type AuthenticationSettings,
  createGatewayServer,
  defaultOrganisation,
  type RateLimiter,
} from '../main.js';
import { FakeAuthService } from './fake-auth-service.js';

/** Invoice ids the fake services know, each standing for one state. */
export const invoices = {
  failed: 'inv_failed',
  archived: 'inv_archived',
  pending: 'inv_pending',
  missing: 'inv_missing',
  /** Archived, in `otherOrganisation`: every other invoice belongs to `defaultOrganisation`. */
  ofOtherOrganisation: 'inv_of_other_org',
};

export const otherOrganisation = 'org_other';

/** The fiscal UUID the fake reads from a raw document, as the real service reads the TimbreFiscalDigital. */
export const uuidInDocument = '5fb2822e-396d-4725-8521-cdc4bdd20ccf';

/** The fake invoice service refuses, item by item, any amount that is negative. */
export const refusedAmount = '-1.00';

/** An Idempotency-Key the fake service has seen before with another request. */
export const reusedIdempotencyKey = 'reused-key';

export interface FakeInvoiceService {
  created: CreateInvoiceRequest[];
  batches: CreateInvoiceBatchRequest[];
  /** Each batch call's `fiscal-item-traceparents` header, and the organisation it acted for. */
  batchCalls: { itemTraceparents: string | null; orgId: string }[];
  reprocessed: string[];
  /** The archived original of `invoices.archived`. */
  archivedDocument: Uint8Array;
}

export interface GatewayHarness {
  app: FastifyInstance;
  service: FakeInvoiceService;
  auth: FakeAuthService;
  revocations: Cache;
  /** The time the gateway and the fake auth service read; tests move it. */
  clock: { now: number };
}

export interface GatewayHarnessOptions {
  archivedDocument?: Uint8Array;
  batchBodyLimitBytes?: number;
  /**
   * Callers authenticate with bearer tokens and API keys from the fake auth service; otherwise
   * every request acts as an administrator of `defaultOrganisation`.
   */
  authenticated?: boolean;
  authentication?: AuthenticationSettings;
  bodyLimitBytes?: number;
  /** Replicas of one deployment share the auth service (and its clock) and the revocations. */
  auth?: FakeAuthService;
  revocations?: Cache;
  /** Default: in memory, with the default quotas. */
  rateLimiter?: RateLimiter;
  /** How long the fake invoice service takes to answer a create, as a network and a database would. */
  invoiceLatencyMs?: number;
}

/**
 * The gateway as `main.ts` builds it, in front of fake invoice and query services reached through
 * the same in-memory transports as embedded mode, so errors cross a real gRPC boundary.
 */
export function startGateway(options: GatewayHarnessOptions = {}): GatewayHarness {
  const logger = pino({ level: 'silent' });
  const service: FakeInvoiceService = {
    created: [],
    batches: [],
    batchCalls: [],
    reprocessed: [],
    archivedDocument: options.archivedDocument ?? new TextEncoder().encode('<cfdi:Comprobante/>'),
  };
  const auth = options.auth ?? new FakeAuthService({ now: Date.now() });
  const clock = auth.clock;
  const registry = new Registry();
  const revocations =
    options.revocations ?? createMemoryCache({ name: 'revocations', registry, maxEntries: 10_000 });
  const app = createGatewayServer({
    logger,
    registry,
    invoiceTransport: createInMemoryTransport(
      (router) => registerFakeInvoiceService(router, service, options.invoiceLatencyMs ?? 0),
      { logger },
    ),
    queryTransport: createInMemoryTransport(registerFakeQueryService, { logger }),
    authTransport: createInMemoryTransport((router) => auth.register(router), { logger }),
    // Reports and webhooks have route tests of their own, against their real services.
    analyticsTransport: createInMemoryTransport(() => {}, { logger }),
    notificationTransport: createInMemoryTransport(() => {}, { logger }),
    revocations,
    ...(options.authenticated ? {} : { callers: createSingleTenantCallerResolver(defaultOrganisation) }),
    authentication: { now: () => clock.now, ...options.authentication },
    batchBodyLimitBytes: options.batchBodyLimitBytes,
    bodyLimitBytes: options.bodyLimitBytes,
    ...(options.rateLimiter ? { rateLimiter: options.rateLimiter } : {}),
  });
  return { app, service, auth, revocations, clock };
}

function registerFakeInvoiceService(
  router: ConnectRouter,
  service: FakeInvoiceService,
  latencyMs: number,
): void {
  const latency = () => new Promise((resolve) => setTimeout(resolve, latencyMs));
  router.service(InvoiceService, {
    async createInvoice(request) {
      service.created.push(request);
      await latency();
      if (request.idempotencyKey === reusedIdempotencyKey)
        throw new AppError('conflict', 'idempotency_key_reused', 'The key was used with another request.');
      const submission = request.submission!;
      if (submission.amount === refusedAmount) throw refusedAmountError();
      return {
        invoice: invoiceOf(`inv_${service.created.length}`, submission),
        created: true,
      };
    },
    async createInvoiceBatch(request, context) {
      service.batches.push(request);
      service.batchCalls.push({
        itemTraceparents: context.requestHeader.get(itemTraceparentsHeader),
        orgId: callerOrganisation(context),
      });
      await latency();
      if (request.idempotencyKey === reusedIdempotencyKey)
        throw new AppError('conflict', 'idempotency_key_reused', 'The key was used with another request.');
      const results = request.submissions.map((submission, index) =>
        submission.amount === refusedAmount
          ? {
              index,
              outcome: {
                case: 'error' as const,
                value: {
                  code: 'validation_failed',
                  message: 'The invoice has invalid fields.',
                  errors: [
                    { field: '/amount', code: 'invalid_decimal', message: 'must be a positive decimal' },
                  ],
                },
              },
            }
          : {
              index,
              outcome: {
                case: 'accepted' as const,
                value: { invoice: invoiceOf(`inv_batch_${index}`, submission), created: true },
              },
            },
      );
      // Answered out of order on purpose: the gateway must place each result by its index.
      return { results: results.reverse() };
    },
    async getInvoice({ id }, context) {
      const orgId = callerOrganisation(context);
      // The write model has the pending invoice the read model has not caught up with yet.
      if (orgId !== defaultOrganisation || (id !== invoices.pending && id !== invoices.archived))
        throw notFound(id);
      const at = '2026-11-24T12:00:00.000Z';
      return {
        invoice: {
          id,
          orgId,
          uuid: uuidInDocument,
          issuer: 'EKU9003173C9',
          status: id === invoices.pending ? 'pending' : 'archived',
          createdAt: at,
          updatedAt: at,
        },
      };
    },
    async reprocessInvoice({ id }, context) {
      const orgId = callerOrganisation(context);
      service.reprocessed.push(id);
      if (orgId !== defaultOrganisation) throw notFound(id);
      if (id === invoices.failed) return { invoice: { id, uuid: uuidInDocument, status: 'pending' } };
      if (id === invoices.archived || id === invoices.pending)
        throw new AppError('conflict', 'invoice_not_reprocessable', `Invoice ${id} has not failed.`);
      throw notFound(id);
    },
    async getDocument({ id }, context) {
      const orgId = callerOrganisation(context);
      if (orgId !== defaultOrganisation) throw notFound(id);
      if (id === invoices.archived) {
        return {
          content: service.archivedDocument,
          contentType: 'application/xml',
          codec: 'zstd',
          checksum: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
        };
      }
      if (id === invoices.pending)
        throw new AppError('conflict', 'document_not_archived', `Invoice ${id} is not archived yet.`);
      throw notFound(id);
    },
  });
}

function registerFakeQueryService(router: ConnectRouter): void {
  router.service(QueryService, {
    async getInvoice({ id }, context) {
      const orgId = callerOrganisation(context);
      const owner = id === invoices.ofOtherOrganisation ? otherOrganisation : defaultOrganisation;
      if (orgId !== owner || (id !== invoices.archived && id !== invoices.ofOtherOrganisation))
        throw notFound(id);
      const at = '2025-01-24T10:10:41.000Z';
      return {
        invoice: { id, orgId, uuid: uuidInDocument, status: 'archived', createdAt: at, updatedAt: at },
      };
    },
  });
}

/**
 * The organisation of the token the gateway forwarded (read, not verified: the services' own tests
 * verify), or the single tenant's when route tests send none.
 */
function callerOrganisation(context: HandlerContext): string {
  const token = context.requestHeader.get('authorization')?.replace(/^Bearer /, '');
  if (!token?.includes('.')) return defaultOrganisation;
  const { org } = decodeJwt(token);
  return typeof org === 'string' ? org : defaultOrganisation;
}

function invoiceOf(id: string, submission: InvoiceSubmission) {
  return {
    id,
    uuid: submission.metadataFromDocument ? uuidInDocument : submission.uuid,
    status: 'pending',
  };
}

function refusedAmountError(): AppError {
  return new AppError('invalid', 'validation_failed', 'The invoice has invalid fields.', {
    errors: [{ field: '/amount', code: 'invalid_decimal', message: 'must be a positive decimal' }],
  });
}

function notFound(id: string): AppError {
  return new AppError('not_found', 'invoice_not_found', `Invoice ${id} does not exist.`);
}
