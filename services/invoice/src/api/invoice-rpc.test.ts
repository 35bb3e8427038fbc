import { createClient } from '@connectrpc/connect';
import { InvoiceService } from '@fiscal/contracts/rpc/invoice';
import { authenticateRpcCallers, bearerHeader, type VerifiedCaller } from '@fiscal/kit/auth';
import { createInMemoryTransport, itemTraceparentsHeader } from '@fiscal/kit/grpc';
import { currentTraceparent } from '@fiscal/kit/telemetry';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BatchAnswer, type InvoiceRpcHandlers, registerInvoiceRpc } from './invoice-rpc.js';

const caller: VerifiedCaller = {
  subject: 'usr_1',
  kind: 'user',
  orgId: 'org_1',
  role: 'admin',
  scopes: ['invoices:write'],
  tier: 'enterprise',
  platformAdmin: false,
  tokenId: 'jti',
  expiresAtSeconds: 4_000_000_000,
};

const traceparentOf = (n: number) => `00-${String(n).padStart(32, '0')}-${'1'.repeat(16)}-00`;

const submission = (n: number) => ({
  uuid: `5fb2822e-396d-4725-8521-${String(n).padStart(12, '0')}`,
  issuer: 'AAA010101AAA',
  receiver: 'XAXX010101000',
  amount: '1.00',
  currency: 'MXN',
  issuanceDate: '2025-01-24T10:10:41',
  document: { case: 'reference' as const, value: { fileUrl: 'https://erp.example.com/1.xml', checksum: '' } },
});

/** Handlers that answer every submission as accepted and note the trace each call ran in. */
function recordingHandlers() {
  const calls: { operation: string; count: number; traceparent: string | undefined }[] = [];
  const handlers: InvoiceRpcHandlers = {
    async createInvoices({ submissions, operation }) {
      calls.push({ operation, count: submissions.length, traceparent: currentTraceparent() });
      return submissions.map((received, index): BatchAnswer[number] => ({
        index,
        created: true,
        invoice: {
          id: `inv_${'submission' in received ? received.submission.uuid.slice(-2) : 'x'}`,
          orgId: 'org_1',
          slot: 1,
          uuid: 'submission' in received ? received.submission.uuid : '',
          issuer: 'AAA010101AAA',
          receiver: 'XAXX010101000',
          amount: '1.00',
          currency: 'MXN',
          issuanceDate: '2025-01-24T10:10:41.000Z',
          checksum: '',
          status: 'pending',
          version: 1,
          processingAttempts: 0,
          reprocessings: 0,
          claim: null,
          archive: null,
          outcome: null,
          createdAt: '2025-01-24T10:10:41.000Z',
          updatedAt: '2025-01-24T10:10:41.000Z',
        },
      }));
    },
    getInvoice: () => Promise.reject(new Error('not under test')),
    reprocessInvoice: () => Promise.reject(new Error('not under test')),
    getDocument: () => Promise.reject(new Error('not under test')),
  };
  return { calls, handlers };
}

describe('CreateInvoiceBatch', () => {
  beforeAll(() => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  });
  afterAll(() => {
    context.disable();
    propagation.disable();
    trace.disable();
  });

  function clientOver(handlers: InvoiceRpcHandlers) {
    const logger = pino({ level: 'silent' });
    const transport = createInMemoryTransport((router) => registerInvoiceRpc(router, handlers), {
      logger,
      serverInterceptors: [authenticateRpcCallers({ verifier: { verify: async () => caller } })],
    });
    return createClient(InvoiceService, transport);
  }

  it("creates each submission of separate requests in its own request's trace", async () => {
    const { calls, handlers } = recordingHandlers();
    const { results } = await clientOver(handlers).createInvoiceBatch(
      { submissions: [1, 2, 3].map(submission) },
      {
        headers: {
          ...bearerHeader('token'),
          [itemTraceparentsHeader]: [1, 2, 3].map(traceparentOf).join(','),
        },
      },
    );

    expect(calls.map((call) => [call.operation, call.count])).toEqual([
      ['create', 1],
      ['create', 1],
      ['create', 1],
    ]);
    expect(calls.map((call) => call.traceparent?.split('-')[1])).toEqual(
      [1, 2, 3].map((n) => traceparentOf(n).split('-')[1]),
    );
    expect(results.map((result) => [result.index, result.outcome.case])).toEqual([
      [0, 'accepted'],
      [1, 'accepted'],
      [2, 'accepted'],
    ]);
  });

  it('treats a client batch, or one whose item traces do not match its items, as one batch', async () => {
    const { calls, handlers } = recordingHandlers();
    const client = clientOver(handlers);
    await client.createInvoiceBatch({ submissions: [1, 2].map(submission) }, { headers: bearerHeader('t') });
    await client.createInvoiceBatch(
      { submissions: [1, 2].map(submission) },
      { headers: { ...bearerHeader('t'), [itemTraceparentsHeader]: traceparentOf(1) } },
    );

    expect(calls.map((call) => [call.operation, call.count])).toEqual([
      ['batch', 2],
      ['batch', 2],
    ]);
  });
});
