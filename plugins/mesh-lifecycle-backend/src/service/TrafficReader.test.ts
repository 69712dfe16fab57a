import {
  MeshModel,
  PrometheusInstance,
  bookinfoModel,
  groundTruth,
  startPrometheus,
  toOpenMetrics,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-test-utils';
import { ServiceDeclaration } from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import { PrometheusClient } from '../prometheus/PrometheusClient';
import { TrafficReader, istioClusterFilter } from './TrafficReader';

jest.setTimeout(60_000);

const reviews: ServiceDeclaration = {
  entityRef: 'component:default/reviews',
  target: { kubernetesId: 'reviews', namespace: 'bookinfo', cluster: 'prod' },
  thresholds: {},
};

/** |actual / expected - 1|. */
const off = (actual: number | null, expected: number) =>
  Math.abs((actual ?? NaN) / expected - 1);

describe('TrafficReader against the real Prometheus', () => {
  const model = bookinfoModel();
  const end = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 120_000);
  const start = new Date(end.getTime() - 1_800_000);
  const truth = groundTruth(model, {
    destination: 'reviews',
    from: new Date(end.getTime() - 300_000),
    to: end,
  });
  let prometheus: PrometheusInstance;

  beforeAll(async () => {
    prometheus = await startPrometheus({
      backfill: toOpenMetrics(model, { start, end, stepSeconds: 30 }),
    });
  });
  afterAll(() => prometheus?.stop());

  const source = (name: string, url: string, clusters: string[]) => ({
    client: new PrometheusClient({
      source: { name, url, timeoutMs: 2_000 },
    }),
    clusters,
  });

  it('serves the golden signals the model says, within 2 %', async () => {
    const reader = new TrafficReader({
      sources: [source('prometheus:prod', prometheus.url, ['prod'])],
    });
    const response = await reader.read(reviews, {
      windowSeconds: 300,
      at: end,
    });
    const [outcome] = response.sources;
    if (outcome.status !== 'ok') throw new Error(outcome.error.message);
    const { figures } = outcome;
    expect(
      off(figures.requestsPerSecond, truth.requestsPerSecond),
    ).toBeLessThan(0.02);
    expect(off(figures.ratio5xx, truth.ratio5xx)).toBeLessThan(0.02);
    // reviews answers no 4xx: a ratio of 0, not a missing figure.
    expect(truth.ratio4xx).toBe(0);
    expect(figures.ratio4xx).toBe(0);
    expect(off(figures.successRatio, 1 - truth.ratio5xx)).toBeLessThan(0.02);
    expect(
      off(figures.latencyMs.p95, truth.estimatedLatencyMs.p95),
    ).toBeLessThan(0.02);
    expect(
      off(figures.latencyMs.p50, truth.estimatedLatencyMs.p50),
    ).toBeLessThan(0.02);
    expect(off(figures.mtlsShare, truth.mtlsShare)).toBeLessThan(0.02);
    expect(figures.versions.map(v => v.version)).toEqual(
      Object.keys(truth.trafficSplit).sort(),
    );
    for (const version of figures.versions) {
      expect(
        off(version.share, truth.trafficSplit[version.version]),
      ).toBeLessThan(0.02);
    }
  });

  it('serves time series over a range, each point what the model says over the window ending there', async () => {
    const reader = new TrafficReader({
      sources: [source('prometheus:prod', prometheus.url, ['prod'])],
    });
    const rangeStart = new Date(end.getTime() - 20 * 60_000);
    const response = await reader.read(reviews, {
      windowSeconds: 300,
      at: end,
      range: { start: rangeStart, end, stepSeconds: 60 },
    });
    const [outcome] = response.sources;
    if (outcome.status !== 'ok') throw new Error(outcome.error.message);
    const series = outcome.series!;
    expect(series.stepSeconds).toBe(60);
    expect(series.requestsPerSecond.map(p => p.t)).toEqual(
      Array.from(
        { length: 21 },
        (_, i) => rangeStart.getTime() / 1000 + i * 60,
      ),
    );
    for (const point of series.requestsPerSecond.filter(
      (_, i) => i % 5 === 0,
    )) {
      const at = groundTruth(model, {
        destination: 'reviews',
        from: new Date((point.t - 300) * 1000),
        to: new Date(point.t * 1000),
      });
      expect(off(point.v, at.requestsPerSecond)).toBeLessThan(0.02);
    }
    // The last point is the instant figure.
    expect(off(series.ratio5xx.at(-1)!.v, truth.ratio5xx)).toBeLessThan(0.02);
    expect(series.ratio4xx.every(p => p.v === 0)).toBe(true);
    expect(
      off(series.latencyMs.p95.at(-1)!.v, truth.estimatedLatencyMs.p95),
    ).toBeLessThan(0.02);
    expect(series.versions.map(v => v.version)).toEqual(
      Object.keys(truth.trafficSplit).sort(),
    );
    const v2 = series.versions.find(v => v.version === 'v2')!;
    expect(
      off(
        v2.requestsPerSecond.at(-1)!.v! / series.requestsPerSecond.at(-1)!.v!,
        truth.trafficSplit.v2,
      ),
    ).toBeLessThan(0.02);
  });

  it("analyses one version over a step's window: requests, 5xx and p95 as the model says", async () => {
    const reader = new TrafficReader({
      sources: [
        source('prometheus:prod', prometheus.url, ['prod']),
        source('prometheus:gone', 'http://127.0.0.1:1', ['prod']),
        source('prometheus:dev', prometheus.url, ['dev']),
      ],
      clusterNames: ['prod', 'dev'],
    });
    const v2 = groundTruth(model, {
      destination: 'reviews',
      version: 'v2',
      from: new Date(end.getTime() - 300_000),
      to: end,
    });
    const answer = await reader.analyse({
      service: 'reviews',
      namespace: 'bookinfo',
      cluster: 'prod',
      version: 'v2',
      windowSeconds: 300,
      at: end,
    });
    // Only the Prometheus servers that watch prod, each on its own.
    expect(answer.sources.map(s => `${s.source}:${s.status}`)).toEqual([
      'prometheus:prod:ok',
      'prometheus:gone:error',
    ]);
    const [prod] = answer.sources;
    if (prod.status !== 'ok') throw new Error(prod.error.message);
    expect(off(prod.requests, v2.requestsPerSecond * 300)).toBeLessThan(0.02);
    // v2 fails 5 % of its requests, the service as a whole far less.
    expect(off(prod.ratio5xx, v2.ratio5xx)).toBeLessThan(0.05);
    expect(off(prod.p95LatencyMs, v2.estimatedLatencyMs.p95)).toBeLessThan(
      0.02,
    );
    // A version nobody runs has no figures: not zero.
    const v9 = await reader.analyse({
      service: 'reviews',
      namespace: 'bookinfo',
      cluster: 'prod',
      version: 'v9',
      windowSeconds: 300,
      at: end,
    });
    expect(v9.sources[0]).toMatchObject({
      status: 'ok',
      requests: null,
      ratio5xx: null,
      p95LatencyMs: null,
    });
    await expect(
      reader.analyse({
        service: 'reviews',
        namespace: 'bookinfo',
        cluster: 'nowhere',
        windowSeconds: 300,
      }),
    ).rejects.toThrow(
      /cluster "nowhere" is not configured; the configured clusters are dev, prod/,
    );
  });

  it('counts the requests received over a long window', async () => {
    const reader = new TrafficReader({
      sources: [
        source('prometheus:prod', prometheus.url, ['prod']),
        source('prometheus:gone', 'http://127.0.0.1:1', ['prod']),
      ],
    });
    const [counted, gone] = await reader.inboundRequests(reviews, 3600);
    // The hour holds the whole backfill: the model's requests over it (the
    // rate's extrapolation to the window's edges adds at most a step).
    const backfilled = groundTruth(model, {
      destination: 'reviews',
      from: start,
      to: end,
    });
    const expected =
      (backfilled.requestsPerSecond * (end.getTime() - start.getTime())) / 1000;
    if (counted.status !== 'ok') throw new Error(counted.error.message);
    expect(off(counted.requests, expected)).toBeLessThan(0.05);
    // Its callers' sidecars saw the same requests.
    expect(off(counted.callerRequests, expected)).toBeLessThan(0.05);
    // The backfill began half an hour ago: nothing reaches back an hour.
    expect(counted.telemetryCoversWindow).toBe(false);
    expect(gone.status).toBe('error');
  });

  it('tells whether the telemetry reaches back over the whole window', async () => {
    const reader = new TrafficReader({
      sources: [source('prometheus:prod', prometheus.url, ['prod'])],
    });
    const [within] = await reader.inboundRequests(reviews, 1200);
    expect(within).toMatchObject({ status: 'ok', telemetryCoversWindow: true });
  });

  it('answers "no series" for a service Prometheus never saw, not zero requests', async () => {
    const reader = new TrafficReader({
      sources: [source('prometheus:prod', prometheus.url, ['prod'])],
    });
    const [outcome] = await reader.inboundRequests(
      { ...reviews, target: { ...reviews.target, kubernetesId: 'idle' } },
      1200,
    );
    expect(outcome).toEqual({
      source: 'prometheus:prod',
      status: 'ok',
      requests: null,
      callerRequests: null,
      telemetryCoversWindow: true,
    });
  });

  it('says that the cluster an entity is pinned to is not configured', async () => {
    const reader = new TrafficReader({
      sources: [source('prometheus:prod', prometheus.url, [])],
      clusterNames: ['prod', 'dev'],
    });
    const pinned = {
      ...reviews,
      target: { ...reviews.target, cluster: 'production' },
    };
    const expected = {
      source: 'cluster production',
      status: 'error',
      error: {
        name: 'NotFoundError',
        message: expect.stringContaining(
          'cluster "production", named by the backstage.io/kubernetes-cluster annotation of component:default/reviews, is not configured; the configured clusters are dev, prod',
        ),
      },
    };
    expect(
      (await reader.read(pinned, { windowSeconds: 300, at: end })).sources,
    ).toEqual([expected]);
    expect(await reader.inboundRequests(pinned, 600)).toEqual([expected]);
  });

  it('reports a Prometheus that is down as that source’s error, and answers from the rest', async () => {
    const reader = new TrafficReader({
      sources: [
        source('prometheus:gone', 'http://127.0.0.1:1', ['prod']),
        source('prometheus:prod', prometheus.url, ['prod']),
        source('prometheus:dev', prometheus.url, ['dev']),
      ],
    });
    const response = await reader.read(reviews, {
      windowSeconds: 300,
      at: end,
    });
    expect(response.sources.map(s => [s.source, s.status])).toEqual([
      ['prometheus:gone', 'error'],
      ['prometheus:prod', 'ok'],
    ]);
  });

  it('answers null figures for a service without traffic', async () => {
    const reader = new TrafficReader({
      sources: [source('prometheus:prod', prometheus.url, [])],
    });
    const response = await reader.read(
      { ...reviews, target: { kubernetesId: 'idle', namespace: 'bookinfo' } },
      { windowSeconds: 300, at: end },
    );
    expect(response.sources[0]).toMatchObject({
      status: 'ok',
      figures: { requestsPerSecond: null, ratio5xx: null, versions: [] },
    });
  });

  it('needs the Kubernetes id and namespace of the service', async () => {
    const reader = new TrafficReader({ sources: [] });
    await expect(
      reader.read({ ...reviews, target: {} }, { windowSeconds: 300 }),
    ).rejects.toThrow(/needs the backstage.io\/kubernetes-id/);
  });
});

