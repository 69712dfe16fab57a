import { createMockDirectory } from '@backstage/backend-test-utils';
import { InputError } from '@backstage/errors';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import {
  ANNOTATION_KUBERNETES_ID,
  MARKER_LIFECYCLE_PHASE,
  MARKER_LIFECYCLE_STATUS,
  MeshConfigSnapshot,
  validateMeshConfig,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import {
  KubernetesEmulator,
  PrometheusInstance,
  startKubernetesEmulator,
  startPrometheus,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-test-utils';
import fs from 'node:fs';
import path from 'node:path';
import yaml from 'yaml';
import { MeshManifestsInput, buildMeshManifests } from './buildMeshManifests';
import { createManifestsGenerateAction } from './manifestsGenerate';
import { examples } from './manifestsGenerate.examples';

type GenerateInput = Parameters<
  ReturnType<typeof createManifestsGenerateAction>['handler']
>[0]['input'];

const mockDir = createMockDirectory();

async function run(input: GenerateInput) {
  mockDir.clear();
  const action = createManifestsGenerateAction();
  const workspacePath = mockDir.resolve('workspace');
  const ctx = createMockActionContext({ input, workspacePath });
  await action.handler(ctx);
  const outputs = new Map<string, unknown>();
  for (const [key, value] of jest.mocked(ctx.output).mock.calls) {
    outputs.set(String(key), value);
  }
  const files = outputs.get('files') as string[];
  const objects = files.map(file => {
    const parsed: unknown = yaml.parse(
      fs.readFileSync(path.join(workspacePath, file), 'utf8'),
    );
    return parsed as K8sObject;
  });
  return { files, objects, summary: outputs.get('summary') as string };
}

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec?: Record<string, unknown>;
}

function one(objects: K8sObject[], kind: string): K8sObject {
  const found = objects.filter(o => o.kind === kind);
  expect(found).toHaveLength(1);
  return found[0];
}

interface AlertRule {
  alert: string;
  expr: string;
  for: string;
  labels: Record<string, string>;
}

function alertRules(objects: K8sObject[]): AlertRule[] {
  const spec = one(objects, 'PrometheusRule').spec as {
    groups: Array<{ rules: AlertRule[] }>;
  };
  expect(spec.groups).toHaveLength(1);
  return spec.groups[0].rules;
}

const exampleSteps = examples.map(e => {
  const step = yaml.parse(e.example).steps[0];
  return [e.description, step] as const;
});

describe('mesh:manifests:generate', () => {
  it.each(exampleSteps)(
    'runs the documented example: %s',
    async (_description, step) => {
      expect(step.action).toBe('mesh:manifests:generate');
      const { files, objects, summary } = await run(step.input);
      const dir = step.input.outputPath ?? 'manifests';
      expect(files.length).toBeGreaterThanOrEqual(9);
      for (const file of files) expect(file.startsWith(`${dir}/`)).toBe(true);
      for (const o of objects) {
        expect(o.metadata.labels?.[ANNOTATION_KUBERNETES_ID]).toBe(
          step.input.name,
        );
        expect(o.metadata.annotations?.[MARKER_LIFECYCLE_PHASE]).toBe(
          step.input.phase ?? 'develop',
        );
        expect(o.metadata.annotations?.[MARKER_LIFECYCLE_STATUS]).toBe(
          'active',
        );
      }
      expect(objects.some(o => o.kind === 'Namespace')).toBe(
        step.input.createNamespace === true,
      );
      expect(objects.some(o => o.kind === 'HorizontalPodAutoscaler')).toBe(
        step.input.hpa !== undefined,
      );
      expect(summary).toContain(`${files.length} manifests`);
      expect(summary).toContain(step.input.name);
    },
  );

  it('writes the seed defaults', async () => {
    const { files, objects } = await run({
      name: 'user-service',
      namespace: 'production',
      image: 'user-service:v1.2.3',
    });
    expect(files).toEqual([
      'manifests/serviceaccount.yaml',
      'manifests/deployment.yaml',
      'manifests/service.yaml',
      'manifests/virtualservice.yaml',
      'manifests/destinationrule.yaml',
      'manifests/peerauthentication.yaml',
      'manifests/authorizationpolicy.yaml',
      'manifests/servicemonitor.yaml',
      'manifests/prometheusrule.yaml',
    ]);
    const host = 'user-service.production.svc.cluster.local';
    const probe = { httpGet: { path: '/health', port: 8080 } };
    expect(one(objects, 'Deployment')).toMatchObject({
      metadata: { name: 'user-service-v1', namespace: 'production' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'user-service', version: 'v1' } },
        template: {
          metadata: { labels: { app: 'user-service', version: 'v1' } },
          spec: {
            serviceAccountName: 'user-service',
            containers: [
              {
                image: 'user-service:v1.2.3',
                resources: {
                  requests: { cpu: '100m', memory: '128Mi' },
                  limits: { cpu: '500m', memory: '512Mi' },
                },
                readinessProbe: probe,
                livenessProbe: probe,
              },
            ],
          },
        },
      },
    });
    expect(one(objects, 'Service').spec).toEqual({
      selector: { app: 'user-service' },
      ports: [
        { name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' },
        { name: 'http-metrics', port: 9090, targetPort: 9090, protocol: 'TCP' },
      ],
    });
    expect(one(objects, 'VirtualService').spec).toEqual({
      hosts: [host],
      http: [
        {
          name: 'default',
          route: [{ destination: { host, subset: 'v1' } }],
          timeout: '5s',
          retries: {
            attempts: 3,
            perTryTimeout: '2s',
            retryOn: 'connect-failure,refused-stream',
          },
        },
      ],
    });
    expect(one(objects, 'DestinationRule').spec).toEqual({
      host,
      trafficPolicy: {
        connectionPool: {
          tcp: { maxConnections: 100, connectTimeout: '30ms' },
          http: { http1MaxPendingRequests: 1000, maxRequestsPerConnection: 10 },
        },
        outlierDetection: {
          consecutive5xxErrors: 5,
          interval: '60s',
          baseEjectionTime: '60s',
          maxEjectionPercent: 20,
        },
      },
      subsets: [{ name: 'v1', labels: { version: 'v1' } }],
    });
    expect(one(objects, 'PeerAuthentication').spec).toMatchObject({
      mtls: { mode: 'STRICT' },
    });
    expect(one(objects, 'AuthorizationPolicy').spec).toMatchObject({
      action: 'ALLOW',
      rules: [
        {
          from: [{ source: { namespaces: ['production'] } }],
          to: [{ operation: { methods: ['GET', 'POST'], paths: ['/api/*'] } }],
        },
        {
          to: [
            {
              operation: {
                ports: ['9090'],
                methods: ['GET'],
                paths: ['/metrics'],
              },
            },
          ],
        },
      ],
    });
    expect(one(objects, 'ServiceMonitor').spec).toEqual({
      selector: {
        matchLabels: {
          app: 'user-service',
          [ANNOTATION_KUBERNETES_ID]: 'user-service',
        },
      },
      endpoints: [{ port: 'http-metrics', path: '/metrics', interval: '30s' }],
    });
    const [latency, errors] = alertRules(objects);
    expect(latency).toMatchObject({
      alert: 'HighServiceLatency',
      for: '5m',
      labels: { severity: 'warning' },
    });
    expect(latency.expr).toMatch(/^histogram_quantile\(0\.95, /);
    expect(latency.expr).toContain('destination_service_name="user-service"');
    expect(latency.expr).toMatch(/ > 1000$/);
    expect(errors).toMatchObject({
      alert: 'HighErrorRate',
      for: '2m',
      labels: { severity: 'critical' },
    });
    expect(errors.expr).toContain('response_code=~"5.."');
    expect(errors.expr).toMatch(/ > 0\.01$/);
  });

  it('applies every override', async () => {
    const { objects } = await run({
      name: 'pricing',
      namespace: 'shop',
      image: 'pricing:2',
      kubernetesId: 'pricing-service',
      version: 'v2',
      replicas: 4,
      lifecycleStatus: 'decommissioning',
      serviceAccountName: 'pricing-sa',
      ports: [{ port: 9000, protocol: 'grpc', suffix: 'api' }],
      env: { LOG_LEVEL: 'debug' },
      configMapRefs: ['pricing-config'],
      secretRefs: ['pricing-secrets'],
      resources: { requests: { cpu: '250m' } },
      probes: { readiness: { path: '/ready', port: 8081 } },
      traffic: {
        timeout: '2s',
        retries: { attempts: 1, perTryTimeout: '500ms', retryOn: '5xx,503' },
        versions: [
          { name: 'v1', weight: 75 },
          { name: 'v2', weight: 25 },
        ],
      },
      connectionPool: { maxConnections: 7 },
      outlierDetection: { maxEjectionPercent: 50 },
      mtlsMode: 'PERMISSIVE',
      authorization: {
        callers: [{ namespace: 'web', serviceAccount: 'frontend' }],
        trustDomain: 'corp.example',
      },
      monitoring: { namespace: 'monitoring', port: 9100, interval: '15s' },
      alerts: { p95LatencyMs: 250, errorRatioPercent: 5, errorFor: '10m' },
      hpa: { maxReplicas: 8, cpuUtilizationPercent: 60 },
      pdb: { minAvailable: 3 },
    });
    for (const o of objects) {
      expect(o.metadata.labels?.[ANNOTATION_KUBERNETES_ID]).toBe(
        'pricing-service',
      );
      expect(o.metadata.annotations?.[MARKER_LIFECYCLE_STATUS]).toBe(
        'decommissioning',
      );
    }
    expect(one(objects, 'Deployment')).toMatchObject({
      metadata: { name: 'pricing-v2' },
      spec: {
        replicas: 4,
        template: {
          spec: {
            serviceAccountName: 'pricing-sa',
            containers: [
              {
                env: [{ name: 'LOG_LEVEL', value: 'debug' }],
                envFrom: [
                  { configMapRef: { name: 'pricing-config' } },
                  { secretRef: { name: 'pricing-secrets' } },
                ],
                resources: { requests: { cpu: '250m', memory: '128Mi' } },
                readinessProbe: { httpGet: { path: '/ready', port: 8081 } },
                livenessProbe: { httpGet: { path: '/health', port: 9000 } },
              },
            ],
          },
        },
      },
    });
    expect(one(objects, 'ServiceAccount').metadata.name).toBe('pricing-sa');
    expect(one(objects, 'Service').spec).toMatchObject({
      ports: [{ name: 'grpc-api', port: 9000, targetPort: 9000 }, {}],
    });
    const host = 'pricing.shop.svc.cluster.local';
    expect(one(objects, 'VirtualService').spec).toMatchObject({
      http: [
        {
          timeout: '2s',
          retries: { attempts: 1, perTryTimeout: '500ms', retryOn: '5xx,503' },
          route: [
            { destination: { host, subset: 'v1' }, weight: 75 },
            { destination: { host, subset: 'v2' }, weight: 25 },
          ],
        },
      ],
    });
    expect(one(objects, 'DestinationRule').spec).toMatchObject({
      trafficPolicy: {
        connectionPool: { tcp: { maxConnections: 7, connectTimeout: '30ms' } },
        outlierDetection: { maxEjectionPercent: 50, consecutive5xxErrors: 5 },
      },
      subsets: [{ name: 'v1' }, { name: 'v2' }],
    });
    expect(one(objects, 'PeerAuthentication').spec).toMatchObject({
      mtls: { mode: 'PERMISSIVE' },
      portLevelMtls: { '9100': { mode: 'PERMISSIVE' } },
    });
    expect(one(objects, 'AuthorizationPolicy').spec).toMatchObject({
      rules: [
        {
          from: [
            { source: { principals: ['corp.example/ns/web/sa/frontend'] } },
          ],
        },
        {},
      ],
    });
    expect(one(objects, 'ServiceMonitor')).toMatchObject({
      metadata: { namespace: 'monitoring' },
      spec: {
        namespaceSelector: { matchNames: ['shop'] },
        endpoints: [{ port: 'http-metrics', interval: '15s' }],
      },
    });
    expect(one(objects, 'PrometheusRule').metadata.namespace).toBe(
      'monitoring',
    );
    const [latency, errors] = alertRules(objects);
    expect(latency.expr).toMatch(/ > 250$/);
    expect(errors.expr).toMatch(/ > 0\.05$/);
    expect(errors.for).toBe('10m');
    expect(one(objects, 'HorizontalPodAutoscaler').spec).toMatchObject({
      scaleTargetRef: { kind: 'Deployment', name: 'pricing-v2' },
      minReplicas: 4,
      maxReplicas: 8,
      metrics: [{ resource: { target: { averageUtilization: 60 } } }],
    });
    expect(one(objects, 'PodDisruptionBudget').spec).toEqual({
      minAvailable: 3,
      selector: { matchLabels: { app: 'pricing', version: 'v2' } },
    });
  });

  const base = { name: 'cart', namespace: 'shop', image: 'cart:1' };
  it.each<[string, Partial<GenerateInput>, string]>([
    ['a name with capitals', { name: 'Cart' }, 'name'],
    ['a name starting with a digit', { name: '1cart' }, 'name'],
    ['a namespace with underscores', { namespace: 'shop_prod' }, 'namespace'],
    ['a port out of range', { ports: [{ port: 70000 }] }, 'ports[0].port'],
    [
      'a target port of zero',
      { ports: [{ port: 80, targetPort: 0 }] },
      'ports[0].targetPort',
    ],
    [
      'weights that do not sum to 100',
      {
        traffic: {
          versions: [
            { name: 'v1', weight: 50 },
            { name: 'v2', weight: 30 },
          ],
        },
      },
      'traffic.versions',
    ],
    [
      'versions without the deployed one',
      { traffic: { versions: [{ name: 'v2', weight: 100 }] } },
      'traffic.versions',
    ],
    [
      'an invalid subset name',
      { traffic: { versions: [{ name: 'V1', weight: 100 }] } },
      'traffic.versions[0].name',
    ],
    ['a malformed timeout', { traffic: { timeout: '5' } }, 'traffic.timeout'],
    [
      'a malformed quantity',
      { resources: { limits: { memory: '1 GB' } } },
      'resources.limits.memory',
    ],
    [
      'an unknown HTTP method',
      { authorization: { methods: ['FETCH'] } },
      'authorization.methods[0]',
    ],
    [
      'an invalid caller namespace',
      {
        authorization: {
          callers: [{ namespace: 'Web', serviceAccount: 'frontend' }],
        },
      },
      'authorization.callers[0].namespace',
    ],
    [
      'a malformed alert duration',
      { alerts: { latencyFor: 'five minutes' } },
      'alerts.latencyFor',
    ],
    [
      'a metrics port taken by the service',
      { monitoring: { port: 8080 } },
      'monitoring.port',
    ],
    [
      'an HPA whose maximum is below its minimum',
      { hpa: { minReplicas: 5, maxReplicas: 2 } },
      'hpa.maxReplicas',
    ],
    [
      'a PDB that blocks every eviction',
      { replicas: 2, pdb: { minAvailable: 2 } },
      'pdb.minAvailable',
    ],
    [
      'an output path outside the workspace',
      { outputPath: '../x' },
      'outputPath',
    ],
  ])(
    'rejects %s with an InputError naming the field',
    async (_, bad, field) => {
      const promise = run({ ...base, ...bad });
      await expect(promise).rejects.toThrow(InputError);
      await expect(promise).rejects.toThrow(`Input ${field} must be`);
    },
  );

  it('writes nothing when the input is invalid', async () => {
    await expect(run({ ...base, ports: [{ port: 0 }] })).rejects.toThrow(
      InputError,
    );
    expect(fs.existsSync(mockDir.resolve('workspace/manifests'))).toBe(false);
  });
});

/** Input sets whose manifests are checked against the real schemas. */
const INPUT_SETS: Array<{
  title: string;
  input: MeshManifestsInput;
  /** Objects already in the cluster that the manifests refer to. */
  existing: K8sObject[];
}> = [
  ...exampleSteps.map(([title, step]) => ({
    title,
    input: step.input as MeshManifestsInput,
    existing: [] as K8sObject[],
  })),
  {
    title: 'a PERMISSIVE gRPC service with HPA and PDB',
    input: {
      name: 'ratings',
      namespace: 'bookinfo',
      image: 'ratings:1',
      mtlsMode: 'PERMISSIVE',
      ports: [
        { port: 9080, protocol: 'http' },
        { port: 9443, protocol: 'grpc', suffix: 'internal' },
      ],
      hpa: {},
      pdb: {},
    },
    existing: [],
  },
];
// The canary's callers and its running v1 are in the cluster already.
INPUT_SETS[1].existing = [
  serviceAccount('shop', 'checkout-service'),
  serviceAccount('shop', 'cart-service'),
  {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'pricing-service-v1', namespace: 'shop' },
    spec: {
      selector: { matchLabels: { app: 'pricing-service', version: 'v1' } },
      template: {
        metadata: { labels: { app: 'pricing-service', version: 'v1' } },
        spec: {
          serviceAccountName: 'pricing-service',
          containers: [{ name: 'pricing-service', image: 'pricing:1' }],
        },
      },
    },
  },
];

