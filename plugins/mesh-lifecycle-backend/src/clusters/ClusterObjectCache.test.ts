import { mockServices } from '@backstage/backend-test-utils';
import { KubeConfig } from '@kubernetes/client-node';
import {
  KubernetesEmulator,
  startKubernetesEmulator,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-test-utils';
import { ClusterObjectCache, ResourceType } from './ClusterObjectCache';
import { discoverServedVersion } from './discoverServedVersion';
import { parseObjects } from './objectSchemas';
import { KUBERNETES_RESOURCES } from './resources';

const deployments: ResourceType = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  plural: 'deployments',
};
const virtualServices: ResourceType = {
  apiVersion: 'networking.istio.io/v1beta1',
  kind: 'VirtualService',
  plural: 'virtualservices',
};

function deployment(name: string, namespace: string, replicas = 1) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name, image: `${name}:1` }] },
      },
    },
  };
}

async function eventually(check: () => Promise<boolean>, what: string) {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise(resolve => setTimeout(resolve, 50));
  }
}

describe('ClusterObjectCache', () => {
  let emulator: KubernetesEmulator;
  let cache: ClusterObjectCache;

  function kubeConfig() {
    const kc = new KubeConfig();
    kc.loadFromString(emulator.kubeconfig());
    return kc;
  }

  beforeEach(async () => {
    emulator = await startKubernetesEmulator({
      name: 'prod',
      objects: [deployment('cart', 'shop'), deployment('audit', 'ops')],
    });
    cache = new ClusterObjectCache({
      kubeConfig: kubeConfig(),
      clusterName: 'prod',
      logger: mockServices.logger.mock(),
      restartDelayMs: 50,
      syncTimeoutMs: 2_000,
    });
  });

  afterEach(async () => {
    await cache.stop();
    await emulator.stop();
  });

  const names = async (namespace?: string) =>
    (await cache.list(deployments, namespace)).map(o => o.metadata?.name);

  it('lists once, then answers from its cache with no cluster call', async () => {
    expect(await names('shop')).toEqual(['cart']);
    expect((await names()).sort()).toEqual(['audit', 'cart']);
    const calls = emulator.calls.count({ verb: 'list' });
    expect(calls).toBe(1);
    for (let i = 0; i < 5; i++) {
      await names('shop');
    }
    expect(emulator.calls.count({ verb: 'list' })).toBe(calls);
  });

  it('asks the cluster once per API version which resources it serves, for every kind it lists', async () => {
    const kinds: ResourceType[] = [
      deployments,
      { apiVersion: 'v1', kind: 'Service', plural: 'services' },
      { apiVersion: 'v1', kind: 'Pod', plural: 'pods' },
      { apiVersion: 'v1', kind: 'ConfigMap', plural: 'configmaps' },
      virtualServices,
      {
        apiVersion: 'networking.istio.io/v1beta1',
        kind: 'DestinationRule',
        plural: 'destinationrules',
      },
    ];
    // As on a first view: every kind at once.
    await Promise.all(kinds.map(kind => cache.list(kind)));
    const discovery = emulator.calls
      .list()
      .filter(
        c => /^\/apis?\/[^/]+(\/[^/]+)?$/.test(c.path) && c.verb === 'get',
      )
      .map(c => c.path)
      .sort();
    expect(discovery).toEqual([
      '/api/v1',
      '/apis/apps/v1',
      '/apis/networking.istio.io/v1beta1',
    ]);
    expect(emulator.calls.count({ verb: 'list' })).toBe(kinds.length);
  });

  it('keeps objects without their managedFields and last-applied copy, listed or watched', async () => {
    const lastApplied = 'kubectl.kubernetes.io/last-applied-configuration';
    const annotated = (replicas: number) => {
      const d = deployment('cart', 'shop', replicas);
      return {
        ...d,
        metadata: {
          ...d.metadata,
          annotations: {
            [lastApplied]: JSON.stringify(d),
            'mesh-lifecycle.io/phase': 'operate',
          },
        },
      };
    };
    emulator.apply(annotated(1));
    // The cluster serves both.
    const served = emulator.get('apps/v1', 'Deployment', 'shop', 'cart') as {
      metadata: { managedFields?: unknown[]; annotations: object };
    };
    expect(served.metadata.managedFields?.length).toBeGreaterThan(0);
    expect(served.metadata.annotations).toHaveProperty([lastApplied]);

    const kept = async () => {
      const [cart] = await cache.list(deployments, 'shop');
      return cart as {
        metadata: { [key: string]: unknown };
        spec: { replicas: number };
      };
    };
    const listed = await kept();
    expect(listed.metadata.managedFields).toBeUndefined();
    expect(listed.metadata.annotations).toEqual({
      'mesh-lifecycle.io/phase': 'operate',
    });

    emulator.apply(annotated(4));
    await eventually(
      async () => (await kept()).spec.replicas === 4,
      'the update',
    );
    const watched = await kept();
    expect(watched.metadata.managedFields).toBeUndefined();
    expect(watched.metadata.annotations).toEqual({
      'mesh-lifecycle.io/phase': 'operate',
    });
  });

  it('keeps only the fields read of kinds that say which, listed or watched', async () => {
    const pod = (phase: string) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'cart-1',
        namespace: 'shop',
        labels: { app: 'cart', 'backstage.io/kubernetes-id': 'cart' },
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'ReplicaSet',
            name: 'cart-1',
            uid: 'u',
          },
        ],
      },
      spec: {
        nodeName: 'node-1',
        containers: [
          {
            name: 'istio-proxy',
            image: 'proxyv2:1.23',
            env: [{ name: 'PROXY_CONFIG', value: '{}' }],
          },
        ],
        volumes: [{ name: 'istio-envoy', emptyDir: {} }],
      },
      status: {
        phase,
        podIP: '10.0.0.1',
        conditions: [
          { type: 'PodScheduled', status: 'True' },
          { type: 'Ready', status: 'True' },
          { type: 'ContainersReady', status: 'True' },
        ],
      },
    });
    emulator.apply(pod('Pending'));
    const kept = async () => {
      const [cart] = await cache.list(KUBERNETES_RESOURCES.pods, 'shop');
      return cart as { status?: { phase?: string } };
    };
    const expected = (phase: string) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'cart-1',
        namespace: 'shop',
        labels: { app: 'cart', 'backstage.io/kubernetes-id': 'cart' },
        resourceVersion: expect.any(String),
      },
      spec: { nodeName: 'node-1', containers: [{ name: 'istio-proxy' }] },
      status: { phase, conditions: [{ type: 'Ready', status: 'True' }] },
    });
    const listed = await kept();
    expect(listed).toEqual(expected('Pending'));
    // What is kept is its own parse: a view makes no second copy.
    expect(
      parseObjects(KUBERNETES_RESOURCES.pods.keep, [listed], () => {})[0],
    ).toBe(listed);

    emulator.apply(pod('Running'));
    await eventually(
      async () => (await kept()).status?.phase === 'Running',
      'the update',
    );
    expect(await kept()).toEqual(expected('Running'));
  });

  it("finds a service's objects by kubernetes-id as they are added, relabelled, relisted and deleted", async () => {
    const labelled = (name: string, namespace: string, id: string) => {
      const d = deployment(name, namespace);
      return {
        ...d,
        metadata: {
          ...d.metadata,
          labels: { ...d.metadata.labels, 'backstage.io/kubernetes-id': id },
        },
      };
    };
    emulator.apply(labelled('cart', 'shop', 'cart'));
    emulator.apply(labelled('cart-canary', 'shop', 'cart'));
    emulator.apply(labelled('cart', 'staging', 'cart'));
    const ids = async (namespace?: string) =>
      (await cache.listByKubernetesId(deployments, 'cart', namespace))
        .map(o => `${o.metadata?.namespace}/${o.metadata?.name}`)
        .sort()
        .join();
    expect(await ids()).toBe('shop/cart,shop/cart-canary,staging/cart');
    expect(await ids('staging')).toBe('staging/cart');

    emulator.apply(labelled('cart-canary', 'shop', 'basket'));
    emulator.remove('apps/v1', 'Deployment', 'staging', 'cart');
    await eventually(
      async () => (await ids()) === 'shop/cart',
      'relabel and delete',
    );
    // Changes the watch missed come back through a relist.
    emulator.closeWatches();
    emulator.apply(labelled('cart', 'ops', 'cart'));
    emulator.remove('apps/v1', 'Deployment', 'shop', 'cart');
    emulator.apply(labelled('cart-canary', 'shop', 'trolley'));
    emulator.compactHistory();
    await eventually(async () => (await ids()) === 'ops/cart', 'relist');
    const named = async (id: string) =>
      (await cache.listByKubernetesId(deployments, id)).map(
        o => o.metadata?.name,
      );
    expect(await named('basket')).toEqual([]);
    expect(await named('trolley')).toEqual(['cart-canary']);
    // Its label taken away: the object leaves the index.
    emulator.apply(deployment('cart-canary', 'shop'));
    await eventually(
      async () => (await named('trolley')).length === 0,
      'label removed',
    );
  });

  it('warms the kinds it is given once, and says which failed', async () => {
    emulator.faults.add({
      path: '/apis/networking.istio.io/v1beta1/virtualservices',
      status: 403,
    });
    const { failed } = await cache.warm([deployments, virtualServices]);
    expect(failed).toEqual(['virtualservices.networking.istio.io']);
    const listed = emulator.calls.count({ verb: 'list' });
    expect((await names()).sort()).toEqual(['audit', 'cart']);
    expect(emulator.calls.count({ verb: 'list' })).toBe(listed);
  });

  it('watches only the namespaces it is given, and refuses to answer for another', async () => {
    emulator.apply(deployment('cart', 'staging'));
    const scoped = new ClusterObjectCache({
      kubeConfig: kubeConfig(),
      clusterName: 'prod',
      logger: mockServices.logger.mock(),
      namespaces: ['shop', 'staging'],
    });
    try {
      const all = await scoped.list(deployments);
      expect(
        all.map(o => `${o.metadata?.namespace}/${o.metadata?.name}`).sort(),
      ).toEqual(['shop/cart', 'staging/cart']);
      expect(
        (await scoped.list(deployments, 'staging')).map(o => o.metadata?.name),
      ).toEqual(['cart']);
      // One list and one watch per namespace, none cluster-wide.
      expect(
        emulator.calls
          .list(c => c.resource === 'deployments')
          .map(c => `${c.verb} ${c.namespace ?? '*'}`)
          .sort(),
      ).toEqual(['list shop', 'list staging', 'watch shop', 'watch staging']);
      await expect(scoped.list(deployments, 'ops')).rejects.toThrow(
        "cluster prod: namespace ops is not one the backend watches (shop, staging); add it to the cluster's namespaces in the meshLifecycle configuration",
      );
      // Cluster-scoped kinds are read whole: a namespace not watched is
      // listed too.
      emulator.apply({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'ops' },
      });
      expect(
        (await scoped.list(KUBERNETES_RESOURCES.namespaces)).map(
          n => n.metadata?.name,
        ),
      ).toContain('ops');
      expect(
        emulator.calls.count({ verb: 'list', resource: 'namespaces' }),
      ).toBe(1);
      expect(
        emulator.calls
          .list({ resource: 'namespaces' })
          .every(c => !c.namespace),
      ).toBe(true);

      emulator.apply(deployment('payment', 'staging'));
      emulator.apply(deployment('ignored', 'ops'));
      await eventually(
        async () => (await scoped.list(deployments)).length === 3,
        'the watch of one namespace',
      );
    } finally {
      await scoped.stop();
    }
  });

  it('follows adds, updates and deletes through its watch', async () => {
    await names();
    emulator.apply(deployment('checkout', 'shop'));
    emulator.apply(deployment('cart', 'shop', 3));
    emulator.remove('apps/v1', 'Deployment', 'ops', 'audit');
    await eventually(
      async () => (await names()).sort().join() === 'cart,checkout',
      'watch events',
    );
    const cart = (await cache.list(deployments, 'shop')).find(
      o => o.metadata?.name === 'cart',
    ) as { spec?: { replicas?: number } } | undefined;
    expect(cart?.spec?.replicas).toBe(3);
  });

  it('gives a revision that changes with every add, update and delete, and rejects as a list would', async () => {
    const first = await cache.revisionOf([deployments]);
    expect(await cache.revisionOf([deployments])).toBe(first);
    const changes = async (change: () => void) => {
      const before = await cache.revisionOf([deployments]);
      change();
      await eventually(
        async () => (await cache.revisionOf([deployments])) !== before,
        'a new revision',
      );
    };
    await changes(() => emulator.apply(deployment('checkout', 'shop')));
    await changes(() => emulator.apply(deployment('cart', 'shop', 3)));
    await changes(() =>
      emulator.remove('apps/v1', 'Deployment', 'ops', 'audit'),
    );
    const settled = await cache.revisionOf([deployments]);
    await new Promise(resolve => setTimeout(resolve, 100));
    expect(await cache.revisionOf([deployments])).toBe(settled);

    emulator.faults.add({ path: /deployments/, status: 503 });
    emulator.closeWatches();
    await eventually(
      () =>
        cache.revisionOf([deployments]).then(
          () => false,
          error => /Deployment watch broken since/.test(String(error)),
        ),
      'rejected while the watch is broken',
    );
  });

  it('lists a page at a time, as one snapshot, and watches on from it', async () => {
    const paged = new ClusterObjectCache({
      kubeConfig: kubeConfig(),
      clusterName: 'prod',
      logger: mockServices.logger.mock(),
      syncTimeoutMs: 2_000,
      listPageSize: 2,
    });
    try {
      emulator.apply(deployment('checkout', 'shop'));
      emulator.apply(deployment('payment', 'shop'));
      emulator.apply(deployment('search', 'shop'));
      const listed = async () =>
        (await paged.list(deployments)).map(o => o.metadata?.name).sort();
      expect(await listed()).toEqual([
        'audit',
        'cart',
        'checkout',
        'payment',
        'search',
      ]);
      const lists = emulator.calls.list().filter(c => c.verb === 'list');
      expect(lists.map(c => c.query.limit)).toEqual(['2', '2', '2']);
      expect(lists.map(c => Boolean(c.query.continue))).toEqual([
        false,
        true,
        true,
      ]);
      // Every object kept as the cache keeps it, not as served.
      const [first] = await paged.list(deployments);
      expect(first.metadata).not.toHaveProperty('managedFields');
      // The watch starts from the listed revision: nothing is missed.
      emulator.apply(deployment('ledger', 'shop'));
      await eventually(
        async () => (await listed()).includes('ledger'),
        'watch after a paged list',
      );
      expect(emulator.calls.count({ verb: 'list' })).toBe(3);
    } finally {
      await paged.stop();
    }
  });

  it.each([
    ['every page and watch a stream of one HTTP/2 connection', true],
    ['a connection per watch where the server has no HTTP/2', false],
  ])(
    'shares a few TLS connections: list pages reuse them, %s, and a watch the server ends reopens on its connection',
    async (_what, http2) => {
      const secure = await startKubernetesEmulator({
        name: 'prod',
        tls: true,
        http2,
        objects: Array.from({ length: 12 }, (_, i) =>
          deployment(`service-${i}`, 'shop'),
        ),
      });
      const secureConfig = new KubeConfig();
      secureConfig.loadFromString(secure.kubeconfig());
      const shared = new ClusterObjectCache({
        kubeConfig: secureConfig,
        clusterName: 'prod',
        logger: mockServices.logger.mock(),
        syncTimeoutMs: 2_000,
        listPageSize: 2,
      });
      try {
        const kinds = [
          deployments,
          KUBERNETES_RESOURCES.pods,
          KUBERNETES_RESOURCES.services,
          KUBERNETES_RESOURCES.serviceAccounts,
        ];
        expect(await shared.warm(kinds)).toEqual({ failed: [] });
        const pages = secure.calls.count({ verb: 'list' });
        const watches = secure.calls.count({ verb: 'watch' });
        const discovery = secure.calls.count(c => c.resource === undefined);
        expect({ pages, watches }).toEqual({ pages: 9, watches: 4 });
        // A connection per discovery call (the client's); over HTTP/2 one
        // for every list page and watch; else one per watch, the one that
        // asked for HTTP/2, and for the 9 pages no more than the 4 kinds
        // listed at once.
        expect(secure.connections.opened).toBeLessThanOrEqual(
          http2 ? discovery + 1 : discovery + watches + 1 + kinds.length,
        );
        const opened = secure.connections.opened;
        secure.closeWatches();
        secure.apply(deployment('ledger', 'shop'));
        await eventually(
          async () =>
            (
              await shared.list(deployments)
            ).some(o => o.metadata?.name === 'ledger'),
          'the watch reopened',
        );
        expect(secure.calls.count({ verb: 'watch' })).toBe(2 * watches);
        expect(secure.connections.opened).toBe(opened);
        await shared.stop();
        await new Promise(resolve => setTimeout(resolve, 100));
        expect(secure.connections.open).toBe(0);
      } finally {
        await shared.stop();
        await secure.stop();
      }
    },
  );

  it('reports a list refused over HTTP/2 with the status and the Status the server gave', async () => {
    const secure = await startKubernetesEmulator({ name: 'prod', tls: true });
    const secureConfig = new KubeConfig();
    secureConfig.loadFromString(secure.kubeconfig());
    const logger = mockServices.logger.mock();
    const refused = new ClusterObjectCache({
      kubeConfig: secureConfig,
      clusterName: 'prod',
      logger,
      syncTimeoutMs: 2_000,
    });
    try {
      secure.faults.add({ path: /deployments/, status: 503 });
      const error = await refused.list(deployments).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toMatchObject({ name: 'ClusterError', status: 503 });
      expect(String(error)).toMatch(/^ClusterError: cluster prod: HTTP 503/);
      expect(JSON.stringify(logger.warn.mock.calls)).toContain(
        'injected fault (503)',
      );
      expect(secure.connections.opened).toBeLessThanOrEqual(
        1 + secure.calls.count(c => c.resource === undefined),
      );
    } finally {
      await refused.stop();
      await secure.stop();
    }
  });

  it('lists again in one piece when the cluster compacts its snapshot between pages', async () => {
    const paged = new ClusterObjectCache({
      kubeConfig: kubeConfig(),
      clusterName: 'prod',
      logger: mockServices.logger.mock(),
      syncTimeoutMs: 5_000,
      listPageSize: 1,
    });
    const slow = emulator.faults.add({
      method: 'GET',
      path: '/apis/apps/v1/deployments',
      latencyMs: 300,
    });
    try {
      const listing = paged.list(deployments);
      // The second page is on its way: the cluster changes and compacts the
      // revision the first page read.
      await eventually(
        async () =>
          emulator.calls
            .list()
            .some(c => c.verb === 'list' && c.query.continue !== undefined),
        'second page asked for',
      );
      emulator.apply(deployment('checkout', 'shop'));
      emulator.compactHistory();
      expect((await listing).map(o => o.metadata?.name).sort()).toEqual([
        'audit',
        'cart',
        'checkout',
      ]);
      const lists = emulator.calls.list().filter(c => c.verb === 'list');
      expect(lists.map(c => c.query.limit ?? 'none')).toEqual([
        '1',
        '1',
        'none',
      ]);
    } finally {
      slow.remove();
      await paged.stop();
    }
  });

  it('relists after its watch is too old (410) and stays current', async () => {
    await names();
    // While the watch is down, a change happens and the history that the
    // cache would resume from is dropped: its next watch gets 410 Expired.
    emulator.closeWatches();
    emulator.apply(deployment('checkout', 'shop'));
    emulator.compactHistory();
    emulator.apply(deployment('payment', 'shop'));
    await eventually(
      async () =>
        (await names('shop')).sort().join() === 'cart,checkout,payment',
      'relist',
    );
    expect(emulator.calls.count({ verb: 'list' })).toBeGreaterThanOrEqual(2);
  });

  it('rejects when the cluster fails, answers that for its backoff, then retries', async () => {
    const backingOff = new ClusterObjectCache({
      kubeConfig: kubeConfig(),
      clusterName: 'prod',
      logger: mockServices.logger.mock(),
      syncTimeoutMs: 2_000,
      failureBackoffMs: 300,
    });
    try {
      const fault = emulator.faults.add({ path: /deployments/, status: 500 });
      await expect(backingOff.list(deployments)).rejects.toThrow();
      fault.remove();
      const calls = emulator.calls.count();
      await expect(backingOff.list(deployments)).rejects.toThrow();
      expect(emulator.calls.count()).toBe(calls);
      await new Promise(resolve => setTimeout(resolve, 400));
      const listed = await backingOff.list(deployments);
      expect(listed.map(o => o.metadata?.name).sort()).toEqual([
        'audit',
        'cart',
      ]);
    } finally {
      await backingOff.stop();
    }
  });

  it('says a cluster whose watch broke is unreachable, until it watches again', async () => {
    expect((await names()).sort()).toEqual(['audit', 'cart']);
    const fault = emulator.faults.add({ path: /deployments/, status: 503 });
    emulator.closeWatches();
    await eventually(async () => {
      try {
        await cache.list(deployments);
        return false;
      } catch (error) {
        return /^ClusterError: cluster prod: HTTP 503 .*\(Deployment watch broken since /.test(
          String(error),
        );
      }
    }, 'reported unreachable');
    fault.remove();
    await eventually(
      async () =>
        (await cache.list(deployments).then(
          list => list.length,
          () => 0,
        )) === 2,
      'watching again',
    );
  });

  it('gives up on a cluster that does not answer in time', async () => {
    emulator.faults.add({ path: /deployments/, latencyMs: 5_000, times: 1 });
    await expect(cache.list(deployments)).rejects.toThrow(
      /^cluster prod: no answer within 2000 ms — check the url of cluster 'prod' and the network/,
    );
  }, 15_000);

  it('reads Istio objects in the version it is given', async () => {
    emulator.apply({
      apiVersion: 'networking.istio.io/v1beta1',
      kind: 'VirtualService',
      metadata: { name: 'cart', namespace: 'shop' },
      spec: {
        hosts: ['cart'],
        http: [{ route: [{ destination: { host: 'cart' } }] }],
      },
    });
    const list = await cache.list(virtualServices, 'shop');
    expect(list.map(o => o.metadata?.name)).toEqual(['cart']);
  });
});

describe('discoverServedVersion', () => {
  it('prefers Istio networking v1 and falls back to v1beta1', async () => {
    const modern = await startKubernetesEmulator();
    const old = await startKubernetesEmulator({
      istioNetworkingVersions: ['v1beta1'],
    });
    try {
      const config = (emulator: KubernetesEmulator) => {
        const kc = new KubeConfig();
        kc.loadFromString(emulator.kubeconfig());
        return kc;
      };
      const preferred = ['v1', 'v1beta1'];
      await expect(
        discoverServedVersion(config(modern), 'networking.istio.io', preferred),
      ).resolves.toBe('v1');
      await expect(
        discoverServedVersion(config(old), 'networking.istio.io', preferred),
      ).resolves.toBe('v1beta1');
      await expect(
        discoverServedVersion(config(old), 'no.such.group', preferred),
      ).resolves.toBeUndefined();
    } finally {
      await modern.stop();
      await old.stop();
    }
  });
});
