import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DescService } from '@bufbuild/protobuf';
import { Code, ConnectError, createClient } from '@connectrpc/connect';
import { AnalyticsService } from '@fiscal/contracts/rpc/analytics';
import { AuthService } from '@fiscal/contracts/rpc/auth';
import { InvoiceService } from '@fiscal/contracts/rpc/invoice';
import { NotificationService } from '@fiscal/contracts/rpc/notification';
import { QueryService } from '@fiscal/contracts/rpc/query';
import { createGrpcClientTransport, type GrpcClientTransport } from '@fiscal/kit/grpc';
import { probeService, serviceUrls } from '@fiscal/kit/testing';
import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClusterState, clusterUp } from '../../apps/cli/src/cluster/local-cluster.js';
import { validDocument, validDocumentChecksum, validMetadata } from '../support/cfdi.js';
import { type FileServer, startFileServer } from '../support/file-server.js';
import { bootstrapAdmin, freePort, runFiscal, signIn, waitFor } from '../support/fiscal-process.js';
import { probeTool } from '../support/tools.js';

const engines =
  (await probeService('postgres')) && (await probeService('rabbitmq')) && (await probeService('redis'));

const haproxy =
  engines && probeTool('haproxy', ['-v'], "Debian's haproxy package; .ci/engines.sh installs it");

/**
 * The distributed system as `fiscal cluster up` runs it: every service its own `fiscal serve`
 * process, two gateways behind HAProxy (the address every request here goes to), two invoice
 * workers, two shards; the services' own gRPC ports are attacked directly.
 */
