import { TrafficFigures } from '../api/traffic';
import { ServiceDeclaration } from '../readServiceDeclaration';
import {
  GateClusterEvidence,
  GateInput,
  LIFECYCLE_GATES,
  evaluateGates,
} from './gates';
import { DEFAULT_LIFECYCLE_THRESHOLDS } from './thresholds';

const declaration: ServiceDeclaration = {
  entityRef: 'component:default/cart',
  target: { kubernetesId: 'cart', namespace: 'shop' },
  thresholds: {},
};

/** A service configured as the seed says. */
function seedCluster(
  over: Partial<GateClusterEvidence> = {},
): GateClusterEvidence {
  return {
    cluster: 'prod',
    virtualServices: [
      {
        metadata: { name: 'cart' },
        spec: {
          http: [
            {
              timeout: '10s',
              retries: {
                attempts: 3,
                perTryTimeout: '2s',
                retryOn: '5xx,reset,connect-failure',
              },
            },
          ],
        },
      },
    ],
    destinationRules: [
      {
        metadata: { name: 'cart' },
        spec: {
          host: 'cart',
          trafficPolicy: {
            connectionPool: {
              tcp: { maxConnections: 100 },
              http: { http1MaxPendingRequests: 50 },
            },
            outlierDetection: { consecutive5xxErrors: 5 },
          },
        },
      },
    ],
    workloads: [
      {
        name: 'cart-v1',
        replicas: 3,
        containers: [
          {
            name: 'cart',
            resources: {
              requests: { cpu: '100m', memory: '128Mi' },
              limits: { cpu: '500m', memory: '512Mi' },
            },
          },
        ],
      },
    ],
    mtlsMode: 'STRICT',
    authorizationPolicies: [
      { name: 'cart', namespace: 'shop', scope: 'workload', action: 'ALLOW' },
    ],
    serviceMonitors: [{ name: 'cart', namespace: 'shop' }],
    trafficSplit: [
      {
        virtualService: 'cart',
        namespace: 'shop',
        destinations: [
          { host: 'cart.shop.svc.cluster.local', version: 'v1', weight: 100 },
        ],
      },
    ],
    findings: [],
    objectsLeft: 6,
    ...over,
  };
}

const figures = (over: Partial<TrafficFigures> = {}): TrafficFigures => ({
  requestsPerSecond: 10,
  successRatio: 0.999,
  ratio4xx: 0.01,
  ratio5xx: 0.001,
  latencyMs: { p50: 20, p95: 300, p99: 900 },
  mtlsShare: 1,
  versions: [],
  ...over,
});

function input(over: Partial<GateInput> = {}): GateInput {
  return {
    declaration,
    thresholds: DEFAULT_LIFECYCLE_THRESHOLDS,
    clusters: [{ source: 'prod', evidence: seedCluster() }],
    traffic: {
      source: 'prometheus p',
      figures: figures(),
      windowSeconds: 3600,
    },
    alertRules: {
      source: 'prometheus p',
      rules: [
        {
          name: 'HighLatency',
          query:
            'histogram_quantile(0.95, sum by (le) (rate(istio_request_duration_milliseconds_bucket{destination_service_name="cart"}[5m]))) > 1000',
        },
        {
          name: 'HighErrorRate',
          query:
            'sum(rate(istio_requests_total{destination_service_name="cart",response_code=~"5.."}[5m])) / sum(rate(istio_requests_total{destination_service_name="cart"}[5m])) > 0.01',
        },
      ],
    },
    quiet: { source: 'prometheus p', requests: 0 },
    dependents: { source: 'catalog', entityRefs: [] },
    ...over,
  };
}

const statuses = (phase: Parameters<typeof evaluateGates>[0], i: GateInput) =>
  Object.fromEntries(evaluateGates(phase, i).gates.map(g => [g.id, g.status]));

