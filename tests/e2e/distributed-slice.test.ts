import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupNames } from '../../packages/kit/src/events/index.js';
import { probeService, serviceUrls } from '../../packages/kit/src/testing/services.js';
import { type FiscalProcess, freePort, runFiscal, startFiscal, waitFor } from '../support/fiscal-process.js';
import { createScratchDatabase } from '../support/postgres.js';

const engines = (await probeService('postgres')) && (await probeService('rabbitmq'));

describe.skipIf(!engines)('fiscal serve (distributed mode on PostgreSQL and RabbitMQ)', () => {
  const processes: FiscalProcess[] = [];
  const databases: { dispose(): Promise<void> }[] = [];
  let gateway: FiscalProcess;
  const namePrefix = `e2e-${randomUUID().slice(0, 8)}.`;

  beforeAll(async () => {
    const invoiceDb = await createScratchDatabase('fiscal_e2e_invoice');
    const queryDb = await createScratchDatabase('fiscal_e2e_query');
    databases.push(invoiceDb, queryDb);
    // Operators migrate ahead of a rollout; the services then find nothing left to apply.
    expect(await runFiscal(['migrate', 'invoice'], { FISCAL_DATABASE_URL: invoiceDb.url })).toMatchObject({
      code: 0,
      output: expect.stringContaining('invoice is up to date'),
    });
    const invoicePort = await freePort();
    const queryPort = await freePort();
    const shared = { FISCAL_RABBITMQ_URL: serviceUrls.rabbitmq, FISCAL_RABBITMQ_NAME_PREFIX: namePrefix };
    const [invoice, query] = await Promise.all([
      startFiscal(['serve', 'invoice'], {
        ...shared,
        FISCAL_DATABASE_URL: invoiceDb.url,
        FISCAL_GRPC_PORT: String(invoicePort),
      }),
      startFiscal(['serve', 'query'], {
        ...shared,
        FISCAL_DATABASE_URL: queryDb.url,
        FISCAL_GRPC_PORT: String(queryPort),
      }),
    ]);
    processes.push(invoice, query);
    gateway = await startFiscal(['serve', 'gateway'], {
      FISCAL_INVOICE_GRPC_URL: `http://127.0.0.1:${invoicePort}`,
      FISCAL_QUERY_GRPC_URL: `http://127.0.0.1:${queryPort}`,
    });
    processes.push(gateway);
  });

  afterAll(async () => {
    for (const fiscal of processes.reverse()) {
      fiscal.child.kill('SIGTERM');
      await fiscal.exited();
    }
    await Promise.all(databases.map((database) => database.dispose()));
    await deleteTopology(namePrefix);
  });

  it('carries an invoice from the gateway through RabbitMQ to the read model', async () => {
    const uuid = randomUUID();
    const response = await fetch(`${gateway.baseUrl}/api/v1/invoices`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        uuid,
        issuer: 'EKU9003173C9',
        receiver: 'XAXX010101000',
        amount: '99.50',
        currency: 'MXN',
        issuanceDate: '2026-11-21T08:00:00Z',
        xml: '<cfdi:Comprobante/>',
      }),
    });
    expect(response.status).toBe(202);
    const accepted = (await response.json()) as { id: string };
    const projected = await waitFor(
      async () => {
        const read = await fetch(`${gateway.baseUrl}/api/v1/invoices/${accepted.id}`);
        return read.status === 200 ? read.json() : undefined;
      },
      { what: 'the invoice to reach the query service over RabbitMQ' },
    );
    expect(projected).toMatchObject({ id: accepted.id, uuid, amount: '99.50', status: 'pending' });
  });

  it('stops every process cleanly on SIGTERM', async () => {
    for (const fiscal of processes.splice(0).reverse()) {
      fiscal.child.kill('SIGTERM');
      expect(await fiscal.exited()).toBe(0);
    }
  });
});

/** The broker is shared: remove what this run's services declared. */
async function deleteTopology(prefix: string) {
  const names = groupNames(prefix, 'query-projector');
  const connection = await amqp.connect(serviceUrls.rabbitmq);
  const channel = await connection.createChannel();
  for (const queue of [names.queue, names.deadLetterQueue, ...names.retryQueues.map((retry) => retry.name)]) {
    await channel.deleteQueue(queue);
  }
  for (const exchange of [names.deadLetterExchange, `${prefix}fiscal.invoice`])
    await channel.deleteExchange(exchange);
  await connection.close();
}
