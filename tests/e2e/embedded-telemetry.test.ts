import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validDocument } from '../support/cfdi.js';
import { type FiscalProcess, startFiscal, waitFor } from '../support/fiscal-process.js';
import { startTraceCollector, type TraceCollector } from '../support/trace-collector.js';

/**
 * `fiscal start` runs every service in one process, yet exports each one's spans under its own
 * service.name, as `fiscal serve` does; idle loops export nothing.
 */
describe('fiscal start traces (embedded mode, OTLP)', () => {
  let collector: TraceCollector;
  let fiscal: FiscalProcess;

  beforeAll(async () => {
    collector = await startTraceCollector();
    fiscal = await startFiscal(['start', '--memory'], {
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_BSP_SCHEDULE_DELAY: '200',
    });
  });
  afterAll(async () => {
    fiscal?.child.kill('SIGTERM');
    await fiscal?.exited();
    await collector?.close();
  });

  it('exports the services of one request under their own names, in one trace', async () => {
    const response = await fetch(`${fiscal.baseUrl}/api/v1/invoices`, {
      method: 'POST',
      headers: { 'content-type': 'application/xml', ...(await fiscal.auth()) },
      body: validDocument,
    });
    expect(response.status).toBe(202);
    const services = await waitFor(
      async () => {
        const root = collector.spans.find(
          (span) => span.name === 'POST /api/v1/invoices' && span.parentSpanId === '',
        );
        if (!root) return undefined;
        // The request's trace, and batches of events that continue it by a link.
        const seen = new Set(
          collector.spans
            .filter(
              (span) =>
                span.traceId === root.traceId || span.links.some((link) => link.traceId === root.traceId),
            )
            .map((span) => span.service),
        );
        return ['gateway', 'invoice', 'invoice-worker', 'query'].every((service) => seen.has(service))
          ? seen
          : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200, what: "the request's spans under each service's name" },
    );
    expect(services.has('fiscal')).toBe(false);
    const root = collector.spans.find((span) => span.name === 'POST /api/v1/invoices');
    expect(root?.service).toBe('gateway');
  });

  it('exports no span while nothing happens', async () => {
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const quietFrom = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    const idle = collector.spans.filter((span) => span.receivedAt > quietFrom + 500);
    expect(idle.map((span) => `${span.service}: ${span.name}`)).toEqual([]);
  });
});
