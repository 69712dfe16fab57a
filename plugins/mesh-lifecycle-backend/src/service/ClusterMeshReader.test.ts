import { mockServices } from '@backstage/backend-test-utils';
import { KubeConfig } from '@kubernetes/client-node';
import {
  MeshResponse,
  ServiceDeclaration,
  buildLabelSelector,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import {
  KubernetesEmulator,
  startKubernetesEmulator,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-test-utils';
import { join } from 'path';
import { ClusterObjectCache } from '../clusters/ClusterObjectCache';
import { rememberServedApis } from '../clusters/discoverServedVersion';
import { ClusterMeshReader, MeshCluster } from './ClusterMeshReader';

const manifests = join(__dirname, '../../../../examples/clusters');

function declaration(
  name: string,
  namespace: string,
  cluster?: string,
): ServiceDeclaration {
  return {
    entityRef: `component:default/${name}`,
    target: { kubernetesId: name, namespace, cluster },
    thresholds: {},
  };
}

async function waitFor(check: () => Promise<void>, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise(resolve => setTimeout(resolve, 50));
    }
  }
}

function okClusters(response: MeshResponse) {
  return response.clusters.flatMap(c => (c.status === 'ok' ? [c] : []));
}

describe('ClusterMeshReader on the demo clusters', () => {
  const emulators: KubernetesEmulator[] = [];
  const caches: ClusterObjectCache[] = [];
  let reader: ClusterMeshReader;

  function meshCluster(
    emulator: KubernetesEmulator,
    environment: string,
  ): MeshCluster {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromString(emulator.kubeconfig());
    const objects = new ClusterObjectCache({
      kubeConfig,
      clusterName: emulator.name,
      logger: mockServices.logger.mock(),
      syncTimeoutMs: 2_000,
    });
    caches.push(objects);
    return {
      name: emulator.name,
      environment,
      objects,
      servedApis: rememberServedApis(kubeConfig),
    };
  }

  beforeAll(async () => {
    for (const [name, versions] of [
      ['dev', ['v1beta1']],
      ['prod', ['v1', 'v1beta1']],
    ] as const) {
      emulators.push(
        await startKubernetesEmulator({
          name,
          manifests: join(manifests, name),
          istioNetworkingVersions: [...versions],
          istioSecurityVersions: [...versions],
        }),
      );
    }
    reader = new ClusterMeshReader({
      clusters: [
        meshCluster(emulators[0], 'development'),
        meshCluster(emulators[1], 'production'),
      ],
      logger: mockServices.logger.mock(),
    });
  });

  afterAll(async () => {
    await Promise.all(caches.map(c => c.stop()));
    await Promise.all(emulators.map(e => e.stop()));
  });

  it('reads the canary: two versions, their split and the mesh config', async () => {
    const response = await reader.read(
      declaration('checkout-service', 'shop', 'prod'),
    );
    expect(response.clusters.map(c => c.source)).toEqual(['prod']);
    const [prod] = okClusters(response);
    expect(prod.workloads.map(w => w.environment)).toEqual([
      'production',
      'production',
    ]);
    expect(prod).toMatchObject({
      environment: 'production',
      istioNetworkingVersion: 'v1',
      mtls: {
        mode: 'STRICT',
        policy: { name: 'checkout-service', scope: 'workload' },
      },
    });
    expect(
      prod.workloads.map(w => [w.name, w.version, w.replicas, w.readyReplicas]),
    ).toEqual([
      ['checkout-service-v1', 'v1', 3, 3],
      ['checkout-service-v2', 'v2', 1, 1],
    ]);
    expect(prod.services.map(s => s.name)).toEqual(['checkout-service']);
    expect(
      prod.istioObjects
        .map(o => `${o.kind}/${o.name}${o.scope ? `@${o.scope}` : ''}`)
        .sort(),
    ).toEqual([
      'AuthorizationPolicy/checkout-service@workload',
      'DestinationRule/checkout-service',
      'PeerAuthentication/checkout-service@workload',
      'PeerAuthentication/default@mesh',
      'VirtualService/checkout-service',
    ]);
    expect(
      prod.trafficSplit.flatMap(r =>
        r.destinations.map(d => [d.version, d.weight]),
      ),
    ).toEqual([
      ['v1', 90],
      ['v2', 10],
    ]);
  });

  it('serves each Istio object as the cluster has it, without field bookkeeping', async () => {
    const prod = emulators[1];
    const virtualService = prod.get(
      'networking.istio.io/v1',
      'VirtualService',
      'shop',
      'checkout-service',
    );
    const edited = structuredClone(virtualService) as unknown as {
      metadata: { [key: string]: unknown };
      spec: { http: Array<{ timeout?: string }> };
    };
    edited.metadata.annotations = {
      'kubectl.kubernetes.io/last-applied-configuration': '{"spec":{}}',
      team: 'payments',
    };
    edited.metadata.managedFields = [
      { manager: 'kubectl', operation: 'Apply' },
    ];
    edited.spec.http[0].timeout = '7s';
    prod.apply(edited);
    await waitFor(async () => {
      const [cluster] = okClusters(
        await reader.read(declaration('checkout-service', 'shop', 'prod')),
      );
      const served = cluster.istioObjects.find(o => o.kind === 'VirtualService')
        ?.manifest as
        | {
            apiVersion: string;
            metadata: { [key: string]: unknown };
            spec: { http: Array<{ timeout?: string; route: unknown[] }> };
          }
        | undefined;
      expect(served?.apiVersion).toBe('networking.istio.io/v1');
      // Read as written: metadata before spec.
      expect(Object.keys(served ?? {}).slice(0, 4)).toEqual([
        'apiVersion',
        'kind',
        'metadata',
        'spec',
      ]);
      expect(served?.spec.http[0]).toMatchObject({ timeout: '7s' });
      // The whole route, not only the fields the plugin parses.
      expect(served?.spec.http[0].route).toHaveLength(2);
      expect(served?.metadata.annotations).toEqual({ team: 'payments' });
      expect(served?.metadata).not.toHaveProperty('managedFields');
      // A reference to an object (the policy in force) carries no copy.
      expect(cluster.mtls.policy).not.toHaveProperty('manifest');
      expect(cluster.istioObjects.every(o => o.manifest?.kind === o.kind)).toBe(
        true,
      );
    });
    // The next view reuses the copy made for the cached object.
    const manifestOf = async () =>
      okClusters(
        await reader.read(declaration('checkout-service', 'shop', 'prod')),
      )[0].istioObjects.find(o => o.kind === 'VirtualService')?.manifest;
    expect(await manifestOf()).toBe(await manifestOf());
  });

  it('lists the pods of each workload with readiness, restarts and sidecar', async () => {
    const [prod] = okClusters(
      await reader.read(declaration('checkout-service', 'shop', 'prod')),
    );
    expect(
      prod.pods.map(p => [p.workload, p.version, p.phase, p.ready, p.sidecar]),
    ).toEqual([
      ['checkout-service-v1', 'v1', 'Running', true, true],
      ['checkout-service-v1', 'v1', 'Running', true, true],
      ['checkout-service-v1', 'v1', 'Running', true, true],
      ['checkout-service-v2', 'v2', 'Running', true, true],
    ]);
    expect(prod.pods.every(p => p.node && p.startTime)).toBe(true);
  });

  it('follows a pod that turns unready and restarts', async () => {
    const prod = emulators[1];
    await reader.read(declaration('cart-service', 'shop', 'prod'));
    const [first] = prod.list(
      'v1',
      'Pod',
      'shop',
      buildLabelSelector({
        matchLabels: { 'backstage.io/kubernetes-id': 'cart-service' },
      }),
    );
    const crashing = structuredClone(first) as unknown as {
      metadata: { name: string };
      status: {
        conditions: Array<{ type: string; status: string }>;
        containerStatuses: Array<{ restartCount: number }>;
      };
    };
    crashing.status.conditions = [{ type: 'Ready', status: 'False' }];
    crashing.status.containerStatuses[0].restartCount = 4;
    crashing.status.containerStatuses[1].restartCount = 1;
    prod.apply(crashing);
    await waitFor(async () => {
      const [cluster] = okClusters(
        await reader.read(declaration('cart-service', 'shop', 'prod')),
      );
      const pod = cluster.pods.find(p => p.name === crashing.metadata.name);
      expect(pod).toMatchObject({ ready: false, restarts: 5 });
    });
  });

  it('finds objects by the label selector annotation instead of the kubernetes-id label', async () => {
    const [prod] = okClusters(
      await reader.read({
        entityRef: 'component:default/checkout-canary',
        target: {
          kubernetesId: 'not-used',
          labelSelector: {
            matchLabels: { app: 'checkout-service' },
            matchExpressions: [
              { key: 'version', operator: 'In', values: ['v2'] },
            ],
          },
          namespace: 'shop',
          cluster: 'prod',
        },
        thresholds: {},
      }),
    );
    expect(prod.workloads.map(w => w.name)).toEqual(['checkout-service-v2']);
    expect(prod.pods.map(p => p.workload)).toEqual(['checkout-service-v2']);
  });

  it('shows the retiring service scaled to zero and marked decommissioning', async () => {
    const [prod] = okClusters(
      await reader.read(declaration('legacy-pricing-service', 'shop', 'prod')),
    );
    expect(prod.workloads).toEqual([
      expect.objectContaining({
        replicas: 0,
        lifecycleStatus: 'decommissioning',
      }),
    ]);
  });

  it('reads Istio in v1beta1 where the cluster has no v1', async () => {
    const [dev] = okClusters(
      await reader.read(declaration('loyalty-service', 'shop-dev', 'dev')),
    );
    expect(dev.istioNetworkingVersion).toBe('v1beta1');
    expect(dev.istioSecurityVersion).toBe('v1beta1');
    expect(dev.istioObjects.map(o => `${o.kind}/${o.apiVersion}`)).toContain(
      'VirtualService/networking.istio.io/v1beta1',
    );
    expect(dev.istioObjects.some(o => o.kind === 'AuthorizationPolicy')).toBe(
      false,
    );
  });

  it('reads Istio security in v1 where the cluster serves it (Istio 1.22 and later)', async () => {
    const [prod] = okClusters(
      await reader.read(declaration('checkout-service', 'shop', 'prod')),
    );
    expect(prod.istioSecurityVersion).toBe('v1');
    const security = prod.istioObjects
      .filter(
        o =>
          o.kind === 'AuthorizationPolicy' || o.kind === 'PeerAuthentication',
      )
      .map(o => o.apiVersion);
    expect(security.length).toBeGreaterThan(0);
    expect(new Set(security)).toEqual(new Set(['security.istio.io/v1']));
  });

  it('asks every cluster when the entity names none', async () => {
    const response = await reader.read(declaration('checkout-service', 'shop'));
    expect(response.clusters.map(c => [c.source, c.status])).toEqual([
      ['dev', 'ok'],
      ['prod', 'ok'],
    ]);
    expect(okClusters(response)[0].workloads).toEqual([]);
  });

  it("reuses a cluster's answer while its objects are unchanged, and reads again when one changes", async () => {
    const target = declaration('checkout-service', 'shop', 'prod');
    const prodCache = caches[1];
    const split = (response: MeshResponse) =>
      okClusters(response)[0].trafficSplit.flatMap(r =>
        r.destinations.map(d => [d.version, d.weight]),
      );
    const first = await reader.read(target);
    const list = jest.spyOn(prodCache, 'list');
    const byId = jest.spyOn(prodCache, 'listByKubernetesId');
    try {
      const second = await reader.read(target);
      expect(second).toEqual(first);
      expect(list).not.toHaveBeenCalled();
      expect(byId).not.toHaveBeenCalled();
      // Another service's answer is its own.
      const cart = await reader.read(
        declaration('cart-service', 'shop', 'prod'),
      );
      expect(okClusters(cart)[0].services.map(s => s.name)).toEqual([
        'cart-service',
      ]);

      const prod = emulators[1];
      const original = prod.get(
        'networking.istio.io/v1',
        'VirtualService',
        'shop',
        'checkout-service',
      )!;
      const shifted = structuredClone(original) as unknown as {
        metadata: { resourceVersion?: string };
        spec: { http: Array<{ route: Array<{ weight?: number }> }> };
      };
      delete shifted.metadata.resourceVersion;
      shifted.spec.http[0].route[0].weight = 80;
      shifted.spec.http[0].route[1].weight = 20;
      prod.apply(shifted);
      try {
        await waitFor(async () => {
          expect(split(await reader.read(target))).toEqual([
            ['v1', 80],
            ['v2', 20],
          ]);
        });
        expect(list).toHaveBeenCalled();
      } finally {
        const restored = structuredClone(original) as {
          metadata: { resourceVersion?: string };
        };
        delete restored.metadata.resourceVersion;
        prod.apply(restored);
        await waitFor(async () => {
          expect(split(await reader.read(target))).toEqual([
            ['v1', 90],
            ['v2', 10],
          ]);
        });
      }
    } finally {
      list.mockRestore();
      byId.mockRestore();
    }
  });

  it('answers a second view from its caches, with no cluster call', async () => {
    await reader.read(declaration('cart-service', 'shop', 'prod'));
    const before = emulators[1].calls.count();
    await reader.read(declaration('cart-service', 'shop', 'prod'));
    await reader.read(declaration('user-service', 'shop', 'prod'));
    expect(emulators[1].calls.count()).toBe(before);
  });
});

