import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import {
  ANNOTATION_KUBERNETES_CLUSTER,
  ANNOTATION_KUBERNETES_ID,
  ANNOTATION_KUBERNETES_NAMESPACE,
  buildLabelSelector,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import {
  JsonObject,
  KubernetesEmulator,
  runScaffolderTask,
  startKubernetesEmulator,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-test-utils';
import { Server } from 'node:http';
import fs from 'node:fs/promises';
import path from 'node:path';
import yaml from 'yaml';
import meshLifecycleModule from '.';
import {
  backendCaller,
  meshLifecycleServiceAccount,
  templateEntity,
} from './__testUtils__/testBackend';
import { readAsKubernetes } from './kubernetes/__testUtils__/readAsKubernetes';

jest.setTimeout(60_000);

const TEMPLATE_DIR = path.resolve(__dirname, '../templates/mesh-service');
const NAMESPACE = 'shop-dev';

/** The objects a service gets on the cluster: apiVersion and kind. */
const SERVICE_KINDS: Array<[string, string]> = [
  ['v1', 'ServiceAccount'],
  ['apps/v1', 'Deployment'],
  ['v1', 'Service'],
  ['networking.istio.io/v1beta1', 'VirtualService'],
  ['networking.istio.io/v1beta1', 'DestinationRule'],
  ['security.istio.io/v1beta1', 'PeerAuthentication'],
  ['security.istio.io/v1beta1', 'AuthorizationPolicy'],
  ['monitoring.coreos.com/v1', 'ServiceMonitor'],
  ['monitoring.coreos.com/v1', 'PrometheusRule'],
];

async function directoryContents(
  dir: string,
  prefix = '',
): Promise<Array<{ path: string; base64Content: string }>> {
  const files: Array<{ path: string; base64Content: string }> = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      files.push(...(await directoryContents(full, relative)));
    } else {
      const content = await fs.readFile(full);
      files.push({ path: relative, base64Content: content.toString('base64') });
    }
  }
  return files;
}

function values(name: string) {
  return {
    name,
    description: 'Takes orders',
    owner: 'group:default/team-commerce',
    system: 'system:default/online-store',
    image: `registry.example.com/shop/${name}:1.0.0`,
    port: 8080,
    cluster: 'dev',
    namespace: NAMESPACE,
    callers: [{ namespace: 'shop-dev', serviceAccount: 'checkout-service' }],
    // Publishing and registration need an SCM; the demo has its own test.
    publishTo: 'none',
  };
}

function serviceObjects(emulator: KubernetesEmulator, name: string) {
  const selector = buildLabelSelector({
    matchLabels: { [ANNOTATION_KUBERNETES_ID]: name },
  });
  return SERVICE_KINDS.flatMap(([apiVersion, kind]) =>
    emulator.list(apiVersion, kind, NAMESPACE, selector),
  );
}

function resourceVersions(objects: JsonObject[]): Record<string, unknown> {
  return Object.fromEntries(
    objects.map(o => {
      const metadata = o.metadata as JsonObject;
      return [`${o.kind}/${metadata.name}`, metadata.resourceVersion];
    }),
  );
}

