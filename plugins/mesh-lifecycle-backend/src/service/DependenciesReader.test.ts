import { mockCredentials } from '@backstage/backend-test-utils';
import {
  Entity,
  RELATION_API_CONSUMED_BY,
  RELATION_API_PROVIDED_BY,
  RELATION_CONSUMES_API,
  RELATION_DEPENDENCY_OF,
  RELATION_DEPENDS_ON,
  RELATION_PROVIDES_API,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  DependenciesResponse,
  ObservedDependencies,
  ServiceDeclaration,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import {
  MeshModel,
  PrometheusInstance,
  bookinfoModel,
  createServiceEntity,
  groundTruth,
  startPrometheus,
  toOpenMetrics,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-test-utils';
import { PrometheusClient } from '../prometheus/PrometheusClient';
import { DependenciesReader } from './DependenciesReader';

jest.setTimeout(60_000);

/** Bookinfo, plus callers and callees of `reviews` to map to the catalog. */
function model(): MeshModel {
  const base = bookinfoModel();
  const simple = (name: string, namespace: string) => ({
    name,
    namespace,
    versions: [{ version: 'v1', weight: 100 }],
    latencyMs: { kind: 'lognormal' as const, medianMs: 10, p95Ms: 50 },
  });
  return {
    ...base,
    services: [
      ...base.services,
      {
        ...simple('web', 'shop'),
        versions: [
          { version: 'v1', weight: 60 },
          { version: 'v2', weight: 40 },
        ],
      },
      simple('batch', 'jobs'),
      // A callee that answers one request in ten with a 5xx.
      { ...simple('details', 'bookinfo'), errorRatio5xx: 0.1 },
    ],
    edges: [
      ...base.edges,
      { source: 'web', destination: 'reviews', requestsPerSecond: 10 },
      { source: 'batch', destination: 'reviews', requestsPerSecond: 5 },
      { source: 'reviews', destination: 'details', requestsPerSecond: 8 },
    ],
  };
}

const api = (name: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'API',
  metadata: { name, namespace: 'default' },
  spec: { type: 'openapi', lifecycle: 'production', owner: 'team-reviews' },
});

/** What the catalog's processors add: each relation and its reverse. */
function withRelations(entities: Entity[]): Entity[] {
  const byRef = new Map(entities.map(e => [stringifyEntityRef(e), e]));
  const add = (from: string, type: string, to: string) => {
    const entity = byRef.get(from);
    if (!entity) return;
    entity.relations = [...(entity.relations ?? []), { type, targetRef: to }];
  };
  const pairs = [
    ['dependsOn', RELATION_DEPENDS_ON, RELATION_DEPENDENCY_OF],
    ['providesApis', RELATION_PROVIDES_API, RELATION_API_PROVIDED_BY],
    ['consumesApis', RELATION_CONSUMES_API, RELATION_API_CONSUMED_BY],
  ] as const;
  for (const entity of entities) {
    const from = stringifyEntityRef(entity);
    for (const [field, forward, reverse] of pairs) {
      const refs = entity.spec?.[field];
      if (!Array.isArray(refs)) continue;
      for (const to of refs) {
        add(from, forward, String(to));
        add(String(to), reverse, from);
      }
    }
  }
  return entities;
}

function catalogEntities(): Entity[] {
  return withRelations([
    createServiceEntity({
      name: 'reviews',
      kubernetesNamespace: 'bookinfo',
      owner: 'team-reviews',
      providesApis: ['api:default/reviews-api'],
      dependsOn: ['component:default/ratings', 'resource:default/reviews-db'],
    }),
    {
      ...createServiceEntity({
        name: 'productpage',
        kubernetesNamespace: 'bookinfo',
        owner: 'group:default/web-team',
        dependsOn: ['component:default/reviews'],
      }),
      metadata: {
        name: 'productpage',
        namespace: 'default',
        title: 'Product page',
        annotations: {
          'backstage.io/kubernetes-id': 'productpage',
          'backstage.io/kubernetes-namespace': 'bookinfo',
        },
      },
    },
    // Same id, other namespace: never matches; without one: loses to an exact match.
    createServiceEntity({
      name: 'productpage-staging',
      annotations: { 'backstage.io/kubernetes-id': 'productpage' },
      kubernetesNamespace: 'staging',
    }),
    createServiceEntity({
      name: 'productpage-anywhere',
      annotations: { 'backstage.io/kubernetes-id': 'productpage' },
    }),
    createServiceEntity({
      name: 'web',
      owner: 'shop',
      consumesApis: ['api:default/reviews-api'],
    }),
    createServiceEntity({ name: 'ratings', kubernetesNamespace: 'bookinfo' }),
    createServiceEntity({
      name: 'details-a',
      annotations: { 'backstage.io/kubernetes-id': 'details' },
    }),
    createServiceEntity({
      name: 'details-b',
      annotations: { 'backstage.io/kubernetes-id': 'details' },
      owner: 'group:default/docs',
    }),
    createServiceEntity({
      name: 'legacy-client',
      owner: 'group:default/legacy',
      dependsOn: ['component:default/reviews'],
    }),
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name: 'mobile-app', namespace: 'default' },
      spec: {
        type: 'app',
        lifecycle: 'production',
        owner: 'mobile',
        consumesApis: ['api:default/reviews-api'],
      },
    },
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Resource',
      metadata: {
        name: 'reviews-db',
        namespace: 'default',
        title: 'Reviews DB',
      },
      spec: { type: 'database', owner: 'team-reviews' },
    },
    api('reviews-api'),
  ]);
}

