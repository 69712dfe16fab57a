import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { CacheService } from '@backstage/backend-plugin-api';
import { JsonValue } from '@backstage/types';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { KubeConfig } from '@kubernetes/client-node';
import {
  FleetResponse,
  FleetService,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import {
  KubernetesEmulator,
  PrometheusInstance,
  createServiceEntity,
  groundTruth,
  startKubernetesEmulator,
  startPrometheus,
  toOpenMetrics,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-test-utils';
import { generateFleet } from '../__testUtils__/generateFleet';
import { ClusterObjectCache } from '../clusters/ClusterObjectCache';
import { PrometheusClient } from '../prometheus/PrometheusClient';
import { MeshCluster } from './ClusterMeshReader';
import { FleetReader } from './FleetReader';
import { TrafficSource } from './TrafficReader';

jest.setTimeout(60_000);

/** |actual / expected - 1|. */
const off = (actual: number | null, expected: number) =>
  Math.abs((actual ?? NaN) / expected - 1);
/** As `off`, but an expected 0 must be exactly 0. */
const near = (actual: number | null, expected: number) => {
  if (expected !== 0) return off(actual, expected);
  return actual === 0 ? 0 : Infinity;
};

/** How many instant queries a Prometheus has answered, from its own /metrics. */
async function instantQueries(prometheus: PrometheusInstance): Promise<number> {
  const text = await (await fetch(new URL('/metrics', prometheus.url))).text();
  return text
    .split('\n')
    .filter(
      line =>
        line.startsWith('prometheus_http_requests_total{') &&
        line.includes('handler="/api/v1/query"'),
    )
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}

function ok(service: FleetService | undefined) {
  if (service?.status !== 'ok') {
    throw new Error(`expected an ok service, got ${JSON.stringify(service)}`);
  }
  return service;
}

describe('FleetReader against emulated clusters and the real Prometheus', () => {
  const fleet = generateFleet({ count: 12, clusters: ['east', 'west'] });
  const end = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 120_000);
  const start = new Date(end.getTime() - 900_000);
  const emulators: KubernetesEmulator[] = [];
  const caches: ClusterObjectCache[] = [];
  let prometheus: PrometheusInstance;

  const broken = createServiceEntity({
    name: 'broken-service',
    kubernetesNamespace: 'Not A Namespace',
  });
  const pinned = createServiceEntity({
    name: fleet.services[0].name,
    namespace: 'pinned',
    kubernetesNamespace: fleet.services[0].namespace,
    cluster: 'west',
  });
  const bySelector = createServiceEntity({
    name: 'selected',
    kubernetesNamespace: fleet.services[2].namespace,
    annotations: {
      'backstage.io/kubernetes-label-selector': `app=${fleet.services[2].name}`,
    },
  });
  const notMesh = {
    ...createServiceEntity({ name: 'website' }),
    metadata: { name: 'website', namespace: 'default' },
  };

  function meshCluster(name: string, kubeconfig: string): MeshCluster {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromString(kubeconfig);
    const objects = new ClusterObjectCache({
      kubeConfig,
      clusterName: name,
      logger: mockServices.logger.mock(),
      syncTimeoutMs: 2_000,
    });
    caches.push(objects);
    return { name, objects, servedApis: async () => ({ networking: 'v1' }) };
  }

  function reader(options: { down?: boolean } = {}) {
    const clusters = emulators.map(e => meshCluster(e.name, e.kubeconfig()));
    const sources: TrafficSource[] = [
      {
        client: new PrometheusClient({
          source: {
            name: 'prometheus:global',
            url: prometheus.url,
            timeoutMs: 5_000,
          },
        }),
        clusters: [],
      },
    ];
    if (options.down) {
      const gone = goneKubeconfig();
      clusters.push(meshCluster('gone', gone));
      sources.push({
        client: new PrometheusClient({
          source: {
            name: 'prometheus:gone',
            url: 'http://127.0.0.1:1',
            timeoutMs: 2_000,
          },
        }),
        clusters: ['gone'],
      });
    }
    return new FleetReader({
      catalog: catalogServiceMock({
        entities: [...fleet.entities, broken, pinned, bySelector, notMesh],
      }),
      clusters,
      sources,
      logger: mockServices.logger.mock(),
    });
  }

  beforeAll(async () => {
    for (const name of ['east', 'west']) {
      emulators.push(
        await startKubernetesEmulator({ name, objects: fleet.objects[name] }),
      );
    }
    prometheus = await startPrometheus({
      backfill: ['east', 'west'].map(name =>
        toOpenMetrics(fleet.models[name], { start, end, stepSeconds: 30 }),
      ),
    });
  });
  afterAll(async () => {
    await Promise.all(caches.map(c => c.stop()));
    await Promise.all([prometheus?.stop(), ...emulators.map(e => e.stop())]);
  });

  let response: FleetResponse;
  let queries: number;

  beforeAll(async () => {
    const before = await instantQueries(prometheus);
    response = await reader({ down: true }).read({
      credentials: mockCredentials.user(),
      windowSeconds: 300,
      at: end,
    });
    queries = (await instantQueries(prometheus)) - before;
  });

  it('serves every service’s figures as the model says, within 2 %', () => {
    for (const expected of fleet.services) {
      const service = ok(
        response.services.find(
          s => s.entityRef === `component:default/${expected.name}`,
        ),
      );
      const truth = groundTruth(fleet.models[expected.cluster], {
        destination: expected.name,
        from: new Date(end.getTime() - 300_000),
        to: end,
      });
      expect(service.traffic.map(t => t.source)).toEqual(['prometheus:global']);
      const { figures } = service.traffic[0];
      expect(
        off(figures.requestsPerSecond, truth.requestsPerSecond),
      ).toBeLessThan(0.02);
      expect(off(figures.successRatio, 1 - truth.ratio5xx)).toBeLessThan(0.02);
      expect(near(figures.ratio5xx, truth.ratio5xx)).toBeLessThan(0.02);
      expect(
        off(figures.p95LatencyMs, truth.estimatedLatencyMs.p95),
      ).toBeLessThan(0.02);
      expect(off(figures.mtlsShare, truth.mtlsShare)).toBeLessThan(0.02);
    }
  });

  it('asks each Prometheus one query per figure for the whole fleet', () => {
    // Five figures, however many services.
    expect(queries).toBe(5);
    expect(response.prometheus).toEqual([
      {
        source: 'prometheus:global',
        status: 'ok',
        series: fleet.services.length,
        // Asked for as of the time given.
        asOf: end.toISOString(),
      },
      {
        source: 'prometheus:gone',
        status: 'error',
        error: {
          name: 'PrometheusError',
          message: expect.stringContaining('unreachable'),
        },
      },
    ]);
  });

  it('counts each service’s replicas on the cluster that runs it', () => {
    for (const expected of fleet.services) {
      const service = ok(
        response.services.find(
          s => s.entityRef === `component:default/${expected.name}`,
        ),
      );
      expect(service.clusters).toEqual([
        {
          cluster: expected.cluster,
          workloads: 1,
          replicas: expected.replicas,
          readyReplicas: expected.readyReplicas,
        },
      ]);
    }
    expect(response.clusters).toEqual([
      { source: 'east', status: 'ok', workloads: 6 },
      { source: 'west', status: 'ok', workloads: 6 },
      { source: 'gone', status: 'error', error: expect.any(Object) },
    ]);
  });

  it('counts only the cluster a service is pinned to', () => {
    const service = ok(
      response.services.find(
        s => s.entityRef === `component:pinned/${fleet.services[0].name}`,
      ),
    );
    // The service runs on east; pinned to west it has no workloads there.
    expect(fleet.services[0].cluster).toBe('east');
    expect(service.clusters).toEqual([
      { cluster: 'west', workloads: 0, replicas: 0, readyReplicas: 0 },
    ]);
    expect(service.traffic.map(t => t.source)).toEqual(['prometheus:global']);
  });

  it('finds the workloads of a service by its label selector when it declares one', () => {
    const expected = fleet.services[2];
    const service = ok(
      response.services.find(s => s.entityRef === 'component:default/selected'),
    );
    expect(service.clusters).toEqual([
      {
        cluster: expected.cluster,
        workloads: 1,
        replicas: expected.replicas,
        readyReplicas: expected.readyReplicas,
      },
    ]);
  });

  it('lists a service with malformed annotations with its error, and leaves out entities that are not on the mesh', () => {
    expect(
      response.services.find(
        s => s.entityRef === 'component:default/broken-service',
      ),
    ).toMatchObject({
      status: 'error',
      error: {
        name: 'InputError',
        message: expect.stringContaining('backstage.io/kubernetes-namespace'),
      },
    });
    expect(response.services).toHaveLength(fleet.services.length + 3);
    expect(
      response.services.some(s => s.entityRef === 'component:default/website'),
    ).toBe(false);
  });

  /** A reader of the east cluster and the Prometheus, reusing figures as told. */
  const eastReader = (
    reuse: Pick<
      ConstructorParameters<typeof FleetReader>[0],
      'figuresTtlMs' | 'figuresStaleMs' | 'shared'
    >,
  ) =>
    new FleetReader({
      catalog: catalogServiceMock({ entities: fleet.entities }),
      clusters: [meshCluster('east', emulators[0].kubeconfig())],
      sources: [
        {
          client: new PrometheusClient({
            source: { name: 'p', url: prometheus.url, timeoutMs: 5_000 },
          }),
          clusters: [],
        },
      ],
      logger: mockServices.logger.mock(),
      ...reuse,
    });

  it('reuses a source’s fleet figures for a while, and counts replicas as the clusters change', async () => {
    const [east] = emulators;
    const expected = fleet.services.find(s => s.cluster === 'east')!;
    // No cache service: only the reader's own reuse saves queries.
    const fleetReader = (figuresTtlMs?: number) => eastReader({ figuresTtlMs });
    const credentials = mockCredentials.user();
    const replicasOf = (answer: FleetResponse) =>
      ok(
        answer.services.find(
          s => s.entityRef === `component:default/${expected.name}`,
        ),
      ).clusters[0]?.replicas;

    const reusing = fleetReader();
    let before = await instantQueries(prometheus);
    const first = await reusing.read({ credentials, windowSeconds: 300 });
    expect(replicasOf(first)).toBe(expected.replicas);
    east.apply({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: `${expected.name}-v1`,
        namespace: expected.namespace,
        labels: {
          app: expected.name,
          version: 'v1',
          'backstage.io/kubernetes-id': expected.name,
        },
      },
      spec: {
        replicas: expected.replicas + 5,
        selector: { matchLabels: { app: expected.name, version: 'v1' } },
        template: { metadata: { labels: { app: expected.name } } },
      },
    });
    let second = first;
    for (let i = 0; i < 100 && replicasOf(second) === expected.replicas; i++) {
      await new Promise(resolve => setTimeout(resolve, 50));
      second = await reusing.read({ credentials, windowSeconds: 300 });
    }
    expect(replicasOf(second)).toBe(expected.replicas + 5);
    expect((await instantQueries(prometheus)) - before).toBe(5);

    const notReusing = fleetReader(0);
    before = await instantQueries(prometheus);
    await notReusing.read({ credentials, windowSeconds: 300 });
    await notReusing.read({ credentials, windowSeconds: 300 });
    expect((await instantQueries(prometheus)) - before).toBe(10);
  });

  it('answers the last figures at once after their reuse period, and newer ones computed behind', async () => {
    const swr = eastReader({ figuresTtlMs: 200, figuresStaleMs: 60_000 });
    const credentials = mockCredentials.user();
    const asOf = async () => {
      const [source] = (await swr.read({ credentials, windowSeconds: 300 }))
        .prometheus;
      return source.status === 'ok' ? source.asOf : undefined;
    };
    let before = await instantQueries(prometheus);
    const first = await asOf();
    expect(first).toBeDefined();
    expect((await instantQueries(prometheus)) - before).toBe(5);

    await new Promise(resolve => setTimeout(resolve, 300));
    // Past the reuse period: the same figures, while five queries run behind.
    before = await instantQueries(prometheus);
    expect(await asOf()).toBe(first);
    let refreshed = first;
    for (let i = 0; i < 100 && refreshed === first; i++) {
      await new Promise(resolve => setTimeout(resolve, 20));
      refreshed = await asOf();
    }
    expect(Date.parse(refreshed!)).toBeGreaterThan(Date.parse(first!));
    // One refresh, not one per viewer.
    expect((await instantQueries(prometheus)) - before).toBe(5);
  });

  it('shares its figures with other replicas through the cache service', async () => {
    // Backstage's cache service as several replicas see it (memory, Redis…).
    const store = new Map<string, { value: JsonValue; until: number }>();
    const shared: CacheService = {
      async get<T extends JsonValue>(key: string) {
        const hit = store.get(key);
        return hit && hit.until > Date.now() ? (hit.value as T) : undefined;
      },
      async set(key, value, options) {
        store.set(key, { value, until: Date.now() + (options?.ttl as number) });
      },
      async delete(key) {
        store.delete(key);
      },
      withOptions: () => shared,
    };
    const replica = () =>
      eastReader({ figuresTtlMs: 1_500, figuresStaleMs: 60_000, shared });
    const [one, two] = [replica(), replica()];
    const credentials = mockCredentials.user();
    const read = async (fleetReader: FleetReader) => {
      const answer = await fleetReader.read({
        credentials,
        windowSeconds: 300,
      });
      const [source] = answer.prometheus;
      return {
        asOf: source.status === 'ok' ? source.asOf : undefined,
        figures: answer.services.map(s =>
          s.status === 'ok' ? s.traffic[0]?.figures : undefined,
        ),
      };
    };

    let before = await instantQueries(prometheus);
    const first = await read(one);
    expect((await instantQueries(prometheus)) - before).toBe(5);
    // The other replica's first view: the same figures, no query.
    before = await instantQueries(prometheus);
    expect(await read(two)).toEqual(first);
    expect((await instantQueries(prometheus)) - before).toBe(0);

    // Both past the reuse period: the first to be viewed refreshes (five
    // queries), the other takes its newer figures instead of asking.
    await new Promise(resolve => setTimeout(resolve, 1_600));
    before = await instantQueries(prometheus);
    expect((await read(two)).asOf).toBe(first.asOf);
    let refreshed = first.asOf;
    for (let i = 0; i < 100 && refreshed === first.asOf; i++) {
      await new Promise(resolve => setTimeout(resolve, 20));
      refreshed = (await read(two)).asOf;
    }
    expect(Date.parse(refreshed!)).toBeGreaterThan(Date.parse(first.asOf!));
    expect((await instantQueries(prometheus)) - before).toBe(5);
    expect((await read(one)).asOf).toBe(first.asOf);
    let adopted = first.asOf;
    for (let i = 0; i < 100 && adopted === first.asOf; i++) {
      await new Promise(resolve => setTimeout(resolve, 20));
      adopted = (await read(one)).asOf;
    }
    expect(adopted).toBe(refreshed);
    expect((await instantQueries(prometheus)) - before).toBe(5);

    // What another replica left in the cache is checked, not trusted.
    const [key] = store.keys();
    store.set(key, { value: { figures: 'garbage' }, until: Infinity });
    before = await instantQueries(prometheus);
    const third = await read(replica());
    expect(third.figures).toHaveLength(first.figures.length);
    expect((await instantQueries(prometheus)) - before).toBe(5);
  });

  it('answers null figures for a service without traffic', async () => {
    const idle = createServiceEntity({
      name: 'idle',
      kubernetesNamespace: 'team-0',
    });
    const fleetReader = new FleetReader({
      catalog: catalogServiceMock({ entities: [idle] }),
      clusters: [],
      sources: [
        {
          client: new PrometheusClient({
            source: {
              name: 'prometheus:global',
              url: prometheus.url,
              timeoutMs: 5_000,
            },
          }),
          clusters: [],
        },
      ],
      logger: mockServices.logger.mock(),
    });
    const answer = await fleetReader.read({
      credentials: mockCredentials.user(),
      windowSeconds: 300,
      at: end,
    });
    expect(ok(answer.services[0]).traffic[0].figures).toEqual({
      requestsPerSecond: null,
      successRatio: null,
      ratio5xx: null,
      p95LatencyMs: null,
      mtlsShare: null,
    });
  });

  it('reads the catalog page by page with the caller’s credentials, asking only for the fields it needs', async () => {
    const many = generateFleet({ count: 1_100, clusters: ['east'] });
    const catalog = catalogServiceMock({ entities: many.entities });
    const queryEntities = jest.spyOn(catalog, 'queryEntities');
    const credentials = mockCredentials.user('user:default/ana');
    const answer = await new FleetReader({
      catalog,
      clusters: [],
      sources: [],
      logger: mockServices.logger.mock(),
    }).read({ credentials, windowSeconds: 300 });
    expect(answer.services).toHaveLength(1_100);
    expect(new Set(answer.services.map(s => s.entityRef)).size).toBe(1_100);
    expect(queryEntities.mock.calls.length).toBeGreaterThan(1);
    for (const [request, options] of queryEntities.mock.calls) {
      expect(options).toEqual({ credentials });
      expect(request?.fields).toContain('metadata.annotations');
      expect(request?.fields).not.toContain('spec');
    }
  });
});

/** A kubeconfig for a cluster that is not there. */
function goneKubeconfig(): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'gone', cluster: { server: 'http://127.0.0.1:1' } }],
    users: [{ name: 'gone', user: { token: 'x' } }],
    contexts: [{ name: 'gone', context: { cluster: 'gone', user: 'gone' } }],
    'current-context': 'gone',
  });
}