describe('ClusterMeshReader with a failing cluster', () => {
  it('reports that cluster as an error and still answers from the others', async () => {
    const good = await startKubernetesEmulator({
      name: 'prod',
      manifests: join(manifests, 'prod'),
    });
    const bad = await startKubernetesEmulator({ name: 'broken' });
    bad.faults.add({ path: /deployments/, status: 500 });
    const caches: ClusterObjectCache[] = [];
    const cluster = (emulator: KubernetesEmulator): MeshCluster => {
      const kubeConfig = new KubeConfig();
      kubeConfig.loadFromString(emulator.kubeconfig());
      const objects = new ClusterObjectCache({
        kubeConfig,
        clusterName: emulator.name,
        logger: mockServices.logger.mock(),
      });
      caches.push(objects);
      return {
        name: emulator.name,
        objects,
        servedApis: async () => ({ networking: 'v1', security: 'v1' }),
      };
    };
    try {
      const reader = new ClusterMeshReader({
        clusters: [cluster(bad), cluster(good)],
        logger: mockServices.logger.mock(),
      });
      const response = await reader.read(declaration('cart-service', 'shop'));
      expect(response.clusters[0]).toMatchObject({
        source: 'broken',
        status: 'error',
      });
      expect(response.clusters[1]).toMatchObject({
        source: 'prod',
        status: 'ok',
      });
    } finally {
      await Promise.all(caches.map(c => c.stop()));
      await good.stop();
      await bad.stop();
    }
  });
});