function serviceAccount(namespace: string, name: string): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name, namespace },
  };
}

function snapshotOf(objects: K8sObject[]): MeshConfigSnapshot {
  const of = <T>(kind: string): T[] =>
    objects.filter(o => o.kind === kind) as unknown as T[];
  const namespaces = [
    ...new Set(objects.map(o => o.metadata.namespace ?? o.metadata.name)),
  ].map(name => ({ metadata: { name } }));
  return {
    namespaces,
    services: of('Service'),
    workloads: of('Deployment'),
    serviceAccounts: of('ServiceAccount'),
    virtualServices: of('VirtualService'),
    destinationRules: of('DestinationRule'),
    serviceEntries: [],
    peerAuthentications: of('PeerAuthentication'),
    authorizationPolicies: of('AuthorizationPolicy'),
  };
}

describe('generated manifests against the real schemas', () => {
  let emulator: KubernetesEmulator;
  let client: KubernetesObjectApi;
  let prometheus: PrometheusInstance;

  beforeAll(async () => {
    emulator = await startKubernetesEmulator();
    const kc = new KubeConfig();
    kc.loadFromString(emulator.kubeconfig());
    client = KubernetesObjectApi.makeApiClient(kc);
    prometheus = await startPrometheus();
  });

  afterAll(async () => {
    await emulator?.stop();
    await prometheus?.stop();
  });

  it.each(INPUT_SETS.map(s => [s.title, s] as const))(
    'validates: %s',
    async (_title, { input, existing }) => {
      const manifests = buildMeshManifests(input);
      const objects = manifests.map(m => m.object as unknown as K8sObject);

      // The API server (emulator, kubernetes-models' upstream schemas)
      // accepts every object in a server-side dry run.
      // A generated Namespace is created for real, the others exist.
      const created = objects.filter(o => o.kind === 'Namespace');
      for (const ns of created) await client.create(ns);
      for (const o of objects) {
        const ns = o.metadata.namespace;
        if (ns && !created.some(c => c.metadata.name === ns)) {
          emulator.apply({
            apiVersion: 'v1',
            kind: 'Namespace',
            metadata: { name: ns },
          });
        }
      }
      for (const o of objects.filter(x => x.kind !== 'Namespace')) {
        const answer = await client.create(o, undefined, 'All');
        expect(answer.metadata?.name).toBe(o.metadata.name);
      }

      // Istio: the config validator finds no error.
      const findings = validateMeshConfig({
        service: { name: input.name, namespace: input.namespace },
        snapshot: snapshotOf([...objects, ...existing]),
      });
      expect(findings.filter(f => f.severity === 'error')).toEqual([]);

      // Prometheus parses and evaluates every alert expression.
      for (const r of alertRules(objects)) {
        await expect(prometheus.query(r.expr)).resolves.toMatchObject({
          resultType: 'vector',
        });
      }
    },
  );

  it('the validator sees the generated objects: a subset without workload is an error', () => {
    const canary = INPUT_SETS[1];
    const objects = buildMeshManifests(canary.input).map(
      m => m.object as unknown as K8sObject,
    );
    const findings = validateMeshConfig({
      service: { name: canary.input.name, namespace: canary.input.namespace },
      snapshot: snapshotOf([...objects, ...canary.existing.slice(0, 2)]),
    });
    expect(
      findings
        .filter(f => f.severity === 'error')
        .map(f => [f.code, f.object.kind]),
    ).toEqual([['KIA0203', 'DestinationRule']]);
  });

  it('the emulator rejects what the real schemas reject', async () => {
    const [deployment] = buildMeshManifests({
      name: 'cart',
      namespace: 'shop',
      image: 'cart:1',
    })
      .filter(m => m.kind === 'Deployment')
      .map(m => m.object as unknown as K8sObject);
    const broken = {
      ...deployment,
      spec: { ...deployment.spec, replicas: 'two' },
    };
    await expect(client.create(broken, undefined, 'All')).rejects.toThrow(
      /replicas/,
    );
  });
});
