import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { probeService, serviceUrls } from '@fiscal/kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClusterState, clusterUp } from '../../apps/cli/src/cluster/local-cluster.js';
import {
  alertRules,
  dashboardQueries,
  metricNamesIn,
  recordingRules,
} from '../deploy/observability-queries.js';
import { validDocument, validDocumentChecksum, validMetadata } from '../support/cfdi.js';
import { type FileServer, startFileServer } from '../support/file-server.js';
import { bootstrapAdmin, freePort, runFiscal, signIn, waitFor } from '../support/fiscal-process.js';
import { probeTool } from '../support/tools.js';
import { type CollectedSpan, startTraceCollector, type TraceCollector } from '../support/trace-collector.js';

/**
 * `fiscal cluster`: the distributed system as separate processes on loopback, two gateways behind
 * HAProxy, two invoice workers, two shards. A client talks only to the load balancer; the test
 * reads each process's admin port and the spans every process exports over OTLP.
 */
const engines =
  (await probeService('postgres')) && (await probeService('rabbitmq')) && (await probeService('redis'));
const haproxy =
  engines && probeTool('haproxy', ['-v'], "Debian's haproxy package; .ci/engines.sh installs it");

describe.skipIf(!engines || !haproxy)(
  'fiscal cluster (two gateways behind HAProxy, every service its own process)',
  () => {
    let dir: string;
    let cluster: ClusterState;
    let files: FileServer;
    let collector: TraceCollector;
    let authorization: { authorization: string };
    let archivedInvoiceId: string;

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'fiscal-cluster-'));
      files = await startFileServer();
      collector = await startTraceCollector();
      cluster = await clusterUp({
        dir,
        name: `fiscal_e2e_${randomBytes(3).toString('hex')}`,
        port: await freePort(),
        postgresUrl: serviceUrls.postgres,
        rabbitmqUrl: serviceUrls.rabbitmq,
        redisUrl: serviceUrls.redis,
        env: {
          FISCAL_LOG_LEVEL: 'warn',
          FISCAL_BOOTSTRAP_ADMIN_EMAIL: bootstrapAdmin.email,
          FISCAL_BOOTSTRAP_ADMIN_PASSWORD: bootstrapAdmin.password,
          FISCAL_FETCH_ALLOW_HOSTS: new URL(files.baseUrl).host,
          // The standard variables, as an operator would set them.
          OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
          OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=e2e',
          OTEL_BSP_SCHEDULE_DELAY: '200',
        },
      });
      authorization = await signIn(cluster.url, bootstrapAdmin);
    });

    afterAll(async () => {
      if (dir) {
        const down = await runFiscal(['cluster', 'down', '--dir', dir, '--purge']);
        if (cluster) {
          expect(down.output).toMatch(/stopped 10 processes/);
          expect(down.code).toBe(0);
        }
      }
      await files?.close();
      await collector?.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('reports every process ready', async () => {
      const status = await runFiscal(['cluster', 'status', '--dir', dir]);
      expect(status.code, status.output).toBe(0);
      for (const name of [
        'haproxy',
        'gateway-1',
        'gateway-2',
        'auth',
        'invoice',
        'invoice-worker-1',
        'invoice-worker-2',
        'query',
        'analytics',
        'notification',
      ])
        expect(status.output).toMatch(new RegExp(`^${name}\\s+\\d+\\s+ready`, 'm'));
    });

    it('carries an invoice submitted through the load balancer to its archive, read back through both gateways', async () => {
      files.serve('/cluster/cfdi.xml', validDocument);
      const submitted = await fetch(`${cluster.url}/api/v1/invoices`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...authorization },
        body: JSON.stringify({
          ...validMetadata,
          fileUrl: `${files.baseUrl}/cluster/cfdi.xml`,
          checksum: validDocumentChecksum,
        }),
      });
      expect(submitted.status).toBe(202);
      const { id } = (await submitted.json()) as { id: string };
      archivedInvoiceId = id;
      await waitFor(
        async () => {
          const read = await fetch(`${cluster.url}/api/v1/invoices/${id}`, { headers: authorization });
          return read.status === 200 && ((await read.json()) as { status: string }).status === 'archived';
        },
        { timeoutMs: 60_000, what: 'the invoice to be archived and read back through the balancer' },
      );
      for (let read = 0; read < 6; read++) {
        const response = await fetch(`${cluster.url}/api/v1/invoices/${id}/timeline`, {
          headers: authorization,
        });
        expect(response.status).toBe(200);
      }
      const document = await fetch(`${cluster.url}/api/v1/invoices/${id}/document`, {
        headers: authorization,
      });
      expect(Buffer.from(await document.arrayBuffer()).equals(validDocument)).toBe(true);

      // Round robin: each gateway answered part of it.
      for (const gateway of cluster.processes.filter((process) => process.service === 'gateway')) {
        const metrics = await (await fetch(`http://127.0.0.1:${gateway.adminPort}/metrics`)).text();
        const answered = [
          ...metrics.matchAll(/^http_requests_total\{[^}]*route="\/api\/v1\/invoices[^"]*"[^}]*\} (\d+)/gm),
        ]
          .map((match) => Number(match[1]))
          .reduce((sum, count) => sum + count, 0);
        expect(answered, `${gateway.name} answered requests`).toBeGreaterThan(0);
      }
    });

    it('exports every metric the dashboard and the alert rules query', async () => {
      const exported = new Set<string>(['up']);
      for (const process of cluster.processes) {
        const text = await (await fetch(`http://127.0.0.1:${process.adminPort}/metrics`)).text();
        for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)/gm)) {
          exported.add(name!);
          if (type === 'histogram')
            for (const suffix of ['_bucket', '_sum', '_count']) exported.add(`${name}${suffix}`);
        }
      }
      const recorded = new Set(recordingRules().map((rule) => rule.record));
      const queried = [
        ...dashboardQueries(),
        ...alertRules().map((alert) => alert.expr),
        ...recordingRules().map((rule) => rule.expr),
      ].flatMap(metricNamesIn);
      expect([...new Set(queried)].filter((name) => !recorded.has(name) && !exported.has(name))).toEqual([]);
    });

    it('records one trace from the gateway request through the invoice service, relay, broker, worker and every consumer', async () => {
      /**
       * The request's trace, and the traces of batches that carried its events: a consumer handed
       * several events at once opens one span linked to each event's trace instead of a child.
       */
      const related = (spans: CollectedSpan[]) => {
        const root = spans.find(
          (span) =>
            span.service === 'gateway' && span.name === 'POST /api/v1/invoices' && span.parentSpanId === '',
        );
        if (!root) return undefined;
        const traces = new Set([root.traceId]);
        for (let grew = true; grew; ) {
          grew = false;
          for (const span of spans)
            if (!traces.has(span.traceId) && span.links.some((link) => traces.has(link.traceId))) {
              traces.add(span.traceId);
              grew = true;
            }
        }
        return { root, spans: spans.filter((span) => traces.has(span.traceId)) };
      };
      const { root, spans } = await waitFor(
        async () => {
          const found = related(collector.spans);
          const seen = new Set(found?.spans.map((span) => span.service));
          return ['gateway', 'invoice', 'invoice-worker', 'query', 'analytics', 'notification'].every(
            (service) => seen.has(service),
          )
            ? found
            : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 200, what: 'spans of every service in the request trace' },
      );
      const byId = new Map(spans.map((span) => [span.spanId, span]));
      // One tree: every span but the gateway's request has its parent (or, for a batch, a link) in it.
      const orphans = spans.filter(
        (span) =>
          span.parentSpanId !== '' &&
          !byId.has(span.parentSpanId) &&
          !span.links.some((link) => byId.has(link.spanId)),
      );
      expect(orphans.map((span) => `${span.service}: ${span.name}`)).toEqual([]);
      expect(spans.filter((span) => span.parentSpanId === '' && span.links.length === 0)).toEqual([root]);
      const names = (service: string) =>
        spans.filter((span) => span.service === service).map((span) => span.name);
      expect(names('invoice').some((name) => name.includes('CreateInvoice'))).toBe(true);
      // A consumer continues the span that raised the event, as its child or, in a batch, by a link.
      const continues = (service: string, from: CollectedSpan | undefined) =>
        spans.some(
          (span) =>
            span.service === service &&
            span.kind === 5 &&
            from !== undefined &&
            (span.parentSpanId === from.spanId || span.links.some((link) => link.spanId === from.spanId)),
        );
      // An event reaches a consumer through the outbox relay, whose producer span is a child of the
      // span that raised it, and RabbitMQ.
      const throughRelay = (service: string, from: CollectedSpan | undefined) =>
        spans.some(
          (relay) =>
            relay.kind === 4 &&
            relay.name.startsWith('outbox publish') &&
            from !== undefined &&
            relay.parentSpanId === from.spanId &&
            continues(service, relay),
        );
      // The created event left the invoice service's transaction.
      const command = spans.find((span) => span.service === 'invoice' && span.kind === 2);
      for (const service of ['invoice-worker', 'query'])
        expect(throughRelay(service, command), service).toBe(true);
      // The archived event the worker raised reaches every consumer of it.
      const processing = spans.find(
        (span) => span.service === 'invoice-worker' && span.name === 'invoice.store',
      )?.parentSpanId;
      const processingSpan = processing === undefined ? undefined : byId.get(processing);
      for (const service of ['query', 'analytics', 'notification'])
        expect(throughRelay(service, processingSpan), service).toBe(true);
      for (const step of ['download', 'checksum', 'validate', 'compress', 'store'])
        expect(names('invoice-worker')).toContain(`invoice.${step}`);
      expect(archivedInvoiceId).toBeTruthy();
    });

    it('runs retention on demand against the cluster, reporting what it would remove', async () => {
      const invoice = await runFiscal(['retention', 'run', 'invoice', '--dry-run'], {
        FISCAL_INVOICE_SHARD_URLS: cluster.databases.slice(0, 2).join(','),
        FISCAL_OBJECT_STORE_DIR: join(dir, 'objects'),
      });
      expect(invoice.code, invoice.output).toBe(0);
      expect(invoice.output).toContain('(dry run: nothing removed)');
      expect(invoice.output).toContain('nothing past retention');
      const inbox = await runFiscal(['retention', 'run', 'query', '--dry-run', '--json'], {
        FISCAL_DATABASE_URL: cluster.databases[2]!,
      });
      expect(inbox.code, inbox.output).toBe(0);
      expect(JSON.parse(inbox.output)).toMatchObject({ service: 'query', dryRun: true, inboxEvents: 0 });
    });

    it('exports no trace while nothing happens: idle relays, dispatchers, sweeps and consumers make none', async () => {
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const quietFrom = Date.now();
      await new Promise((resolve) => setTimeout(resolve, 4_000));
      const idle = collector.spans.filter((span) => span.receivedAt > quietFrom + 500);
      expect(idle.map((span) => `${span.service}: ${span.name}`)).toEqual([]);
      expect(collector.spans.every((span) => span.service !== 'fiscal')).toBe(true);
    });
  },
);
