import { setTimeout } from 'node:timers/promises';
import type { Client } from '@connectrpc/connect';
import type { InvoiceService } from '@fiscal/contracts/rpc/invoice';
import type { Policy } from '@fiscal/kit/resilience';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { Requester } from '../app/caller.js';
import { defaultOrganisation } from '../main.js';
import { otherOrganisation, refusedAmount, startGateway } from '../testing/gateway-harness.js';
import { createSubmissionCoalescer } from './coalesced-submissions.js';

// Calls take a while, as over a network: submissions arriving meanwhile wait for the next call.
const { app, service, auth } = startGateway({ authenticated: true, invoiceLatencyMs: 100 });
const ana = auth.addUser({
  orgId: defaultOrganisation,
  email: 'ana@a.test',
  password: 'ana password',
  role: 'admin',
  platformAdmin: false,
});
const otto = auth.addUser({
  orgId: otherOrganisation,
  email: 'otto@b.test',
  password: 'otto password',
  role: 'admin',
  platformAdmin: false,
});

afterAll(async () => {
  await app.close();
});

beforeEach(() => {
  service.created.length = 0;
  service.batches.length = 0;
  service.batchCalls.length = 0;
});

const submission = (n: number, amount = '1160.00') => ({
  uuid: `5fb2822e-396d-4725-8521-${String(n).padStart(12, '0')}`,
  issuer: 'AAA010101AAA',
  receiver: 'XAXX010101000',
  amount,
  currency: 'MXN',
  issuanceDate: '2025-01-24T10:10:41',
  fileUrl: 'https://erp.example.com/cfdi/1.xml',
  checksum: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
});

/** One token per user, as a client holds one: submissions are sent together per credential. */
const tokens = new Map<typeof ana, Promise<string>>();

async function post(user: typeof ana, body: object, headers: Record<string, string> = {}) {
  if (!tokens.has(user)) tokens.set(user, auth.tokenFor(user));
  return app.inject({
    method: 'POST',
    url: '/api/v1/invoices',
    headers: { authorization: `Bearer ${await tokens.get(user)}`, ...headers },
    payload: body,
  });
}

describe('single submissions of one caller, sent together', () => {
  it('go to the invoice service in a few calls, each answered with its own invoice and trace', async () => {
    const responses = await Promise.all(Array.from({ length: 20 }, (_, n) => post(ana, submission(n))));

    expect(responses.map((response) => response.statusCode)).toEqual(Array(20).fill(202));
    expect(responses.map((response) => response.json().uuid)).toEqual(
      Array.from({ length: 20 }, (_, n) => submission(n).uuid),
    );
    const calls = service.created.length + service.batches.length;
    expect(calls).toBeLessThanOrEqual(3);
    for (const [index, batch] of service.batches.entries()) {
      const traces = service.batchCalls[index]!.itemTraceparents?.split(',') ?? [];
      expect(traces).toHaveLength(batch.submissions.length);
      expect(batch.idempotencyKey).toBe('');
    }
  });

  it("answer a refused one with the service's own error and status, the others as accepted", async () => {
    const responses = await Promise.all([
      post(ana, submission(100)),
      post(ana, submission(101)),
      post(ana, submission(102, refusedAmount)),
      post(ana, submission(103)),
    ]);

    expect(responses.map((response) => response.statusCode)).toEqual([202, 202, 400, 202]);
    expect(service.batches).toHaveLength(1);
    expect(responses[2]!.json()).toMatchObject({
      code: 'validation_failed',
      errors: [{ field: '/amount', code: 'invalid_decimal' }],
    });
  });

  it('are never mixed with another caller’s, nor sent together when they carry an Idempotency-Key', async () => {
    const responses = await Promise.all([
      ...Array.from({ length: 6 }, (_, n) => post(ana, submission(200 + n))),
      ...Array.from({ length: 6 }, (_, n) => post(otto, submission(300 + n))),
      ...Array.from({ length: 4 }, (_, n) => post(ana, submission(400 + n), { 'idempotency-key': `k-${n}` })),
    ]);

    expect(responses.every((response) => response.statusCode === 202)).toBe(true);
    for (const [index, batch] of service.batches.entries()) {
      const uuids = batch.submissions.map((item) => Number(item.uuid.slice(-3)));
      const ofOtto = service.batchCalls[index]!.orgId === otherOrganisation;
      expect(uuids.every((n) => (ofOtto ? n >= 300 && n < 400 : n >= 200 && n < 300))).toBe(true);
    }
    const keyed = service.created.filter((request) => request.idempotencyKey !== '');
    expect(keyed).toHaveLength(4);
  });
});

