import { createMockDirectory } from '@backstage/backend-test-utils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import {
  KubernetesEmulator,
  startKubernetesEmulator,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-test-utils';
import fs from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import yaml from 'yaml';
import { INT32_MAX, UINT32_MAX } from '../inputChecks';
import { readAsKubernetes } from '../kubernetes/__testUtils__/readAsKubernetes';
import { MESH_MANIFEST_LIMITS, buildMeshManifests } from './buildMeshManifests';
import { createManifestsGenerateAction } from './manifestsGenerate';

type GenerateInput = Parameters<
  ReturnType<typeof createManifestsGenerateAction>['handler']
>[0]['input'];

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
}

const mockDir = createMockDirectory();

/** Runs the action; returns each written file's text by file name. */
async function writeManifests(
  input: GenerateInput,
): Promise<Map<string, string>> {
  mockDir.clear();
  const workspacePath = mockDir.resolve('workspace');
  const ctx = createMockActionContext({ input, workspacePath });
  await createManifestsGenerateAction().handler(ctx);
  const files = jest
    .mocked(ctx.output)
    .mock.calls.find(([key]) => key === 'files')?.[1] as string[];
  return new Map(
    files.map(file => [
      path.basename(file),
      fs.readFileSync(path.join(workspacePath, file), 'utf8'),
    ]),
  );
}

const label63 = (first: string) => `${first}${'0123456789'.repeat(6)}ab`;
const subdomain253 = `${label63('s')}.${label63('t')}.${label63('u')}.${label63(
  'v',
).slice(0, 61)}`;
const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;

/**
 * Values YAML 1.1 (or go-yaml) reads as something else than the string
 * they are, when unquoted: booleans, null, octal, sexagesimal, floats,
 * Go integers, merge keys.
 */
const YAML_WORD_ENV = {
  NO: 'no',
  Y: 'y',
  ON: 'On',
  NULL: '~',
  EMPTY: '',
  OCTAL: '017',
  GO_OCTAL: '0o17',
  SEXAGESIMAL: '1:20',
  FLOAT: '1e3',
  INF: '.inf',
  UNDERSCORE: '1_000',
  MERGE: '<<',
  DATE: '2001-12-14',
  LINES: 'yes\nno',
};

/** Inputs: YAML 1.1 words, 1- and 63-character names, every option on and off. */
const MATRIX: Array<[string, GenerateInput]> = [
  [
    'one-character names, every option off',
    { name: 'y', namespace: 'n', image: 'x' },
  ],
  [
    'YAML 1.1 words as names, labels, env values, subsets and references',
    {
      name: 'on',
      namespace: 'no',
      // An image the kubelet takes, and YAML 1.1 an octal number.
      image: '017',
      kubernetesId: 'yes',
      version: 'y',
      lifecycleStatus: 'off',
      phase: 'operate',
      serviceAccountName: '1.5',
      env: YAML_WORD_ENV,
      configMapRefs: ['017', '0x1f'],
      secretRefs: ['1e3'],
      traffic: {
        retries: { retryOn: '503' },
        versions: [
          { name: 'y', weight: 50 },
          { name: 'n', weight: 50 },
        ],
      },
      authorization: {
        callers: [{ namespace: 'yes', serviceAccount: '0o17' }],
        trustDomain: 'on',
      },
      monitoring: { namespace: 'off' },
      alerts: { latencySeverity: 'NULL', errorSeverity: 'true' },
    },
  ],
  [
    '63-character names, every option on',
    {
      name: label63('a'),
      namespace: label63('b'),
      image: `registry.example.com:5000/shop/orders:1.0.0@${DIGEST}`,
      kubernetesId: label63('c'),
      version: label63('d'),
      replicas: 3,
      phase: 'deploy',
      lifecycleStatus: label63('e'),
      createNamespace: true,
      serviceAccountName: subdomain253,
      clusterDomain: 'corp.example',
      ports: [
        { port: 80, targetPort: 8080, protocol: 'http', suffix: 'web' },
        { port: 9443, protocol: 'grpc', suffix: 'api' },
        { port: 6379, protocol: 'redis' },
      ],
      env: { LOG_LEVEL: 'debug', 'dotted.name': 'x' },
      configMapRefs: [subdomain253],
      secretRefs: [subdomain253],
      resources: {
        requests: { cpu: '250m', memory: '256Mi' },
        limits: { cpu: '2', memory: '1Gi' },
      },
      probes: {
        readiness: {
          path: '/ready?full=1',
          port: 8080,
          initialDelaySeconds: 0,
          periodSeconds: 1,
          failureThreshold: 1,
        },
        liveness: { path: '/live', failureThreshold: 5 },
      },
      traffic: {
        timeout: '1.5s',
        retries: {
          attempts: 0,
          perTryTimeout: '500ms',
          retryOn: '5xx,reset',
        },
        versions: [
          { name: label63('d'), weight: 100 },
          { name: 'v0', weight: 0 },
        ],
      },
      connectionPool: {
        maxConnections: 1,
        connectTimeout: '1ms',
        http1MaxPendingRequests: 1,
        maxRequestsPerConnection: 0,
      },
      outlierDetection: {
        consecutive5xxErrors: 0,
        interval: '1m',
        baseEjectionTime: '1h',
        maxEjectionPercent: 0,
      },
      mtlsMode: 'PERMISSIVE',
      authorization: {
        callers: [
          { namespace: label63('f'), serviceAccount: subdomain253 },
          { namespace: 'web', serviceAccount: 'frontend' },
        ],
        methods: ['GET', 'HEAD', 'PUT', 'DELETE'],
        paths: ['*', '/exact', '*/suffix'],
        trustDomain: 'corp.example',
      },
      monitoring: {
        namespace: label63('g'),
        port: 9100,
        path: '/prometheus',
        interval: '15s',
      },
      alerts: {
        window: '10m',
        p95LatencyMs: 0.5,
        latencyFor: '1m',
        latencySeverity: 'page',
        errorRatioPercent: 100,
        errorFor: '30s',
        errorSeverity: 'ticket',
      },
      hpa: { minReplicas: 3, maxReplicas: 6, cpuUtilizationPercent: 800 },
      pdb: { minAvailable: 2 },
    },
  ],
  [
    'the upper bounds of every number',
    {
      name: 'bounds',
      namespace: 'limits',
      image: 'localhost/bounds',
      replicas: MESH_MANIFEST_LIMITS.replicas,
      ports: [{ port: 65535, targetPort: 1 }],
      probes: {
        readiness: {
          initialDelaySeconds: MESH_MANIFEST_LIMITS.probeSeconds,
          periodSeconds: MESH_MANIFEST_LIMITS.probeSeconds,
          failureThreshold: MESH_MANIFEST_LIMITS.probeFailureThreshold,
        },
      },
      traffic: {
        timeout: '24h',
        retries: {
          attempts: MESH_MANIFEST_LIMITS.retryAttempts,
          perTryTimeout: '0.001s',
        },
      },
      connectionPool: {
        maxConnections: INT32_MAX,
        connectTimeout: '1440m',
        http1MaxPendingRequests: INT32_MAX,
        maxRequestsPerConnection: INT32_MAX,
      },
      outlierDetection: {
        consecutive5xxErrors: UINT32_MAX,
        maxEjectionPercent: 100,
      },
      alerts: { p95LatencyMs: MESH_MANIFEST_LIMITS.p95LatencyMs - 1 },
      hpa: {
        maxReplicas: MESH_MANIFEST_LIMITS.replicas,
        // Limits 500m over requests 100m: at most 500%.
        cpuUtilizationPercent: 500,
      },
      pdb: { minAvailable: MESH_MANIFEST_LIMITS.replicas - 1 },
    },
  ],
  [
    'a Namespace of its own, STRICT, HPA without PDB',
    {
      name: 'solo',
      namespace: 'false',
      image: '[::1]:5000/solo:latest',
      createNamespace: true,
      replicas: 0,
      hpa: {},
    },
  ],
];

