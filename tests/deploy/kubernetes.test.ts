import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { processorGroup } from '@fiscal/invoice';
import { duration, parseConfig } from '@fiscal/kit/config';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { serviceConfigs } from '../../apps/cli/src/commands/serve.js';
import { configReference } from '../../apps/cli/src/config-reference.js';
import { probeTool, runTool } from '../support/tools.js';

/**
 * Every overlay is rendered by kustomize (`kubectl kustomize`), each object is validated against
 * the Kubernetes API schemas (the `kubernetes-models` packages, generated from Kubernetes'
 * OpenAPI and KEDA's CRDs), then checked against the rules a production rollout relies on.
 */
const k8sDir = fileURLToPath(new URL('../../deploy/k8s/', import.meta.url));
const overlays = readdirSync(`${k8sDir}overlays`);
const kubectl = probeTool(
  'kubectl',
  ['kustomize', '--help'],
  'kubectl with kustomize; .ci/engines.sh installs it',
);

// biome-ignore lint/suspicious/noExplicitAny: rendered manifests are untyped YAML
type Manifest = Record<string, any>;

function render(overlay: string): Manifest[] {
  const { status, output } = runTool('kubectl', ['kustomize', `${k8sDir}overlays/${overlay}`]);
  if (status !== 0) throw new Error(`kubectl kustomize ${overlay} failed:\n${output}`);
  const manifests = parseAllDocuments(output)
    .map((document) => document.toJS() as Manifest)
    .filter(Boolean);
  // kustomize wraps a long Secret value's base64 over lines, which the API server's decoder
  // ignores and the schema's `byte` format does not: the value is the same without them.
  for (const manifest of manifests.filter((each) => each.kind === 'Secret'))
    for (const key of Object.keys(manifest.data ?? {}))
      manifest.data[key] = manifest.data[key].replace(/\s+/g, '');
  return manifests;
}

/** The model class that validates an object of this apiVersion and kind. */
async function modelOf(apiVersion: string, kind: string) {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const module =
    group === 'keda.sh'
      ? await import(`@kubernetes-models/keda/keda.sh/${version}`)
      : await import(group === '' ? `kubernetes-models/${version}` : `kubernetes-models/${group}/${version}`);
  const Model = module[kind];
  if (!Model) throw new Error(`no schema for ${apiVersion} ${kind}`);
  return Model as new (
    data: Manifest,
  ) => { validate(): void };
}

const milliseconds = (text: string) => {
  const parsed = duration().parse(text);
  if (!parsed.ok) throw new Error(`not a duration: ${text}`);
  return parsed.value;
};

const secretExample = Object.fromEntries(
  readFileSync(`${k8sDir}secrets.example.env`, 'utf8')
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
);

/** Settings a Fiscal service cannot have in a Deployment, and why. */
const notForDeployments: Record<string, string> = {
  FISCAL_DATA_DIR: 'embedded mode only',
  FISCAL_MEMORY: 'embedded mode only',
  FISCAL_INVOICE_SHARDS: 'embedded mode only (distributed: one URL per shard)',
  FISCAL_DATABASE_SCHEMA: "defaults to the service's name, which keeps services apart in a shared database",
  FISCAL_ADMIN_URL: "read by `fiscal dlq`, whose default (this pod's admin port) is right in a pod's shell",
  FISCAL_DATABASE_URL: "each Deployment's own, from the Secret",
};