describe('the mesh-service template', () => {
  let emulator: KubernetesEmulator;
  let server: Server;
  let stopBackend: () => Promise<void>;

  const { url, call } = backendCaller(() => server);

  /** Runs the template as the portal does and returns the task's output. */
  const runTemplate = async (name: string): Promise<JsonObject> => {
    const result = await runScaffolderTask({
      baseUrl: url('/').toString(),
      authorization: mockCredentials.user.header(),
      templateRef: 'template:default/mesh-service',
      values: values(name),
    });
    if (result.status !== 'completed' || !result.output) {
      throw new Error(`The task ended ${result.status}:\n${result.log}`);
    }
    return result.output;
  };

  beforeAll(async () => {
    emulator = await startKubernetesEmulator({
      name: 'dev',
      tokens: meshLifecycleServiceAccount(),
      objects: [
        {
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: {
            name: NAMESPACE,
            labels: { 'istio-injection': 'enabled' },
          },
        },
      ],
    });
    const backend = await startTestBackend({
      features: [
        scaffolderPlugin,
        meshLifecycleModule,
        catalogServiceMock.factory({
          entities: [await templateEntity('mesh-service')],
        }),
        mockServices.rootConfig.factory({
          data: {
            meshLifecycle: {
              clusters: [
                {
                  name: 'dev',
                  url: emulator.url,
                  serviceAccountToken: emulator.token,
                  allowInsecureHttp: true,
                },
              ],
            },
          },
        }),
      ],
    });
    server = backend.server;
    stopBackend = () => backend.stop();
  });

  afterAll(async () => {
    await stopBackend?.();
    await emulator?.stop();
  });

  it('renders the skeleton and applies nothing in the scaffolder dry-run', async () => {
    const template = await templateEntity('mesh-service');
    const result = await call('POST', '/api/scaffolder/v2/dry-run', {
      template,
      values: values('orders-service'),
      directoryContents: await directoryContents(TEMPLATE_DIR),
    });

    expect(serviceObjects(emulator, 'orders-service')).toEqual([]);
    // The apply step ran, as a server-side dry-run.
    expect(result.output.applied).toMatchObject({ dryRun: true });
    expect(result.output.applied.created).toBeGreaterThanOrEqual(
      SERVICE_KINDS.length,
    );

    const files = new Map<string, string>(
      result.directoryContents.map(
        (f: { path: string; base64Content: string }) => [
          f.path,
          Buffer.from(f.base64Content, 'base64').toString('utf8'),
        ],
      ),
    );
    expect([...files.keys()]).toEqual(
      expect.arrayContaining([
        'catalog-info.yaml',
        'package.json',
        'Dockerfile',
        'src/server.js',
        'test/server.test.js',
        '.github/workflows/ci.yaml',
        'manifests/deployment.yaml',
        'manifests/peerauthentication.yaml',
      ]),
    );

    const entity = yaml.parse(files.get('catalog-info.yaml')!) as Entity;
    expect(stringifyEntityRef(entity)).toBe('component:default/orders-service');
    expect(entity.spec).toMatchObject({
      type: 'service',
      owner: 'group:default/team-commerce',
      system: 'system:default/online-store',
    });
    expect(entity.metadata.annotations).toEqual({
      [ANNOTATION_KUBERNETES_ID]: 'orders-service',
      [ANNOTATION_KUBERNETES_NAMESPACE]: NAMESPACE,
      [ANNOTATION_KUBERNETES_CLUSTER]: 'dev',
    });
    // The labels the backend finds the service by are those the catalog names.
    const deployment = yaml.parse(files.get('manifests/deployment.yaml')!);
    expect(deployment.metadata.namespace).toBe(NAMESPACE);
    expect(deployment.spec.template.metadata.labels).toMatchObject({
      [ANNOTATION_KUBERNETES_ID]: 'orders-service',
    });
    expect(deployment.spec.template.spec.containers[0].ports).toContainEqual(
      expect.objectContaining({ containerPort: 8080 }),
    );

    // GitHub Actions expressions survive the templating, ours are filled in.
    const ci = files.get('.github/workflows/ci.yaml')!;
    const workflow = yaml.parse(ci);
    expect(workflow.env).toMatchObject({
      SERVICE_NAME: 'orders-service',
      IMAGE: 'registry.example.com/shop/orders-service:1.0.0',
      NAMESPACE,
    });
    expect(Object.keys(workflow.jobs)).toEqual([
      'code-analysis',
      'unit-test',
      'validate-manifests',
      'build-image',
      'deploy-to-test',
    ]);
    expect(ci).toContain('${{ secrets.KUBECONFIG_DEV }}');
    expect(ci).toContain('{{.Group}}');
    expect(ci).not.toContain('values.');
    expect(files.get('README.md')).toContain(
      'may be called by `shop-dev/checkout-service` only',
    );
    expect(files.get('Dockerfile')).toMatch(/^\s+PORT=8080 \\$/m);
    expect(JSON.parse(files.get('package.json')!).name).toBe('orders-service');
    // Plain JavaScript is copied untouched.
    expect(files.get('src/server.js')).toBe(
      await fs.readFile(
        path.join(TEMPLATE_DIR, 'skeleton/src/server.js'),
        'utf8',
      ),
    );
  });

  it('renders YAML that a YAML 1.1 parser reads as meant, whatever the names', async () => {
    // Each a boolean, null or number to YAML 1.1 (or 1.2) when unquoted.
    const words = {
      ...values('no'),
      description: 'yes',
      owner: 'group:default/on',
      system: 'system:default/off',
    };
    const template = await templateEntity('mesh-service');
    const result = await call('POST', '/api/scaffolder/v2/dry-run', {
      template,
      values: words,
      directoryContents: await directoryContents(TEMPLATE_DIR),
    });
    const files = new Map<string, string>(
      result.directoryContents.map(
        (f: { path: string; base64Content: string }) => [
          f.path,
          Buffer.from(f.base64Content, 'base64').toString('utf8'),
        ],
      ),
    );
    const read = (file: string) => {
      const reading = readAsKubernetes(files.get(file)!);
      expect(reading.problems).toEqual([]);
      expect(reading.misread).toEqual([]);
      expect(reading.documents).toHaveLength(1);
      return reading.documents[0] as Entity;
    };

    const entity = read('catalog-info.yaml');
    expect(entity.metadata).toMatchObject({
      name: 'no',
      description: 'yes',
      annotations: { [ANNOTATION_KUBERNETES_ID]: 'no' },
    });
    expect(entity.spec).toMatchObject({
      owner: 'group:default/on',
      system: 'system:default/off',
    });
    const workflow = read('.github/workflows/ci.yaml') as unknown as {
      env: Record<string, unknown>;
    };
    expect(workflow.env).toMatchObject({
      SERVICE_NAME: 'no',
      NAMESPACE,
      DEPLOYMENT: 'no-v1',
    });
    const deployment = read('manifests/deployment.yaml') as unknown as {
      metadata: { labels: Record<string, unknown> };
    };
    expect(deployment.metadata.labels).toMatchObject({
      app: 'no',
      [ANNOTATION_KUBERNETES_ID]: 'no',
    });
  });

  it('stops before applying anything when it cannot publish where it was asked', async () => {
    const result = await runScaffolderTask({
      baseUrl: url('/').toString(),
      authorization: mockCredentials.user.header(),
      templateRef: 'template:default/mesh-service',
      values: {
        ...values('payments-service'),
        publishTo: 'github',
        repoUrl: 'github.com?owner=shop&repo=payments-service',
      },
    });
    // This scaffolder has no GitHub module: its own API says so.
    expect(result.status).toBe('failed');
    expect(result.log).toContain(
      "This portal's scaffolder does not have publish:github (install @backstage/plugin-scaffolder-backend-module-github)",
    );
    expect(serviceObjects(emulator, 'payments-service')).toEqual([]);
    expect(result.log).not.toContain('Dry-run on the cluster');
  });

  it('creates the service on the cluster, and a second run changes nothing', async () => {
    const first = await runTemplate('orders-service');
    const created = serviceObjects(emulator, 'orders-service');
    expect(created.map(o => o.kind).sort()).toEqual(
      SERVICE_KINDS.map(([, kind]) => kind).sort(),
    );
    expect(first.applied).toMatchObject({
      dryRun: false,
      created: SERVICE_KINDS.length,
      configured: 0,
      unchanged: 0,
    });
    const peerAuthentication = created.find(
      o => o.kind === 'PeerAuthentication',
    );
    expect(peerAuthentication?.spec).toMatchObject({
      mtls: { mode: 'STRICT' },
    });
    const policy = created.find(o => o.kind === 'AuthorizationPolicy');
    expect(JSON.stringify(policy?.spec)).toContain(
      'cluster.local/ns/shop-dev/sa/checkout-service',
    );

    const second = await runTemplate('orders-service');
    expect(second.applied).toMatchObject({
      created: 0,
      configured: 0,
      unchanged: SERVICE_KINDS.length,
    });
    expect(
      (second.applied as { objects: Array<{ outcome: string }> }).objects.map(
        o => o.outcome,
      ),
    ).toEqual(SERVICE_KINDS.map(() => 'unchanged'));
    expect(
      resourceVersions(serviceObjects(emulator, 'orders-service')),
    ).toEqual(resourceVersions(created));
  });
});