describe.skipIf(!engines || !haproxy)(
  'fiscal serve (distributed mode on PostgreSQL, RabbitMQ and Redis, through fiscal cluster)',
  () => {
    let cluster: ClusterState | undefined;
    let clusterDir: string;
    let databases: { url: string }[] = [];
    let gateway: { baseUrl: string; adminUrl: string; auth(): Promise<{ authorization: string }> };
    /** The services' own gRPC ports, which a caller on their network could reach past the gateway. */
    let servicePorts: Record<'invoice' | 'query' | 'auth' | 'analytics' | 'notification', number>;
    let files: FileServer;

    beforeAll(async () => {
      files = await startFileServer();
      clusterDir = await mkdtemp(join(tmpdir(), 'fiscal-e2e-cluster-'));
      cluster = await clusterUp({
        dir: clusterDir,
        name: `fiscal_e2e_${randomUUID().slice(0, 8)}`,
        port: await freePort(),
        postgresUrl: serviceUrls.postgres,
        rabbitmqUrl: serviceUrls.rabbitmq,
        redisUrl: serviceUrls.redis,
        env: {
          FISCAL_LOG_LEVEL: 'warn',
          FISCAL_BOOTSTRAP_ADMIN_EMAIL: bootstrapAdmin.email,
          FISCAL_BOOTSTRAP_ADMIN_PASSWORD: bootstrapAdmin.password,
          FISCAL_FETCH_ALLOW_HOSTS: new URL(files.baseUrl).host,
        },
      });
      const state = cluster;
      const portOf = (name: string) => state.processes.find((process) => process.name === name)!.grpcPort!;
      servicePorts = {
        invoice: portOf('invoice'),
        query: portOf('query'),
        auth: portOf('auth'),
        analytics: portOf('analytics'),
        notification: portOf('notification'),
      };
      databases = state.databases.map((url) => ({ url }));
      const firstGateway = state.processes.find((process) => process.service === 'gateway')!;
      let session: Promise<{ authorization: string }> | undefined;
      gateway = {
        baseUrl: state.url,
        adminUrl: `http://127.0.0.1:${firstGateway.adminPort}`,
        auth: () => {
          session ??= signIn(state.url, bootstrapAdmin);
          return session;
        },
      };
      // Operators migrate ahead of a rollout (fiscal cluster up did); a second run finds nothing to apply.
      expect(
        await runFiscal(['migrate', 'invoice'], {
          FISCAL_INVOICE_SHARD_URLS: state.databases.slice(0, 2).join(','),
        }),
      ).toMatchObject({ code: 0, output: expect.stringContaining('invoice is up to date (2 shards)') });
    });

    afterAll(async () => {
      // Whatever a failed test left running, and everything the cluster created on the engines.
      if (clusterDir && existsSync(join(clusterDir, 'cluster.json')))
        await runFiscal(['cluster', 'down', '--dir', clusterDir, '--purge']);
      await files?.close();
      if (clusterDir) await rm(clusterDir, { recursive: true, force: true });
    });

    it('carries an invoice from the gateway through RabbitMQ to the read model', async () => {
      const uuid = randomUUID();
      const response = await fetch(`${gateway.baseUrl}/api/v1/invoices`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(await gateway.auth()) },
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
          const read = await fetch(`${gateway.baseUrl}/api/v1/invoices/${accepted.id}`, {
            headers: await gateway.auth(),
          });
          return read.status === 200 ? read.json() : undefined;
        },
        { what: 'the invoice to reach the query service over RabbitMQ' },
      );
      expect(projected).toMatchObject({ id: accepted.id, uuid, amount: '99.50' });
    });

    it('downloads, validates and archives a document through the worker, shards and shared storage', async () => {
      files.serve('/cfdi.xml', validDocument);
      const response = await fetch(`${gateway.baseUrl}/api/v1/invoices`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(await gateway.auth()) },
        body: JSON.stringify({
          ...validMetadata,
          fileUrl: `${files.baseUrl}/cfdi.xml`,
          checksum: validDocumentChecksum,
        }),
      });
      expect(response.status).toBe(202);
      const accepted = (await response.json()) as { id: string };
      await waitFor(
        async () => {
          const read = await fetch(`${gateway.baseUrl}/api/v1/invoices/${accepted.id}`, {
            headers: await gateway.auth(),
          });
          return read.status === 200 && ((await read.json()) as { status: string }).status === 'archived';
        },
        { what: 'the worker to archive the invoice and the read model to show it' },
      );
      const document = await fetch(`${gateway.baseUrl}/api/v1/invoices/${accepted.id}/document`, {
        headers: await gateway.auth(),
      });
      expect(document.status).toBe(200);
      expect(Buffer.from(await document.arrayBuffer()).equals(validDocument)).toBe(true);

      // The archive reaches the analytics service over RabbitMQ: today's report counts it.
      const today = new Date().toISOString().slice(0, 10);
      const report = await waitFor(
        async () => {
          const read = await fetch(`${gateway.baseUrl}/api/v1/reports/daily?date=${today}`, {
            headers: await gateway.auth(),
          });
          const body = (await read.json()) as { statuses?: { status: string; count: number }[] };
          return body.statuses?.some((row) => row.status === 'archived') ? body : undefined;
        },
        { what: 'the archived invoice in the daily report' },
      );
      expect(report.statuses).toContainEqual({ status: 'archived', count: 1 });
      const listed = await fetch(
        `${gateway.baseUrl}/api/v1/invoices?q=${validMetadata.issuer}&status=archived`,
        {
          headers: await gateway.auth(),
        },
      );
      expect(((await listed.json()) as { items: { id: string }[] }).items.map((item) => item.id)).toEqual([
        accepted.id,
      ]);
    });

    it('refuses a token after logout on every gateway replica, through Redis', async () => {
      const login = await fetch(`${gateway.baseUrl}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(bootstrapAdmin),
      });
      const tokens = (await login.json()) as { accessToken: string; refreshToken: string };
      const authorization = `Bearer ${tokens.accessToken}`;
      expect((await fetch(`${gateway.baseUrl}/api/v1/invoices`, { headers: { authorization } })).status).toBe(
        200,
      );
      const logout = await fetch(`${gateway.baseUrl}/api/v1/auth/logout`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization },
        body: JSON.stringify({ refreshToken: tokens.refreshToken }),
      });
      expect(logout.status).toBe(204);
      const refused = await fetch(`${gateway.baseUrl}/api/v1/invoices`, { headers: { authorization } });
      expect(refused.status).toBe(401);
    });

    it('refuses direct calls to every service port without a genuine token, or claiming more than it grants', async () => {
      const transports: GrpcClientTransport[] = [];
      const direct = <S extends DescService>(service: S, port: number) => {
        const transport = createGrpcClientTransport({ baseUrl: `http://127.0.0.1:${port}` });
        transports.push(transport);
        return createClient(service, transport);
      };
      const refusal = (call: Promise<unknown>) =>
        call.then(
          () => 'accepted',
          (error: unknown) => Code[ConnectError.from(error).code],
        );
      // A token signed with a key of the attacker's own, naming a real kid, a platform administrator.
      const { keys } = (await (await fetch(`${gateway.baseUrl}/.well-known/jwks.json`)).json()) as {
        keys: { kid: string }[];
      };
      const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
      const forged = await new SignJWT({
        org: 'org_any',
        role: 'admin',
        scopes: ['invoices:write', 'invoices:read', 'reports:read', 'admin'],
        tier: 'enterprise',
        padm: true,
        jti: 'atk_forged',
      })
        .setProtectedHeader({ alg: 'EdDSA', kid: keys[0]!.kid })
        .setSubject('usr_forged')
        .setIssuer('fiscal-auth')
        .setAudience('fiscal-api')
        .setIssuedAt()
        .setExpirationTime('10m')
        .sign(privateKey);
      const forgedHeaders = { headers: { authorization: `Bearer ${forged}` } };

      const auth = direct(AuthService, servicePorts.auth);
      const query = direct(QueryService, servicePorts.query);
      const invoice = direct(InvoiceService, servicePorts.invoice);
      const analytics = direct(AnalyticsService, servicePorts.analytics);
      const notification = direct(NotificationService, servicePorts.notification);
      const escalation = {
        email: 'intruder@fiscal.test',
        password: 'a long passphrase of mine',
        role: 'admin',
        platformAdmin: true,
      };
      try {
        const { organizations } = await auth
          .listOrganizations({}, { headers: await gateway.auth() })
          .catch(() => ({ organizations: [{ id: 'org_unknown' }] }));
        const orgId = organizations[0]!.id;
        const outcomes = {
          listOrganizations: await refusal(auth.listOrganizations({})),
          createUser: await refusal(auth.createUser({ orgId, ...escalation })),
          createUserForged: await refusal(auth.createUser({ orgId, ...escalation }, forgedHeaders)),
          listInvoices: await refusal(query.listInvoices({})),
          listInvoicesForged: await refusal(query.listInvoices({}, forgedHeaders)),
          createInvoice: await refusal(invoice.createInvoice({ submission: { uuid: randomUUID() } })),
          getDocumentForged: await refusal(invoice.getDocument({ id: 'inv_any' }, forgedHeaders)),
          dailyReport: await refusal(analytics.getDailyReport({ date: '2026-11-24' })),
          listWebhooks: await refusal(notification.listWebhooks({}, forgedHeaders)),
        };
        expect(outcomes).toEqual({
          listOrganizations: 'Unauthenticated',
          createUser: 'Unauthenticated',
          createUserForged: 'Unauthenticated',
          listInvoices: 'Unauthenticated',
          listInvoicesForged: 'Unauthenticated',
          createInvoice: 'Unauthenticated',
          getDocumentForged: 'Unauthenticated',
          dailyReport: 'Unauthenticated',
          listWebhooks: 'Unauthenticated',
        });
        // A genuine token is no more than it says: an organisation admin asking for a platform
        // administrator is refused, and no such user can sign in.
        const adminOfOther = await organisationAdmin(gateway, `intruders-${randomUUID().slice(0, 6)}`);
        const genuine = { headers: { authorization: `Bearer ${adminOfOther.accessToken}` } };
        expect(await refusal(auth.createUser({ orgId, ...escalation }, genuine))).toBe('PermissionDenied');
        expect(await refusal(auth.createUser({ orgId: adminOfOther.orgId, ...escalation }, genuine))).toBe(
          'PermissionDenied',
        );
        // It reads its own organisation only, whatever it asks the query service directly.
        const { items } = await query.listInvoices({ limit: 500 }, genuine);
        expect(items.every((item) => item.orgId === adminOfOther.orgId)).toBe(true);
        const login = await fetch(`${gateway.baseUrl}/api/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: escalation.email, password: escalation.password }),
        });
        expect(login.status).toBe(401);
      } finally {
        for (const transport of transports) transport.close();
      }
    });

    it('keeps the auth breaker closed while one client locks an account, so other tenants sign in', async () => {
      const victim = { email: 'victim@nowhere.test', password: 'not the password at all' };
      const attempt = () =>
        fetch(`${gateway.baseUrl}/api/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(victim),
        }).then((response) => response.status);
      // Well past the lockout, in parallel: every one after the tenth is a 429 login_locked.
      const statuses = await Promise.all(Array.from({ length: 16 }, attempt));
      statuses.push(...(await Promise.all(Array.from({ length: 8 }, attempt))));
      expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(10);
      expect(statuses.every((status) => status === 401 || status === 429)).toBe(true);

      const signIn = await fetch(`${gateway.baseUrl}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(bootstrapAdmin),
      });
      expect(signIn.status).toBe(200);
      const metrics = await (await fetch(`${gateway.adminUrl}/metrics`)).text();
      expect(metrics).toMatch(/resilience_breaker_state\{[^}]*policy="auth-service"[^}]*\} 0/);
    });

    it('fiscal shards plan names the slot ranges a new map would move', async () => {
      const plan = await runFiscal(['shards', 'plan', '--to', '0-1023:0,1024-4095:1'], {
        FISCAL_INVOICE_SHARD_URLS: databases
          .slice(0, 2)
          .map((database) => database.url)
          .join(','),
      });
      expect(plan).toMatchObject({
        code: 0,
        output: expect.stringContaining('slots 1024-2047: shard 0 → shard 1'),
      });
    });

    it('stops every process cleanly on SIGTERM: the balancer, the gateways, then the services', async () => {
      const down = await runFiscal(['cluster', 'down', '--dir', clusterDir, '--purge']);
      expect(down).toMatchObject({ code: 0, output: expect.stringMatching(/stopped 10 processes\n/) });
    });
  },
);

/** A new organisation through the gateway, and its admin signed in. */
async function organisationAdmin(
  gateway: { baseUrl: string; auth(): Promise<{ authorization: string }> },
  name: string,
) {
  const headers = { 'content-type': 'application/json', ...(await gateway.auth()) };
  const org = (await (
    await fetch(`${gateway.baseUrl}/api/v1/orgs`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ name, tier: 'pro' }),
    })
  ).json()) as { id: string };
  const email = `admin@${name}.test`;
  const password = 'a long passphrase of theirs';
  const created = await fetch(`${gateway.baseUrl}/api/v1/users`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ email, password, role: 'admin', orgId: org.id }),
  });
  expect(created.status).toBe(201);
  const login = await fetch(`${gateway.baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  const { accessToken } = (await login.json()) as { accessToken: string };
  return { orgId: org.id, accessToken };
}
