import { mockCredentials } from '@backstage/backend-test-utils';
import { InputError, ResponseError } from '@backstage/errors';
import { MeshLifecycleClient } from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import {
  ApiTestBackend,
  apiTestSilencedAlert,
  startApiTestBackend,
} from './__testUtils__/startApiTestBackend';

// Alert rules and cached answers take seconds to turn over.
jest.setTimeout(60_000);

// The client lives in -common, which cannot depend on the backend; it is
// tested here, against the real plugin.
describe('MeshLifecycleClient against the running plugin', () => {
  let backend: ApiTestBackend;
  let client: MeshLifecycleClient;
  const asked: string[] = [];

  const discoveryApi = {
    async getBaseUrl(pluginId: string) {
      const url = new URL(backend.baseUrl);
      url.pathname = ['api', encodeURIComponent(pluginId)].join('/');
      return url.toString();
    },
  };

  beforeAll(async () => {
    backend = await startApiTestBackend();
    client = new MeshLifecycleClient({
      discoveryApi,
      fetchApi: {
        fetch: (input, init) => {
          const url = new URL(String(input));
          asked.push(`${url.pathname}${url.search}`);
          return fetch(input, init);
        },
      },
    });
  });
  afterAll(async () => {
    await backend?.stop();
  });
  beforeEach(() => {
    asked.length = 0;
  });

  it('reads a declaration by reference string or compound reference', async () => {
    const byString = await client.getDeclaration(
      'component:default/checkout-service',
    );
    const byCompound = await client.getDeclaration({
      kind: 'component',
      namespace: 'default',
      name: 'checkout-service',
    });
    expect(byString).toEqual(byCompound);
    expect(byString).toMatchObject({
      entityRef: 'component:default/checkout-service',
      target: { kubernetesId: 'checkout-service', namespace: 'shop' },
      declaredPhase: { phase: 'deploy', source: 'annotation' },
    });
  });

  it('reads the mesh, each cluster reporting on its own', async () => {
    const mesh = await client.getMesh('component:default/checkout-service');
    expect(mesh.clusters.map(c => [c.source, c.status])).toEqual([
      ['prod', 'ok'],
      ['gone', 'error'],
      ['test', 'ok'],
    ]);
    const [prod] = mesh.clusters;
    expect(prod.status === 'ok' && prod.workloads.length).toBeGreaterThan(0);
  });

  it('reads the traffic over the window asked for, or the default one', async () => {
    const traffic = await client.getTraffic('component:default/reviews', {
      windowSeconds: 600,
    });
    expect(traffic.windowSeconds).toBe(600);
    const ok = traffic.sources.find(s => s.status === 'ok');
    expect(ok?.status === 'ok' && ok.figures.requestsPerSecond).toBeGreaterThan(
      0,
    );
    const byDefault = await client.getTraffic('component:default/reviews');
    expect(byDefault.windowSeconds).toBe(300);
  });

  it('reads the traffic as series over the range asked for', async () => {
    const traffic = await client.getTraffic('component:default/reviews', {
      windowSeconds: 120,
      rangeSeconds: 1200,
      stepSeconds: 60,
    });
    expect(asked).toEqual([
      '/api/mesh-lifecycle/entities/component/default/reviews/traffic?window=120&range=1200&step=60',
    ]);
    expect(traffic.windowSeconds).toBe(120);
    const ok = traffic.sources.find(s => s.status === 'ok');
    const series = ok?.status === 'ok' ? ok.series : undefined;
    expect(series?.stepSeconds).toBe(60);
    expect(series?.requestsPerSecond).toHaveLength(21);
    expect(series && Date.parse(series.end) - Date.parse(series.start)).toBe(
      1_200_000,
    );

    await expect(
      client.getTraffic('component:default/reviews', { stepSeconds: 60 }),
    ).rejects.toMatchObject({
      statusCode: 400,
      body: { error: { name: 'InputError', message: 'step needs a range' } },
    });
  });

  it('reads the dependencies over the window asked for, or the default one', async () => {
    const dependencies = await client.getDependencies(
      'component:default/reviews',
      { windowSeconds: 600 },
    );
    expect(dependencies.windowSeconds).toBe(600);
    const ok = dependencies.sources.find(s => s.status === 'ok');
    expect(
      ok?.status === 'ok' && ok.callers.map(c => [c.service, c.declared]),
    ).toEqual([['productpage', true]]);
    expect(
      ok?.status === 'ok' && ok.callees.map(c => c.entities[0]?.entityRef),
    ).toEqual(['component:default/ratings']);
    const byDefault = await client.getDependencies('component:default/reviews');
    expect(byDefault.windowSeconds).toBe(300);
    expect(asked).toEqual([
      '/api/mesh-lifecycle/entities/component/default/reviews/dependencies?window=600',
      '/api/mesh-lifecycle/entities/component/default/reviews/dependencies',
    ]);
  });

  it('reads the alerting rules and silences of a service', async () => {
    const alerts = await client.getAlerts({
      kind: 'component',
      namespace: 'default',
      name: 'reviews',
    });
    expect(alerts.entityRef).toBe('component:default/reviews');
    const ok = alerts.sources.find(s => s.status === 'ok');
    expect(
      ok?.status === 'ok' && ok.rules.map(rule => rule.name).sort(),
    ).toEqual(['ReviewsBusy', apiTestSilencedAlert]);
    const silences = alerts.silences?.find(s => s.status === 'ok');
    expect(
      silences?.status === 'ok' &&
        silences.silences.map(silence => silence.silencedAlerts),
    ).toEqual([[apiTestSilencedAlert]]);
    await expect(
      client.getAlerts('component:default/nowhere'),
    ).rejects.toMatchObject({ statusCode: 404 });
  });

  it('reads the fleet over the window asked for, or the default one', async () => {
    const fleet = await client.getFleet({ windowSeconds: 600 });
    expect(fleet.windowSeconds).toBe(600);
    const reviews = fleet.services.find(
      s => s.entityRef === 'component:default/reviews',
    );
    expect(
      reviews?.status === 'ok' &&
        reviews.traffic.map(t => t.figures.requestsPerSecond),
    ).toEqual([expect.any(Number)]);
    expect(fleet.clusters.map(c => [c.source, c.status])).toEqual([
      ['prod', 'ok'],
      ['gone', 'error'],
      ['test', 'ok'],
    ]);
    const byDefault = await client.getFleet();
    expect(byDefault.windowSeconds).toBe(300);
    expect(asked).toEqual([
      '/api/mesh-lifecycle/fleet?window=600',
      '/api/mesh-lifecycle/fleet',
    ]);
  });

  it('reads the lifecycle, the validation of each cluster on its own', async () => {
    const lifecycle = await client.getLifecycle({
      kind: 'component',
      namespace: 'default',
      name: 'checkout-service',
    });
    expect(asked).toEqual([
      '/api/mesh-lifecycle/entities/component/default/checkout-service/lifecycle',
    ]);
    expect(lifecycle.entityRef).toBe('component:default/checkout-service');
    expect(lifecycle.validation.map(v => [v.source, v.status])).toEqual([
      ['prod', 'ok'],
      ['gone', 'error'],
      ['test', 'ok'],
    ]);
    expect(lifecycle.phase.declared).toEqual({
      phase: 'deploy',
      source: 'annotation',
    });
    expect(lifecycle.thresholds.p95LatencyMs).toBe(250);
  });

  it('reads the history of a service and the phases of the fleet once recorded', async () => {
    const empty = await client.getHistory('component:default/reviews');
    expect(empty).toEqual({
      entityRef: 'component:default/reviews',
      records: [],
    });
    await backend.recordHistory();
    const history = await client.getHistory('component:default/reviews', {
      limit: 2,
    });
    expect(history.records).toEqual([
      expect.objectContaining({ entityRef: 'component:default/reviews' }),
    ]);
    const lifecycle = await client.getLifecycle('component:default/reviews');
    expect(history.records[0].phase).toBe(lifecycle.phase.phase);
    const phases = await client.getFleetPhases();
    expect(
      phases.services.find(s => s.entityRef === 'component:default/reviews'),
    ).toEqual(history.records[0]);
    expect(asked).toEqual([
      '/api/mesh-lifecycle/entities/component/default/reviews/history',
      '/api/mesh-lifecycle/entities/component/default/reviews/history?limit=2',
      '/api/mesh-lifecycle/entities/component/default/reviews/lifecycle',
      '/api/mesh-lifecycle/fleet/phases',
    ]);
    await expect(
      client.getHistory('component:default/reviews', { limit: 0 }),
    ).rejects.toMatchObject({
      statusCode: 400,
      body: { error: { name: 'InputError', message: /limit/ } },
    });
  });

  it('reads the configured clusters, by name and environment', async () => {
    const { clusters } = await client.getClusters();
    expect(asked).toEqual(['/api/mesh-lifecycle/clusters']);
    expect(clusters).toEqual([
      { name: 'prod', environment: 'production' },
      { name: 'gone' },
      { name: 'test', environment: 'test' },
    ]);
  });

  it('reads the mesh-wide validation of a namespace', async () => {
    const answer = await client.getValidation({
      cluster: 'test',
      namespace: 'bookinfo',
    });
    const all = await client.getValidation();
    expect(asked).toEqual([
      '/api/mesh-lifecycle/validation?cluster=test&namespace=bookinfo',
      '/api/mesh-lifecycle/validation',
    ]);
    expect(answer.clusters).toEqual([
      expect.objectContaining({ source: 'test', status: 'ok' }),
    ]);
    expect(all.clusters.map(c => c.source)).toEqual(['prod', 'gone', 'test']);
    await expect(
      client.getValidation({ cluster: 'nowhere' }),
    ).rejects.toMatchObject({
      statusCode: 404,
      body: { error: { name: 'NotFoundError' } },
    });
  });

  it('sends each part of the reference as one path segment', async () => {
    const promise = client.getMesh({
      kind: 'component',
      namespace: 'a/b',
      name: 'odd name?#x',
    });
    await expect(promise).rejects.toMatchObject({
      statusCode: 404,
      body: {
        error: {
          name: 'NotFoundError',
          message: 'No entity component:a/b/odd name?#x',
        },
      },
    });
    expect(asked).toEqual([
      '/api/mesh-lifecycle/entities/component/a%2Fb/odd%20name%3F%23x/mesh',
    ]);
  });

  it('throws the backend error as a ResponseError', async () => {
    const notFound = client.getDeclaration('component:default/nowhere');
    await expect(notFound).rejects.toBeInstanceOf(ResponseError);
    await expect(notFound).rejects.toMatchObject({
      statusCode: 404,
      body: { error: { name: 'NotFoundError' } },
    });
    await expect(
      client.getDeclaration('component:default/broken-service'),
    ).rejects.toMatchObject({
      statusCode: 400,
      body: {
        error: {
          name: 'InputError',
          message: expect.stringContaining('backstage.io/kubernetes-namespace'),
        },
      },
    });
    await expect(
      client.getTraffic('component:default/reviews', { windowSeconds: 5 }),
    ).rejects.toMatchObject({
      statusCode: 400,
      body: { error: { name: 'InputError', message: /window/ } },
    });
  });

  it('throws 401 as a ResponseError when its fetch carries no credentials', async () => {
    const anonymous = new MeshLifecycleClient({
      discoveryApi,
      fetchApi: {
        fetch: (input, init) =>
          fetch(input, {
            ...init,
            headers: { authorization: mockCredentials.none.header() },
          }),
      },
    });
    await expect(
      anonymous.getMesh('component:default/checkout-service'),
    ).rejects.toMatchObject({
      statusCode: 401,
      body: { error: { name: 'AuthenticationError' } },
    });
  });

  it('refuses references that cannot name a route, without asking', async () => {
    await expect(client.getMesh('checkout-service')).rejects.toBeInstanceOf(
      InputError,
    );
    await expect(
      client.getMesh({ kind: 'component', namespace: '..', name: 'x' }),
    ).rejects.toThrow(/entityRef namespace/);
    await expect(
      client.getMesh({ kind: 'component', namespace: 'default', name: '' }),
    ).rejects.toThrow(/entityRef name/);
    expect(asked).toEqual([]);
  });
});
