import { MeshWorkload } from '../api/mesh';
import { TrafficFigures } from '../api/traffic';
import { HealthInput, assessHealth } from './health';
import { DEFAULT_LIFECYCLE_THRESHOLDS } from './thresholds';

function workload(
  name: string,
  replicas: number,
  ready = replicas,
): MeshWorkload {
  return {
    kind: 'Deployment',
    name,
    namespace: 'shop',
    replicas,
    readyReplicas: ready,
    availableReplicas: ready,
    updatedReplicas: replicas,
  };
}

function figures(
  requestsPerSecond: number,
  ratio5xx = 0,
  ratio4xx = 0,
): TrafficFigures {
  return {
    requestsPerSecond,
    successRatio: 1 - ratio5xx,
    ratio4xx,
    ratio5xx,
    latencyMs: { p50: 10, p95: 50, p99: 90 },
    mtlsShare: 1,
    versions: [],
  };
}

const input = (over: Partial<HealthInput>): HealthInput => ({
  clusters: [{ cluster: 'prod', workloads: [workload('cart-v1', 3)] }],
  figures: figures(10),
  figuresSource: 'prometheus p',
  thresholds: DEFAULT_LIFECYCLE_THRESHOLDS,
  ...over,
});

describe('assessHealth', () => {
  it('is healthy when ready and within thresholds', () => {
    const health = assessHealth(input({}));
    expect(health.verdict).toBe('healthy');
    expect(health.clusters.map(c => [c.cluster, c.verdict])).toEqual([
      ['prod', 'healthy'],
    ]);
  });

  it.each([
    [0.0005, 0, 'healthy'],
    [0.002, 0, 'degraded'],
    [0.11, 0, 'failing'],
    [0, 0.09, 'healthy'],
    [0, 0.15, 'degraded'],
    [0, 0.25, 'failing'],
  ])(
    'judges 5xx %s and 4xx %s by Kiali’s defaults as %s',
    (r5xx, r4xx, verdict) => {
      const health = assessHealth(input({ figures: figures(10, r5xx, r4xx) }));
      expect(health.verdict).toBe(verdict);
      expect([health.reasons[0].verdict, health.reasons[0].source]).toEqual([
        verdict,
        verdict === 'healthy' ? 'service' : 'prometheus p',
      ]);
      expect(health.reasons[0].message).toMatch(
        verdict === 'healthy'
          ? 'ready, requests within thresholds'
          : /(5xx|4xx) ratio .* is above/,
      );
    },
  );

  it('follows thresholds given to it', () => {
    const strict = {
      ...DEFAULT_LIFECYCLE_THRESHOLDS,
      health: { ...DEFAULT_LIFECYCLE_THRESHOLDS.health, failing5xxPercent: 1 },
    };
    expect(
      assessHealth(input({ figures: figures(10, 0.02), thresholds: strict }))
        .verdict,
    ).toBe('failing');
  });

  it('ignores error ratios without traffic', () => {
    const none = { ...figures(0, 0.5), requestsPerSecond: null };
    expect(assessHealth(input({ figures: none })).verdict).toBe('healthy');
  });

  it('is degraded with some replicas not ready, not-ready with none', () => {
    const some = assessHealth(
      input({
        clusters: [{ cluster: 'prod', workloads: [workload('a', 3, 2)] }],
      }),
    );
    expect(some.verdict).toBe('degraded');
    expect(some.reasons[0].message).toBe('a: 2 of 3 replicas ready');
    const none = assessHealth(
      input({
        clusters: [
          {
            cluster: 'prod',
            workloads: [workload('a', 3, 0), workload('b', 2, 1)],
          },
        ],
      }),
    );
    expect(none.verdict).toBe('not-ready');
    expect(none.reasons.map(r => r.verdict)).toEqual(['not-ready', 'degraded']);
  });

  it('calls a service scaled to zero on purpose idle, not degraded', () => {
    const health = assessHealth(
      input({
        clusters: [{ cluster: 'prod', workloads: [workload('legacy', 0)] }],
        figures: { ...figures(0), requestsPerSecond: null },
        retiring: true,
      }),
    );
    expect(health.verdict).toBe('idle');
    expect(health.reasons[0].message).toBe(
      'scaled to zero on purpose (retiring)',
    );
  });

  it('is failing when scaled to zero while still called on that cluster', () => {
    const health = assessHealth(
      input({
        clusters: [
          {
            cluster: 'prod',
            workloads: [workload('legacy', 0)],
            figures: figures(3),
          },
        ],
      }),
    );
    expect(health.clusters[0].verdict).toBe('failing');
    expect(health.verdict).toBe('failing');
  });

  it('judges each cluster on its own and the service by the worst', () => {
    const health = assessHealth(
      input({
        clusters: [
          { cluster: 'dev', workloads: [] },
          { cluster: 'test', workloads: [workload('s', 1, 0)] },
          { cluster: 'prod', workloads: [workload('s', 2)] },
          { cluster: 'gone' },
        ],
      }),
    );
    expect(health.clusters.map(c => [c.cluster, c.verdict])).toEqual([
      ['dev', 'idle'],
      ['test', 'not-ready'],
      ['prod', 'healthy'],
      ['gone', 'unknown'],
    ]);
    expect(health.verdict).toBe('not-ready');
  });

  it('is unknown when no cluster answered', () => {
    expect(
      assessHealth(input({ clusters: [{ cluster: 'gone' }], figures: null }))
        .verdict,
    ).toBe('unknown');
  });

  it('makes a firing critical alert failing, another firing alert degraded, a pending one nothing', () => {
    expect(
      assessHealth(
        input({
          alerts: [
            { name: 'HighErrorRate', state: 'firing', severity: 'critical' },
          ],
        }),
      ),
    ).toMatchObject({
      verdict: 'failing',
      reasons: [{ message: 'alert HighErrorRate is firing (critical)' }],
    });
    expect(
      assessHealth(
        input({
          alerts: [{ name: 'Slow', state: 'firing', severity: 'warning' }],
        }),
      ).verdict,
    ).toBe('degraded');
    expect(
      assessHealth(input({ alerts: [{ name: 'Slow', state: 'pending' }] }))
        .verdict,
    ).toBe('healthy');
  });

  describe('says what it could not see', () => {
    it('does not call requests "within thresholds" without request figures', () => {
      const health = assessHealth(
        input({
          figures: null,
          figuresMissing: 'prometheus p has no request series of it',
        }),
      );
      expect(health.verdict).toBe('healthy');
      expect(health.reasons).toEqual([
        { verdict: 'healthy', message: 'ready', source: 'service' },
        {
          verdict: 'unknown',
          message:
            'request health unknown: prometheus p has no request series of it',
          source: 'prometheus p',
        },
      ]);
      expect(JSON.stringify(health)).not.toMatch(/within thresholds/);
    });

    it('lists a cluster that did not answer beside one that runs', () => {
      const health = assessHealth(
        input({
          clusters: [
            { cluster: 'prod', workloads: [workload('cart-v1', 3)] },
            { cluster: 'eu' },
          ],
        }),
      );
      expect(health.reasons).toContainEqual({
        verdict: 'unknown',
        message: 'the cluster did not answer',
        source: 'cluster eu',
      });
    });

    it('is unknown, not idle, when one cluster is idle and another did not answer', () => {
      const health = assessHealth(
        input({
          clusters: [{ cluster: 'prod', workloads: [] }, { cluster: 'eu' }],
          figures: null,
        }),
      );
      expect(health.verdict).toBe('unknown');
    });

    it('says per cluster only what it saw', () => {
      const health = assessHealth(input({}));
      expect(health.clusters[0].reasons).toEqual([
        { verdict: 'healthy', message: 'ready', source: 'cluster prod' },
      ]);
    });
  });
});