describe('ClusterMeshReader with a service in several namespaces', () => {
  it('reports the weakest mutual TLS mode of its Services, whatever their order', async () => {
    const service = (namespace: string) => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: 'multi',
        namespace,
        labels: { 'backstage.io/kubernetes-id': 'multi' },
      },
      spec: { selector: { app: 'multi' }, ports: [{ port: 80 }] },
    });
    const emulator = await startKubernetesEmulator({
      name: 'mixed',
      objects: [
        {
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: { name: 'a-open', labels: { env: 'qa' } },
        },
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: {
            name: 'multi',
            namespace: 'a-open',
            labels: { 'backstage.io/kubernetes-id': 'multi' },
          },
          spec: {
            replicas: 1,
            selector: { matchLabels: { app: 'multi' } },
            template: {
              metadata: { labels: { app: 'multi' } },
              spec: { containers: [{ name: 'multi', image: 'multi:1' }] },
            },
          },
        },
        {
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: { name: 'b-strict' },
        },
        service('a-open'),
        service('b-strict'),
        {
          apiVersion: 'security.istio.io/v1beta1',
          kind: 'PeerAuthentication',
          metadata: { name: 'default', namespace: 'b-strict' },
          spec: { mtls: { mode: 'STRICT' } },
        },
      ],
    });
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromString(emulator.kubeconfig());
    const objects = new ClusterObjectCache({
      kubeConfig,
      clusterName: 'mixed',
      logger: mockServices.logger.mock(),
    });
    try {
      const reader = new ClusterMeshReader({
        clusters: [
          {
            name: 'mixed',
            objects,
            servedApis: async () => ({ networking: 'v1', security: 'v1' }),
          },
        ],
        logger: mockServices.logger.mock(),
      });
      const [mixed] = okClusters(
        await reader.read({
          entityRef: 'component:default/multi',
          target: { kubernetesId: 'multi' },
          thresholds: {},
        }),
      );
      expect(mixed.services.map(s => s.namespace)).toEqual([
        'a-open',
        'b-strict',
      ]);
      expect(mixed.mtls).toEqual({ mode: 'PERMISSIVE' });
      // Its namespace names its environment; the cluster names none.
      expect(mixed.workloads.map(w => [w.namespace, w.environment])).toEqual([
        ['a-open', 'qa'],
      ]);
      // The STRICT policy still concerns the service.
      expect(mixed.istioObjects).toContainEqual(
        expect.objectContaining({
          kind: 'PeerAuthentication',
          namespace: 'b-strict',
          scope: 'namespace',
        }),
      );
    } finally {
      await objects.stop();
      await emulator.stop();
    }
  });
});