describe('TrafficReader on a Prometheus that watches several clusters', () => {
  const end = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 120_000);
  const start = new Date(end.getTime() - 900_000);
  const east: MeshModel = { ...bookinfoModel(1), cluster: 'east-1' };
  const west: MeshModel = {
    ...bookinfoModel(2),
    cluster: 'west-1',
    edges: bookinfoModel(2).edges.map(e => ({
      ...e,
      requestsPerSecond: (e.requestsPerSecond ?? 0) * 3,
    })),
  };
  const truthOf = (model: MeshModel) =>
    groundTruth(model, {
      destination: 'reviews',
      from: new Date(end.getTime() - 300_000),
      to: end,
    }).requestsPerSecond;
  let prometheus: PrometheusInstance;

  beforeAll(async () => {
    prometheus = await startPrometheus({
      backfill: [east, west].map(m =>
        toOpenMetrics(m, { start, end, stepSeconds: 30 }),
      ),
    });
  });
  afterAll(() => prometheus?.stop());

  const shared = () => ({
    client: new PrometheusClient({
      source: {
        name: 'prometheus:shared',
        url: prometheus.url,
        timeoutMs: 2_000,
      },
    }),
    clusters: ['east', 'west'],
    istioClusterIds: new Map([
      ['east', 'east-1'],
      ['west', 'west-1'],
    ]),
  });

  it('restricts the figures of a service pinned to a cluster to its Istio cluster ID', async () => {
    const reader = new TrafficReader({ sources: [shared()] });
    for (const [cluster, model] of [
      ['east', east],
      ['west', west],
    ] as const) {
      const response = await reader.read(
        { ...reviews, target: { ...reviews.target, cluster } },
        { windowSeconds: 300, at: end },
      );
      const [outcome] = response.sources;
      if (outcome.status !== 'ok') throw new Error(outcome.error.message);
      expect(outcome.istioCluster).toBe(model.cluster);
      expect(
        off(outcome.figures.requestsPerSecond, truthOf(model)),
      ).toBeLessThan(0.02);
    }
  });

  it('warns when the Istio cluster ID it restricts to has no series but others do', async () => {
    // Two clusters on one Prometheus, no istioClusterId configured: the
    // figures are restricted to the cluster's name, which Istio never reports.
    const reader = new TrafficReader({
      sources: [{ ...shared(), istioClusterIds: undefined }],
    });
    const response = await reader.read(
      { ...reviews, target: { ...reviews.target, cluster: 'east' } },
      { windowSeconds: 300, at: end },
    );
    const [outcome] = response.sources;
    if (outcome.status !== 'ok') throw new Error(outcome.error.message);
    expect(outcome.figures.requestsPerSecond).toBeNull();
    expect(outcome.warnings).toEqual([
      'prometheus:shared has no series of it for Istio cluster ID "east" (cluster east), but has some for "east-1", "west-1": set istioClusterId of cluster east to the ID its Istio reports (Istio\'s default is "Kubernetes")',
    ]);
  });

  it('does not warn when the restricted figures are there', async () => {
    const reader = new TrafficReader({ sources: [shared()] });
    const response = await reader.read(
      { ...reviews, target: { ...reviews.target, cluster: 'east' } },
      { windowSeconds: 300, at: end },
    );
    expect(response.sources[0]).not.toHaveProperty('warnings');
  });

  it('sums the clusters for a service pinned to none', async () => {
    const reader = new TrafficReader({ sources: [shared()] });
    const response = await reader.read(
      {
        ...reviews,
        target: { kubernetesId: 'reviews', namespace: 'bookinfo' },
      },
      { windowSeconds: 300, at: end },
    );
    const [outcome] = response.sources;
    if (outcome.status !== 'ok') throw new Error(outcome.error.message);
    expect(outcome.istioCluster).toBeUndefined();
    expect(
      off(outcome.figures.requestsPerSecond, truthOf(east) + truthOf(west)),
    ).toBeLessThan(0.02);
  });

  it('does not filter a Prometheus that watches only the service’s cluster', () => {
    expect(
      istioClusterFilter({ ...shared(), clusters: ['east'] }, 'east'),
    ).toBeUndefined();
    expect(istioClusterFilter(shared(), 'east')).toBe('east-1');
    expect(istioClusterFilter({ ...shared(), clusters: [] }, 'north')).toBe(
      'north',
    );
  });
});