const declaration = (name: string): ServiceDeclaration => ({
  entityRef: `component:default/${name}`,
  target: { kubernetesId: name, namespace: 'bookinfo', cluster: 'prod' },
  thresholds: {},
});

/** |actual / expected - 1|. */
const off = (actual: number | undefined, expected: number) =>
  Math.abs((actual ?? NaN) / expected - 1);

function ok(response: DependenciesResponse, index = 0): ObservedDependencies {
  const outcome = response.sources[index];
  if (outcome.status !== 'ok') throw new Error(outcome.error.message);
  return outcome;
}

describe('DependenciesReader against the real Prometheus', () => {
  const mesh = model();
  const end = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 120_000);
  const start = new Date(end.getTime() - 1_800_000);
  const truth = (source: string, destination: string) =>
    groundTruth(mesh, {
      source,
      destination,
      from: new Date(end.getTime() - 300_000),
      to: end,
    }).requestsPerSecond;
  const credentials = mockCredentials.user('user:default/alice');
  let prometheus: PrometheusInstance;

  beforeAll(async () => {
    prometheus = await startPrometheus({
      backfill: toOpenMetrics(mesh, { start, end, stepSeconds: 30 }),
    });
  });
  afterAll(() => prometheus?.stop());

  const source = (name: string, url: string, clusters: string[]) => ({
    client: new PrometheusClient({ source: { name, url, timeoutMs: 2_000 } }),
    clusters,
  });

  it('serves the callers and callees the model says, mapped to entities and owners, in one catalog query', async () => {
    const catalog = catalogServiceMock({ entities: catalogEntities() });
    const getEntities = jest.spyOn(catalog, 'getEntities');
    const reader = new DependenciesReader({
      sources: [source('prometheus:prod', prometheus.url, ['prod'])],
      catalog,
    });
    const response = await reader.read(declaration('reviews'), {
      windowSeconds: 300,
      credentials,
      at: end,
    });
    expect(getEntities).toHaveBeenCalledTimes(1);
    expect(getEntities.mock.calls[0][1]).toEqual({ credentials });
    expect(response.catalog).toEqual({ source: 'catalog', status: 'ok' });

    const { callers, callees } = ok(response);
    const caller = (workload: string) =>
      callers.find(c => c.workload === workload);
    expect(callers.map(c => c.workload).sort()).toEqual([
      'batch-v1',
      'productpage-v1',
      'web-v1',
      'web-v2',
    ]);
    expect(
      off(
        caller('productpage-v1')?.requestsPerSecond,
        truth('productpage', 'reviews'),
      ),
    ).toBeLessThan(0.02);
    expect(
      off(caller('web-v1')?.requestsPerSecond, 0.6 * truth('web', 'reviews')),
    ).toBeLessThan(0.02);
    expect(
      off(caller('web-v2')?.requestsPerSecond, 0.4 * truth('web', 'reviews')),
    ).toBeLessThan(0.02);
    expect(
      off(caller('batch-v1')?.requestsPerSecond, truth('batch', 'reviews')),
    ).toBeLessThan(0.02);

    // Exact namespace match wins over an entity without one.
    expect(caller('productpage-v1')).toMatchObject({
      service: 'productpage',
      namespace: 'bookinfo',
      external: false,
      declared: true,
      entities: [
        {
          entityRef: 'component:default/productpage',
          title: 'Product page',
          owner: 'group:default/web-team',
        },
      ],
    });
    // Declared through the API it consumes; no namespace annotation matches any.
    expect(caller('web-v2')).toMatchObject({
      service: 'web',
      namespace: 'shop',
      declared: true,
      entities: [
        { entityRef: 'component:default/web', owner: 'group:default/shop' },
      ],
    });
    expect(caller('batch-v1')).toMatchObject({
      service: 'batch',
      namespace: 'jobs',
      declared: false,
      entities: [],
    });

    // The 5xx share of each edge, as the model makes it.
    const errorTruth = (from: string, to: string) =>
      groundTruth(mesh, {
        source: from,
        destination: to,
        from: new Date(end.getTime() - 300_000),
        to: end,
      }).ratio5xx;
    expect(
      Math.abs(
        (caller('productpage-v1')?.errorRatio ?? NaN) -
          errorTruth('productpage', 'reviews'),
      ),
    ).toBeLessThan(0.005);

    const callee = (service: string) =>
      callees.find(c => c.service === service);
    expect(callee('details')?.errorRatio).toBeCloseTo(0.1, 2);
    expect(callee('ratings')?.errorRatio).toBeCloseTo(
      errorTruth('reviews', 'ratings'),
      2,
    );
    expect(callees.map(c => c.service).sort()).toEqual(['details', 'ratings']);
    expect(
      off(callee('ratings')?.requestsPerSecond, truth('reviews', 'ratings')),
    ).toBeLessThan(0.02);
    expect(
      off(callee('details')?.requestsPerSecond, truth('reviews', 'details')),
    ).toBeLessThan(0.02);
    expect(callee('ratings')).toMatchObject({
      namespace: 'bookinfo',
      declared: true,
      entities: [
        {
          entityRef: 'component:default/ratings',
          owner: 'group:default/team-platform',
        },
      ],
    });
    // Ambiguous: both are reported, none is picked.
    expect(callee('details')).toMatchObject({
      declared: false,
      entities: [
        { entityRef: 'component:default/details-a' },
        {
          entityRef: 'component:default/details-b',
          owner: 'group:default/docs',
        },
      ],
    });

    expect(response.unobserved).toEqual({
      dependents: [
        {
          entityRef: 'component:default/legacy-client',
          owner: 'group:default/legacy',
          via: 'dependsOn',
        },
        {
          entityRef: 'component:default/mobile-app',
          via: 'api',
          apiRef: 'api:default/reviews-api',
        },
      ],
      dependencies: [
        {
          entityRef: 'resource:default/reviews-db',
          title: 'Reviews DB',
          owner: 'group:default/team-reviews',
          via: 'dependsOn',
        },
      ],
    });
  });

  it('reports callers without a sidecar as external, not dropped', async () => {
    const reader = new DependenciesReader({
      sources: [
        {
          ...source('prometheus:global', prometheus.url, []),
          istioClusterIds: new Map([['prod', 'Kubernetes']]),
        },
      ],
      catalog: catalogServiceMock({ entities: catalogEntities() }),
    });
    const response = await reader.read(declaration('productpage'), {
      windowSeconds: 300,
      credentials,
      at: end,
    });
    const { callers, callees } = ok(response);
    expect(callers).toEqual([
      {
        service: 'unknown',
        workload: 'unknown',
        namespace: 'unknown',
        external: true,
        requestsPerSecond: expect.any(Number),
        errorRatio: expect.any(Number),
        entities: [],
        declared: false,
      },
    ]);
    expect(
      off(callers[0].requestsPerSecond, truth('unknown', 'productpage')),
    ).toBeLessThan(0.02);
    // productpage declares its dependency on reviews and calls it.
    expect(callees).toMatchObject([
      {
        service: 'reviews',
        declared: true,
        entities: [
          {
            entityRef: 'component:default/reviews',
            owner: 'group:default/team-reviews',
          },
        ],
      },
    ]);
    expect(response.unobserved).toEqual({ dependents: [], dependencies: [] });
  });

  it('reports a Prometheus that is down as that source’s error, and answers from the rest', async () => {
    const reader = new DependenciesReader({
      sources: [
        source('prometheus:gone', 'http://127.0.0.1:1', ['prod']),
        source('prometheus:prod', prometheus.url, ['prod']),
        source('prometheus:dev', prometheus.url, ['dev']),
      ],
      catalog: catalogServiceMock({ entities: catalogEntities() }),
    });
    const response = await reader.read(declaration('reviews'), {
      windowSeconds: 300,
      credentials,
      at: end,
    });
    expect(response.sources.map(s => [s.source, s.status])).toEqual([
      ['prometheus:gone', 'error'],
      ['prometheus:prod', 'ok'],
    ]);
    expect(ok(response, 1).callers).toContainEqual(
      expect.objectContaining({ workload: 'productpage-v1', declared: true }),
    );
    // Seen by the source that answered, so not listed as unobserved.
    expect(response.unobserved.dependents.map(d => d.entityRef)).not.toContain(
      'component:default/productpage',
    );
  });

  it('restricts a Prometheus that watches other clusters too to the service’s Istio cluster', async () => {
    const reader = new DependenciesReader({
      sources: [
        {
          ...source('prometheus:shared', prometheus.url, ['prod', 'test']),
          istioClusterIds: new Map([
            ['prod', 'Kubernetes'],
            ['test', 'test-1'],
          ]),
        },
      ],
      catalog: catalogServiceMock({ entities: catalogEntities() }),
    });
    const read = (cluster: string) =>
      reader.read(
        {
          ...declaration('reviews'),
          target: { kubernetesId: 'reviews', namespace: 'bookinfo', cluster },
        },
        { windowSeconds: 300, credentials, at: end },
      );
    const prod = ok(await read('prod'));
    expect(prod.istioCluster).toBe('Kubernetes');
    expect(prod.callers).toHaveLength(4);
    expect(prod.callees).toHaveLength(2);
    const test = ok(await read('test'));
    expect(test).toMatchObject({
      istioCluster: 'test-1',
      callers: [],
      callees: [],
    });
  });

  it('reports a catalog that fails as its own error, and still the traffic', async () => {
    const catalog = catalogServiceMock.mock({
      getEntities: jest.fn().mockRejectedValue(new Error('catalog is down')),
    });
    const reader = new DependenciesReader({
      sources: [source('prometheus:prod', prometheus.url, ['prod'])],
      catalog,
    });
    const response = await reader.read(declaration('reviews'), {
      windowSeconds: 300,
      credentials,
      at: end,
    });
    expect(response.catalog).toEqual({
      source: 'catalog',
      status: 'error',
      error: { name: 'Error', message: 'catalog is down' },
    });
    const { callers } = ok(response);
    expect(callers).toHaveLength(4);
    expect(callers.every(c => c.entities.length === 0 && !c.declared)).toBe(
      true,
    );
  });

  it('lists every declared relation as unobserved for a service without traffic', async () => {
    const reader = new DependenciesReader({
      sources: [source('prometheus:prod', prometheus.url, ['prod'])],
      catalog: catalogServiceMock({ entities: catalogEntities() }),
    });
    const response = await reader.read(
      {
        ...declaration('reviews'),
        target: { kubernetesId: 'reviews', namespace: 'idle' },
      },
      { windowSeconds: 300, credentials, at: end },
    );
    expect(ok(response)).toMatchObject({ callers: [], callees: [] });
    expect(response.unobserved.dependents.map(d => d.entityRef)).toEqual([
      'component:default/legacy-client',
      'component:default/mobile-app',
      'component:default/productpage',
      'component:default/web',
    ]);
    expect(response.unobserved.dependencies.map(d => d.entityRef)).toEqual([
      'component:default/ratings',
      'resource:default/reviews-db',
    ]);
  });

  it('needs the Kubernetes id and namespace of the service', async () => {
    const reader = new DependenciesReader({
      sources: [],
      catalog: catalogServiceMock(),
    });
    await expect(
      reader.read(
        { ...declaration('reviews'), target: {} },
        { windowSeconds: 300, credentials },
      ),
    ).rejects.toThrow(/needs the backstage.io\/kubernetes-id/);
  });
});
