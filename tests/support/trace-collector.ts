import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One span as an OTLP/HTTP JSON export carries it, with its process's resource. */
export interface CollectedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  service: string;
  attributes: Record<string, unknown>;
  /** Spans this one continues without being their child (a batch of events from several traces). */
  links: { traceId: string; spanId: string }[];
  receivedAt: number;
}

/**
 * An OpenTelemetry collector on loopback that keeps in memory every span sent to /v1/traces
 * (OTLP/HTTP JSON, what the services' exporter sends): the in-memory exporter of tests whose
 * spans come from other processes.
 */
export interface TraceCollector {
  readonly url: string;
  readonly spans: CollectedSpan[];
  close(): Promise<void>;
}

type AnyValue = {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
};
const scalarOf = (value: AnyValue) =>
  value.stringValue ?? value.intValue ?? value.boolValue ?? value.doubleValue;
const attributesOf = (list: { key: string; value: AnyValue }[] = []) =>
  Object.fromEntries(list.map((attribute) => [attribute.key, scalarOf(attribute.value)]));
const hex = (id: unknown) =>
  typeof id === 'string' ? (/^[0-9a-f]*$/.test(id) ? id : Buffer.from(id, 'base64').toString('hex')) : '';

export async function startTraceCollector(): Promise<TraceCollector> {
  const spans: CollectedSpan[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        for (const resourceSpans of body.resourceSpans ?? []) {
          const resource = attributesOf(resourceSpans.resource?.attributes);
          for (const scopeSpans of resourceSpans.scopeSpans ?? [])
            for (const span of scopeSpans.spans ?? [])
              spans.push({
                traceId: hex(span.traceId),
                spanId: hex(span.spanId),
                parentSpanId: hex(span.parentSpanId),
                name: span.name,
                kind: span.kind,
                service: String(resource['service.name']),
                attributes: attributesOf(span.attributes),
                links: (span.links ?? []).map((link: { traceId: unknown; spanId: unknown }) => ({
                  traceId: hex(link.traceId),
                  spanId: hex(link.spanId),
                })),
                receivedAt: Date.now(),
              });
        }
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      } catch {
        response.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    spans,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
