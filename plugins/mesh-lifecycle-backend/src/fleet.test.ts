import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  FleetResponse,
  FleetService,
  RECORDED_P95_LATENCY_5M,
  count,
  meshLifecycleRecordingRules,
  multiply,
  selector,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import {
  PrometheusRuleFile,
  createServiceEntity,
  groundTruth,
  startKubernetesEmulator,
  startPrometheus,
  toOpenMetrics,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-test-utils';
import request from 'supertest';
import { generateFleet } from './__testUtils__/generateFleet';
import { meshLifecyclePlugin } from './plugin';

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
async function instantQueries(url: string): Promise<number> {
  const text = await (await fetch(new URL('/metrics', url))).text();
  return text
    .split('\n')
    .filter(
      line =>
        line.startsWith('prometheus_http_requests_total{') &&
        line.includes('handler="/api/v1/query"'),
    )
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}

describe('GET /fleet', () => {
  it('serves the key figures of every mesh service, one query per figure and Prometheus, each source reporting on its own', async () => {
    const fleet = generateFleet({ count: 8, clusters: ['prod'] });
    const now = Date.now();
    // Constant traffic (no jitter) recorded until after the test, so the
    // figures at "now" are exact whatever the moment the request is served.
    const prometheus = await startPrometheus({
      backfill: toOpenMetrics(fleet.models.prod, {
        start: new Date(now - 900_000),
        end: new Date(now + 600_000),
        stepSeconds: 30,
      }),
    });
    const prod = await startKubernetesEmulator({
      name: 'prod',
      objects: fleet.objects.prod,
    });
    try {
      const { server } = await startTestBackend({
        features: [
          meshLifecyclePlugin,
          catalogServiceMock.factory({
            entities: [
              ...fleet.entities,
              createServiceEntity({
                name: 'broken-service',
                kubernetesNamespace: 'Not A Namespace',
              }),
            ],
          }),
          mockServices.rootConfig.factory({
            data: {
              meshLifecycle: {
                clusters: [
                  {
                    name: 'prod',
                    url: prod.url,
                    serviceAccountToken: prod.token,
                    allowInsecureHttp: true,
                    prometheus: { url: prometheus.url },
                  },
                  {
                    name: 'gone',
                    url: 'http://127.0.0.1:1',
                    serviceAccountToken: 'x',
                    allowInsecureHttp: true,
                    prometheus: { url: 'http://127.0.0.1:1' },
                  },
                ],
                timeouts: { cluster: '2s', prometheus: '2s' },
              },
            },
          }),
        ],
      });
      const before = await instantQueries(prometheus.url);
      const response = await request(server)
        .get('/api/mesh-lifecycle/fleet?window=300')
        .set('authorization', mockCredentials.user.header());
      const at = Date.now();
      expect(response.status).toBe(200);
      const body: FleetResponse = response.body;
      expect(await instantQueries(prometheus.url)).toBe(before + 5);

      expect(body.windowSeconds).toBe(300);
      expect(
        body.prometheus.map(p => [
          p.source,
          p.status,
          'series' in p && p.series,
        ]),
      ).toEqual([
        [`prometheus ${new URL(prometheus.url).host}`, 'ok', 8],
        ['prometheus 127.0.0.1:1', 'error', false],
      ]);
      expect(body.clusters.map(c => [c.source, c.status])).toEqual([
        ['prod', 'ok'],
        ['gone', 'error'],
      ]);
      expect(JSON.stringify(body)).not.toContain(prod.token);

      const byRef = new Map(body.services.map(s => [s.entityRef, s]));
      expect(byRef.get('component:default/broken-service')).toMatchObject({
        status: 'error',
        error: { name: 'InputError' },
      });
      for (const expected of fleet.services) {
        const service: FleetService | undefined = byRef.get(
          `component:default/${expected.name}`,
        );
        if (service?.status !== 'ok') throw new Error(expected.name);
        const truth = groundTruth(fleet.models.prod, {
          destination: expected.name,
          from: new Date(at - 300_000),
          to: new Date(at),
        });
        const [figures] = service.traffic.map(t => t.figures);
        expect(
          off(figures.requestsPerSecond, truth.requestsPerSecond),
        ).toBeLessThan(0.02);
        expect(off(figures.successRatio, 1 - truth.ratio5xx)).toBeLessThan(
          0.02,
        );
        expect(near(figures.ratio5xx, truth.ratio5xx)).toBeLessThan(0.02);
        expect(
          off(figures.p95LatencyMs, truth.estimatedLatencyMs.p95),
        ).toBeLessThan(0.02);
        expect(off(figures.mtlsShare, truth.mtlsShare)).toBeLessThan(0.02);
        expect(service.clusters).toEqual([
          {
            cluster: 'prod',
            workloads: 1,
            replicas: expected.replicas,
            readyReplicas: expected.readyReplicas,
          },
        ]);
      }

      // Answered again within the cache's lifetime: no further query.
      await request(server)
        .get('/api/mesh-lifecycle/fleet?window=300')
        .set('authorization', mockCredentials.user.header())
        .expect(200);
      expect(await instantQueries(prometheus.url)).toBe(before + 5);

      const bad = await request(server).get(
        '/api/mesh-lifecycle/fleet?window=5',
      );
      expect(bad.status).toBe(400);
      expect(bad.body.error.name).toBe('InputError');
    } finally {
      await Promise.all([prometheus.stop(), prod.stop()]);
    }
  });
});

describe('GET /fleet with recording rules', () => {
  const fleet = generateFleet({ count: 4, clusters: ['prod'] });
  const rules = meshLifecycleRecordingRules({ interval: '1s' });

  /** The fleet answer from a Prometheus with these rules, configured with recordingRules: true. */
  async function fleetWithRules(ruleFile: PrometheusRuleFile) {
    const now = Date.now();
    const prometheus = await startPrometheus({
      // Until now only: Prometheus appends the recorded samples after the
      // newest backfilled block ("out of bounds" before it).
      backfill: toOpenMetrics(fleet.models.prod, {
        start: new Date(now - 900_000),
        end: new Date(now),
        stepSeconds: 30,
      }),
      rules: ruleFile,
    });
    const prod = await startKubernetesEmulator({
      name: 'prod',
      objects: fleet.objects.prod,
    });
    const logger = mockServices.logger.mock();
    try {
      if (ruleFile.groups.length > 0) {
        // Until the first evaluation has recorded every service.
        const recorded = String(count(selector(RECORDED_P95_LATENCY_5M, {})));
        for (let i = 0; i < 100; i++) {
          const data = await prometheus.query(recorded);
          const [sample] = data.resultType === 'vector' ? data.result : [];
          if (sample && Number(sample.value[1]) === fleet.services.length) {
            break;
          }
          await new Promise(resolve => setTimeout(resolve, 200));
        }
      }
      const { server } = await startTestBackend({
        features: [
          meshLifecyclePlugin,
          logger.factory,
          catalogServiceMock.factory({ entities: fleet.entities }),
          mockServices.rootConfig.factory({
            data: {
              meshLifecycle: {
                clusters: [
                  {
                    name: 'prod',
                    url: prod.url,
                    serviceAccountToken: prod.token,
                    allowInsecureHttp: true,
                    prometheus: { url: prometheus.url, recordingRules: true },
                  },
                ],
              },
            },
          }),
        ],
      });
      const before = await instantQueries(prometheus.url);
      const response = await request(server)
        .get('/api/mesh-lifecycle/fleet?window=300')
        .set('authorization', mockCredentials.user.header());
      expect(response.status).toBe(200);
      const at = Date.now();
      const p95 = (name: string) => {
        const service = (response.body as FleetResponse).services.find(
          x => x.entityRef === `component:default/${name}`,
        );
        if (service?.status !== 'ok') throw new Error(name);
        return service.traffic[0].figures.p95LatencyMs;
      };
      const truth = (name: string) =>
        groundTruth(fleet.models.prod, {
          destination: name,
          from: new Date(at - 300_000),
          to: new Date(at),
        }).estimatedLatencyMs.p95;
      return {
        p95,
        truth,
        queries: (await instantQueries(prometheus.url)) - before,
        warnings: jest.mocked(logger.warn).mock.calls.map(([m]) => m),
      };
    } finally {
      await Promise.all([prometheus.stop(), prod.stop()]);
    }
  }

  it('reads each service p95 from the series the shipped rules record', async () => {
    const answer = await fleetWithRules({ groups: [rules] });
    expect(answer.queries).toBe(5);
    for (const { name } of fleet.services) {
      expect(off(answer.p95(name), answer.truth(name))).toBeLessThan(0.02);
    }
    expect(answer.warnings).toEqual([]);
  });

  it('takes the recorded series, not the buckets', async () => {
    // A rule recording twice the p95 shows which one the answer comes from.
    const doubled = {
      ...rules,
      rules: rules.rules.map(r => ({ ...r, expr: multiply(2, r.expr) })),
    };
    const answer = await fleetWithRules({ groups: [doubled] });
    for (const { name } of fleet.services) {
      expect(off(answer.p95(name), 2 * answer.truth(name))).toBeLessThan(0.02);
    }
  });

  it('computes from the buckets, with a warning, when the rules are missing', async () => {
    const answer = await fleetWithRules({ groups: [] });
    expect(answer.queries).toBe(6);
    for (const { name } of fleet.services) {
      expect(off(answer.p95(name), answer.truth(name))).toBeLessThan(0.02);
    }
    expect(answer.warnings).toEqual([
      expect.stringContaining(
        `is configured with recordingRules but has no ${RECORDED_P95_LATENCY_5M} series`,
      ),
    ]);
  });
});