describe.skipIf(!kubectl).each(overlays)('deploy/k8s/overlays/%s', (overlay) => {
  let manifests: Manifest[];
  let settings: Record<string, string>;
  const ofKind = (kind: string) => manifests.filter((manifest) => manifest.kind === kind);
  const fiscalDeployments = () =>
    ofKind('Deployment').filter(
      (deployment) => deployment.metadata.labels?.['app.kubernetes.io/part-of'] === 'fiscal',
    );
  const secretValues = (): Record<string, string> => {
    const secret = ofKind('Secret').find((each) => each.metadata.name.startsWith('fiscal-secrets'));
    if (!secret) return secretExample;
    return Object.fromEntries(
      Object.entries(secret.data as Record<string, string>).map(([key, value]) => [
        key,
        Buffer.from(value, 'base64').toString('utf8'),
      ]),
    );
  };
  const environmentOf = (container: Manifest): Record<string, string> => {
    const environment: Record<string, string> = {};
    for (const source of container.envFrom ?? []) {
      const configMap = ofKind('ConfigMap').find((each) => each.metadata.name === source.configMapRef?.name);
      Object.assign(environment, configMap?.data);
    }
    const secrets = secretValues();
    for (const variable of container.env ?? []) {
      const key = variable.valueFrom?.secretKeyRef?.key;
      const value = variable.value ?? (key === undefined ? undefined : secrets[key]);
      if (value !== undefined) environment[variable.name] = value;
    }
    return environment;
  };

  beforeAll(() => {
    manifests = render(overlay);
    settings = ofKind('ConfigMap').find((each) => each.metadata.name.startsWith('fiscal-settings'))?.data;
  });

  it('renders objects that are valid against the Kubernetes and KEDA schemas', async () => {
    expect(manifests.length).toBeGreaterThan(20);
    for (const manifest of manifests) {
      const Model = await modelOf(manifest.apiVersion, manifest.kind);
      expect(
        () => new Model(manifest).validate(),
        `${manifest.kind} ${manifest.metadata?.name}`,
      ).not.toThrow();
      expect(manifest.metadata.namespace ?? 'fiscal', `${manifest.kind} ${manifest.metadata.name}`).toBe(
        'fiscal',
      );
    }
  });

  it('deploys every service, from one image', () => {
    const names = fiscalDeployments().map((deployment) => deployment.metadata.name);
    expect(names.sort()).toEqual(Object.keys(serviceConfigs).sort());
    const images = new Set(
      [...fiscalDeployments(), ...ofKind('Job')].flatMap((workload) =>
        [
          ...(workload.spec.template.spec.initContainers ?? []),
          ...workload.spec.template.spec.containers,
        ].map((container: Manifest) => container.image),
      ),
    );
    expect(images.size).toBe(1);
  });

  it('gives every Deployment both probes on the admin port, requests and limits, and the restricted security context', () => {
    for (const deployment of fiscalDeployments()) {
      const name = deployment.metadata.name;
      const pod = deployment.spec.template.spec;
      const [container, ...sidecars] = pod.containers;
      expect(sidecars, name).toEqual([]);
      const adminPort = container.ports.find((port: Manifest) => port.name === 'admin');
      expect(adminPort?.containerPort, name).toBe(Number(settings.FISCAL_ADMIN_PORT));
      expect(container.livenessProbe?.httpGet, name).toEqual({ path: '/healthz', port: 'admin' });
      expect(container.readinessProbe?.httpGet, name).toEqual({ path: '/readyz', port: 'admin' });
      for (const kind of ['requests', 'limits'])
        for (const resource of ['cpu', 'memory'])
          expect(container.resources?.[kind]?.[resource], `${name} ${kind}.${resource}`).toBeDefined();
      expect(pod.securityContext, name).toMatchObject({
        runAsNonRoot: true,
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(pod.securityContext.runAsUser, name).toBeGreaterThan(0);
      expect(container.securityContext, name).toMatchObject({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        capabilities: { drop: ['ALL'] },
      });
      expect(pod.automountServiceAccountToken, name).toBe(false);
    }
    const namespace = ofKind('Namespace')[0];
    expect(namespace?.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });

  it('lets a pod drain before it is killed, and rolls out without losing capacity', () => {
    const budget = milliseconds(settings.FISCAL_SHUTDOWN_TIMEOUT ?? '30s');
    for (const deployment of fiscalDeployments()) {
      const name = deployment.metadata.name;
      const pod = deployment.spec.template.spec;
      const preStop = pod.containers[0].lifecycle?.preStop?.exec?.command;
      expect(preStop?.[0], name).toBe('sleep');
      const pauseMs = Number(preStop[1]) * 1000;
      expect(pod.terminationGracePeriodSeconds * 1000, name).toBeGreaterThan(budget + pauseMs);
      expect(deployment.spec.strategy, name).toMatchObject({
        type: 'RollingUpdate',
        rollingUpdate: { maxUnavailable: 0 },
      });
      const selects = (selector: Record<string, string>) =>
        Object.entries(selector).every(
          ([key, value]) => deployment.spec.template.metadata.labels[key] === value,
        );
      expect(
        ofKind('PodDisruptionBudget').some((budget) => selects(budget.spec.selector.matchLabels)),
        `${name} has a PodDisruptionBudget`,
      ).toBe(true);
      const service = ofKind('Service').find((each) => selects(each.spec.selector ?? {}));
      expect(
        service?.spec.ports.map((port: Manifest) => port.name),
        name,
      ).toContain('admin');
    }
  });

  it('sets every FISCAL_* variable a service requires, with values it accepts at start-up', () => {
    for (const deployment of fiscalDeployments()) {
      const container = deployment.spec.template.spec.containers[0];
      const service = container.args[1];
      expect(container.args).toEqual(['serve', service]);
      const environment = environmentOf(container);
      // The very parser the process runs: a missing or malformed setting fails here as it would there.
      expect(() => parseConfig(serviceConfigs[service]!, environment), service).not.toThrow();
      if (service.startsWith('invoice'))
        expect(environment.FISCAL_INVOICE_SHARD_URLS?.split(',').length, service).toBeGreaterThanOrEqual(2);
      expect(environment.OTEL_SERVICE_NAME).toBe(service);
    }
  });

  it('wires every FISCAL_* setting through the ConfigMap or the Secret', () => {
    const wired = new Set([
      ...Object.keys(settings),
      ...fiscalDeployments().flatMap((deployment) =>
        deployment.spec.template.spec.containers[0].env.map((variable: Manifest) => variable.name),
      ),
    ]);
    const unwired = configReference()
      .map((row) => row.env)
      .filter((env) => !wired.has(env) && !(env in notForDeployments));
    expect(unwired).toEqual([]);
    const keys = [...fiscalDeployments(), ...ofKind('Job')].flatMap((workload) =>
      [
        ...(workload.spec.template.spec.initContainers ?? []),
        ...workload.spec.template.spec.containers,
      ].flatMap((container: Manifest) =>
        (container.env ?? []).flatMap((variable: Manifest) => variable.valueFrom?.secretKeyRef?.key ?? []),
      ),
    );
    for (const key of keys)
      expect(Object.keys(secretExample), `secrets.example.env has ${key}`).toContain(key);
  });

  it('scales the gateway on CPU and the invoice workers on their queue, with CPU as the fallback', () => {
    const autoscalerOf = (name: string) =>
      ofKind('HorizontalPodAutoscaler').find((each) => each.spec.scaleTargetRef.name === name);
    const cpuTarget = (autoscaler: Manifest | undefined) =>
      autoscaler?.spec.metrics.find((metric: Manifest) => metric.resource?.name === 'cpu');
    expect(cpuTarget(autoscalerOf('gateway'))).toBeDefined();
    const scaledObject = ofKind('ScaledObject').find(
      (each) => each.spec.scaleTargetRef.name === 'invoice-worker',
    );
    if (scaledObject) {
      // KEDA owns the worker's autoscaler: a second one would fight it.
      expect(autoscalerOf('invoice-worker')).toBeUndefined();
      const triggers = scaledObject.spec.triggers as Manifest[];
      expect(triggers.find((trigger) => trigger.type === 'rabbitmq')?.metadata.queueName).toBe(
        `${settings.FISCAL_RABBITMQ_NAME_PREFIX ?? ''}${processorGroup}`,
      );
      expect(triggers.some((trigger) => trigger.type === 'cpu')).toBe(true);
    } else {
      expect(cpuTarget(autoscalerOf('invoice-worker'))).toBeDefined();
    }
  });

  it('migrates every service that has a database before the rollout, in a Job', () => {
    const [job] = ofKind('Job');
    const pod = job?.spec.template.spec;
    const steps = [...pod.initContainers, ...pod.containers];
    expect(steps.map((container: Manifest) => container.args)).toEqual(
      ['auth', 'invoice', 'query', 'analytics', 'notification'].map((service) => ['migrate', service]),
    );
    for (const container of steps) {
      expect(container.securityContext).toMatchObject({
        allowPrivilegeEscalation: false,
        runAsNonRoot: true,
      });
      expect(container.resources?.limits?.memory).toBeDefined();
    }
  });

  it('opens only the gateway to the outside, gRPC ports to callers, admin ports to the monitoring namespace', () => {
    const policies = ofKind('NetworkPolicy');
    const denyAll = policies.find(
      (policy) => Object.keys(policy.spec.podSelector).length === 0 && policy.spec.ingress === undefined,
    );
    expect(denyAll?.spec.policyTypes).toEqual(['Ingress']);
    const openToAll = policies.flatMap((policy) =>
      (policy.spec.ingress ?? [])
        .filter((rule: Manifest) => rule.from === undefined)
        .map(() => policy.spec.podSelector.matchLabels?.['app.kubernetes.io/component']),
    );
    expect(openToAll).toEqual(['gateway']);
    const toAdmin = policies.flatMap((policy) =>
      (policy.spec.ingress ?? []).filter((rule: Manifest) =>
        rule.ports?.some((port: Manifest) => port.port === 'admin' || port.port === 9090),
      ),
    );
    expect(toAdmin.flatMap((rule: Manifest) => rule.from)).toEqual([
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } },
    ]);
  });
});