describe('the next call of a caller', () => {
  /** An invoice service answering every call after `latencyMs`; `calls` holds each call's size. */
  function coalescerOver(latencyMs: number, options: { gatherMs?: number } = {}) {
    const calls: number[] = [];
    const answer = (uuid: string) => ({
      invoice: { id: `inv-${uuid}`, uuid, status: 'pending' },
      created: true,
    });
    const client = {
      async createInvoiceBatch(request: { submissions: { uuid?: string }[] }) {
        calls.push(request.submissions.length);
        await setTimeout(latencyMs);
        return {
          results: request.submissions.map((item, index) => ({
            index,
            outcome: { case: 'accepted', value: answer(item.uuid!) },
          })),
        };
      },
    } as unknown as Client<typeof InvoiceService>;
    const policy: Policy = {
      name: 'invoice-service',
      breakerState: 'closed',
      execute: (work) => work(new AbortController().signal),
    };
    const coalescer = createSubmissionCoalescer({
      client,
      policy,
      acceptedOf: ({ invoice, created }) => ({
        id: invoice!.id,
        uuid: invoice!.uuid,
        status: 'pending',
        created,
      }),
      ...options,
    });
    const requester = { caller: { credential: 'token-of-ana' } } as Requester;
    const submit = (uuid: string) =>
      coalescer.submit(requester, { uuid }, async () => {
        calls.push(1);
        await setTimeout(latencyMs);
        return { id: `inv-${uuid}`, uuid, status: 'pending', created: true };
      });
    return { calls, submit };
  }

  it('waits for the clients the last call answered, so a caller with N in flight sends calls of N, not N/2', async () => {
    const { calls, submit } = coalescerOver(20);
    // Eight clients, each submitting again as soon as it is answered.
    await Promise.all(
      Array.from({ length: 8 }, async (_, client) => {
        for (let round = 0; round < 4; round++) await submit(`${client}-${round}`);
      }),
    );

    expect(calls).toEqual([1, 8, 8, 8, 7]);
  });

  it('sends a lone submission at once', async () => {
    const { calls, submit } = coalescerOver(20);
    const answered = submit('alone');

    expect(calls).toEqual([1]);
    await answered;
  });

  it('waits no longer than the call before it took, when the clients it answered do not come back', async () => {
    const { calls, submit } = coalescerOver(20, { gatherMs: 5_000 });
    const started = performance.now();
    const [, late] = await Promise.all([submit('first'), submit('second').then(() => performance.now())]);

    // The first call (20 ms), a pause of at most as long for its client, which never comes back,
    // then the second call: far from the 5 s the caller would wait for a slower service.
    expect(calls).toEqual([1, 1]);
    expect(late - started).toBeLessThan(1_000);
  });

  it('with no pause, sends what waits as soon as the call before it is answered', async () => {
    const { calls, submit } = coalescerOver(20, { gatherMs: 0 });
    await Promise.all(
      Array.from({ length: 4 }, async (_, client) => {
        for (let round = 0; round < 2; round++) await submit(`${client}-${round}`);
      }),
    );

    // Alone, then the three that waited; the first client's second submission went behind them.
    expect(calls.slice(0, 2)).toEqual([1, 3]);
    expect(calls.reduce((sum, size) => sum + size, 0)).toBe(8);
  });
});