describe('mesh:manifests:generate over a matrix of inputs', () => {
  let emulator: KubernetesEmulator;
  let client: KubernetesObjectApi;

  beforeAll(async () => {
    emulator = await startKubernetesEmulator();
    const kc = new KubeConfig();
    kc.loadFromString(emulator.kubeconfig());
    client = KubernetesObjectApi.makeApiClient(kc);
  });

  afterAll(async () => {
    await emulator?.stop();
  });

  it.each(MATRIX)('%s', async (_title, input) => {
    const meant = buildMeshManifests(input);
    const written = await writeManifests(input);
    expect([...written.keys()]).toEqual(meant.map(m => m.file));

    // What Kubernetes reads back is what was meant.
    const objects: K8sObject[] = [];
    for (const manifest of meant) {
      const reading = readAsKubernetes(written.get(manifest.file)!);
      expect(reading.problems).toEqual([]);
      expect(reading.misread).toEqual([]);
      expect(reading.documents).toEqual([manifest.object]);
      objects.push(reading.documents[0] as K8sObject);
    }
    const namespaces = objects.filter(o => o.kind === 'Namespace');
    // Cluster-scoped: no metadata.namespace.
    expect(namespaces.map(o => Object.keys(o.metadata))).toEqual(
      input.createNamespace ? [['name', 'labels', 'annotations']] : [],
    );
    const namespaced = objects.filter(o => o.kind !== 'Namespace');
    expect(namespaced.map(o => o.metadata.namespace)).not.toContain(undefined);

    // The upstream schemas (Kubernetes OpenAPI, Istio and prometheus-operator
    // CRDs, by kubernetes-models) accept what was read, in the emulator's
    // server-side dry run: a generated Namespace while it does not exist
    // yet, the others once their namespace does.
    const accepted: Array<string | undefined> = [];
    for (const o of namespaces) {
      accepted.push((await client.create(o, undefined, 'All')).metadata?.name);
    }
    for (const name of new Set(
      objects.map(o => o.metadata.namespace ?? o.metadata.name),
    )) {
      emulator.apply({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name },
      });
    }
    for (const o of namespaced) {
      accepted.push((await client.create(o, undefined, 'All')).metadata?.name);
    }
    expect(accepted).toEqual(objects.map(o => o.metadata.name));
  });

  it('the YAML words case would be misread without the YAML 1.1-safe writer', () => {
    const [, words] = MATRIX[1];
    const misread = buildMeshManifests(words).filter(
      m =>
        !isDeepEqual(
          yaml.parse(yaml.stringify(m.object), { version: '1.1' }),
          m.object,
        ),
    );
    expect(misread.map(m => m.kind)).toEqual(
      expect.arrayContaining([
        'Deployment',
        'Service',
        'DestinationRule',
        'VirtualService',
      ]),
    );
  });

  it('the emulator refuses an object YAML 1.1 misread', async () => {
    const deployment = buildMeshManifests(MATRIX[1][1]).find(
      m => m.kind === 'Deployment',
    )!;
    emulator.apply({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'no' },
    });
    const misread = yaml.parse(yaml.stringify(deployment.object), {
      version: '1.1',
    });
    await expect(client.create(misread, undefined, 'All')).rejects.toThrow();
  });
});

/** Deep equality of JSON values; undefined properties count as absent. */
function isDeepEqual(a: unknown, b: unknown): boolean {
  return isDeepStrictEqual(
    JSON.parse(JSON.stringify(a)),
    JSON.parse(JSON.stringify(b)),
  );
}