describe('evaluateGates', () => {
  it('passes a service configured with the seed’s mesh defaults to test and deploy', () => {
    for (const phase of ['develop', 'test'] as const) {
      const result = evaluateGates(phase, input());
      expect(result.gates.filter(g => g.status !== 'pass')).toEqual([]);
      expect(result.passed).toBe(true);
      expect(result.to).toBe(phase === 'develop' ? 'test' : 'deploy');
    }
  });

  it.each([
    [
      'routes-timeouts-retries',
      {
        virtualServices: [
          { metadata: { name: 'cart' }, spec: { http: [{ timeout: '10s' }] } },
        ],
      },
      'prod: VirtualService cart http[0] lacks retries, retries.perTryTimeout',
    ],
    [
      'destination-rule-resilience',
      {
        destinationRules: [
          { metadata: { name: 'cart' }, spec: { host: 'cart' } },
        ],
      },
      'prod: DestinationRule cart lacks connection pool limits and outlier detection',
    ],
    ['mtls-strict', { mtlsMode: 'PERMISSIVE' }, 'prod: mutual TLS PERMISSIVE'],
    [
      'authorization-policy',
      {
        authorizationPolicies: [
          {
            name: 'deny',
            namespace: 'shop',
            scope: 'workload' as const,
            action: 'DENY',
          },
        ],
      },
      'prod: no ALLOW AuthorizationPolicy for its workloads or namespace',
    ],
    [
      'resources',
      {
        workloads: [
          {
            name: 'cart-v1',
            replicas: 1,
            containers: [
              { name: 'cart', resources: { requests: { cpu: '1' } } },
            ],
          },
        ],
      },
      'prod: cart-v1/cart lacks requests.memory, limits.cpu, limits.memory',
    ],
    [
      'monitoring',
      { serviceMonitors: [] },
      'prod: no ServiceMonitor selects its Service',
    ],
    [
      'no-config-errors',
      {
        findings: [
          {
            code: 'KIA1107',
            severity: 'error' as const,
            message: 'Subset not found',
            hint: '',
            object: { kind: 'VirtualService', namespace: 'shop', name: 'cart' },
            path: 'spec.http[0].route[1].destination.subset',
          },
        ],
      },
      'prod: KIA1107 VirtualService shop/cart spec.http[0].route[1].destination.subset: Subset not found',
    ],
  ])('fails %s with the evidence', (id, over, line) => {
    const result = evaluateGates(
      'test',
      input({ clusters: [{ source: 'prod', evidence: seedCluster(over) }] }),
    );
    const gate = result.gates.find(g => g.id === id)!;
    expect(gate.status).toBe('fail');
    expect(gate.evidence).toContain(line);
    expect(gate.hint).toBeTruthy();
    expect(result.passed).toBe(false);
    expect(
      result.gates.filter(g => g.status === 'fail').map(g => g.id),
    ).toEqual([id]);
  });

  it('asks for both a latency and an error ratio alert', () => {
    const gate = evaluateGates(
      'test',
      input({
        alertRules: {
          source: 'prometheus p',
          rules: [{ name: 'Up', query: 'up == 0' }],
        },
      }),
    ).gates.find(g => g.id === 'monitoring')!;
    expect(gate.status).toBe('fail');
    expect(gate.evidence).toEqual([
      'prod: ServiceMonitor shop/cart',
      'no latency alert rule',
      'no error ratio alert rule',
    ]);
  });

  it('is unknown, not passed, where a source did not answer', () => {
    const result = statuses(
      'test',
      input({
        clusters: [
          { source: 'prod', evidence: seedCluster() },
          { source: 'gone', error: 'connect ECONNREFUSED' },
        ],
      }),
    );
    expect(result['mtls-strict']).toBe('unknown');
    expect(
      statuses(
        'deploy',
        input({ traffic: { source: 'prometheus p', error: 'timeout' } }),
      ),
    ).toMatchObject({
      'success-ratio': 'unknown',
      latency: 'unknown',
      'mtls-share': 'unknown',
    });
  });

  it('fails the mesh defaults of a service deployed nowhere', () => {
    const result = evaluateGates(
      'develop',
      input({
        clusters: [
          { source: 'prod', evidence: seedCluster({ workloads: [] }) },
        ],
      }),
    );
    expect(result.gates[0].evidence).toEqual(['not deployed on any cluster']);
    expect(result.passed).toBe(false);
  });

  it('holds back operate until the canary is finished and the figures are within thresholds', () => {
    const canary = seedCluster({
      trafficSplit: [
        {
          virtualService: 'cart',
          namespace: 'shop',
          destinations: [
            { host: 'cart', version: 'v1', weight: 90 },
            { host: 'cart', version: 'v2', weight: 10 },
          ],
        },
      ],
    });
    const result = evaluateGates(
      'deploy',
      input({
        clusters: [{ source: 'prod', evidence: canary }],
        traffic: {
          source: 'prometheus p',
          windowSeconds: 3600,
          figures: figures({
            ratio5xx: 0.02,
            latencyMs: { p50: 100, p95: 1500, p99: 2000 },
            mtlsShare: 0.97,
          }),
        },
      }),
    );
    expect(result.to).toBe('operate');
    expect(result.gates.map(g => [g.id, g.status, g.evidence[0]])).toEqual([
      [
        'canary-finished',
        'fail',
        'prod: VirtualService cart still splits v1 90 % / v2 10 %',
      ],
      ['success-ratio', 'fail', '5xx ratio 2 % (threshold 1 %) over 3600 s'],
      ['latency', 'fail', 'p95 1500 ms (threshold 1000 ms) over 3600 s'],
      [
        'mtls-share',
        'fail',
        '97 % of inbound requests over mutual TLS (needed 100 %) over 3600 s',
      ],
    ]);
    expect(statuses('deploy', input())).toEqual({
      'canary-finished': 'pass',
      'success-ratio': 'pass',
      latency: 'pass',
      'mtls-share': 'pass',
    });
  });

  it('uses the entity’s thresholds', () => {
    const strict = { ...DEFAULT_LIFECYCLE_THRESHOLDS, p95LatencyMs: 200 };
    expect(statuses('deploy', input({ thresholds: strict })).latency).toBe(
      'fail',
    );
  });

  it('holds back retire while called, depended on, unreplaced or unannounced', () => {
    const held = evaluateGates(
      'operate',
      input({
        quiet: { source: 'prometheus p', requests: 1234 },
        dependents: {
          source: 'catalog',
          entityRefs: ['component:default/checkout'],
        },
      }),
    );
    expect(held.gates.map(g => [g.id, g.status, g.evidence])).toEqual([
      [
        'no-inbound-requests',
        'fail',
        ['1234 inbound requests in the last 7 days'],
      ],
      [
        'no-dependents',
        'fail',
        ['component:default/checkout still depends on it'],
      ],
      [
        'replacement-named',
        'fail',
        ['no mesh-lifecycle.io/replaced-by annotation'],
      ],
      [
        'owners-notified',
        'fail',
        ['no mesh-lifecycle.io/retirement-notified annotation'],
      ],
    ]);
    const ready = evaluateGates(
      'operate',
      input({
        declaration: {
          ...declaration,
          replacedBy: 'none',
          retirementNotified: '2026-11-01',
        },
      }),
    );
    expect(ready.passed).toBe(true);
    expect(ready.gates[2].evidence).toEqual(['explicitly replaced by none']);
  });

  it('asks a retiring service to meet the retire conditions and be cleaned up', () => {
    const retiring = evaluateGates(
      'retire',
      input({
        declaration: {
          ...declaration,
          replacedBy: 'component:default/cart-v2',
          retirementNotified: '2026-11-01',
        },
        quiet: { source: 'prometheus p', requests: 0 },
      }),
    );
    expect(retiring.gates.map(g => [g.id, g.status])).toEqual([
      ['no-inbound-requests', 'pass'],
      ['no-dependents', 'pass'],
      ['replacement-named', 'pass'],
      ['owners-notified', 'pass'],
      ['cleaned-up', 'fail'],
    ]);
    expect(retiring.gates[4].evidence).toEqual(['prod: 6 objects left']);
    expect(retiring.to).toBeUndefined();
    expect(
      evaluateGates(
        'retire',
        input({
          declaration: {
            ...declaration,
            replacedBy: 'none',
            retirementNotified: '2026-11-01',
          },
          clusters: [
            { source: 'prod', evidence: seedCluster({ objectsLeft: 0 }) },
          ],
        }),
      ).passed,
    ).toBe(true);
  });

  it('needs the Kubernetes annotations to leave design', () => {
    expect(statuses('design', input())).toEqual({
      'kubernetes-annotations': 'pass',
    });
    expect(
      statuses(
        'design',
        input({ declaration: { ...declaration, target: {} } }),
      ),
    ).toEqual({ 'kubernetes-annotations': 'fail' });
  });

  it('lists every gate with a title and a hint', () => {
    for (const gates of Object.values(LIFECYCLE_GATES)) {
      expect(gates.length).toBeGreaterThan(0);
      for (const gate of gates) {
        expect(gate.title).toBeTruthy();
        expect(gate.hint).toBeTruthy();
      }
    }
  });
});
