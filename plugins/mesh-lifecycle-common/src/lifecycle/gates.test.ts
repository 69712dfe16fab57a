import fc from 'fast-check';
import { TrafficFigures } from '../api/traffic';
import { ServiceDeclaration } from '../readServiceDeclaration';
import {
  GateClusterEvidence,
  GateInput,
  LIFECYCLE_GATES,
  QuietEvidence,
  describePeriod,
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

function quietSource(over: Partial<QuietEvidence & { source: string }> = {}) {
  return {
    source: 'prometheus p',
    requests: 0,
    callerRequests: 0,
    telemetryCoversWindow: true,
    ...over,
  };
}

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
    quiet: [quietSource()],
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

  it('is unknown, neither failed nor passed, where ServiceMonitors could not be read', () => {
    const unread = (other: Partial<GateClusterEvidence>) =>
      evaluateGates(
        'test',
        input({
          clusters: [
            {
              source: 'prod',
              evidence: seedCluster({
                serviceMonitors: [],
                serviceMonitorsError: 'HTTP 403: forbidden',
              }),
            },
            {
              source: 'east',
              evidence: seedCluster({ cluster: 'east', ...other }),
            },
          ],
        }),
      ).gates.find(g => g.id === 'monitoring')!;
    const gate = unread({});
    expect(gate.status).toBe('unknown');
    expect(gate.evidence).toEqual([
      'prod: ServiceMonitors not read: HTTP 403: forbidden',
      'east: ServiceMonitor shop/cart',
      'latency alert HighLatency',
      'error ratio alert HighErrorRate',
    ]);
    // A cluster that shows the gate failing fails it whatever is unknown.
    expect(unread({ serviceMonitors: [] }).status).toBe('fail');
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
    // The cluster is named once, whether or not its error names it already.
    const named = evaluateGates(
      'test',
      input({
        clusters: [
          { source: 'prod', evidence: seedCluster() },
          {
            source: 'gone',
            error: 'cluster gone: connection reset (ECONNRESET)',
          },
        ],
      }),
    ).gates.find(g => g.id === 'mtls-strict')!;
    expect(named.evidence).toContain(
      'cluster gone: connection reset (ECONNRESET)',
    );
    expect(
      evaluateGates(
        'test',
        input({
          clusters: [{ source: 'gone', error: 'connect ECONNREFUSED' }],
        }),
      ).gates.find(g => g.id === 'mtls-strict')!.evidence,
    ).toEqual(['cluster gone: connect ECONNREFUSED']);
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

  it('counts the owners as notified once a retirement request told them, even when nobody depends on it', () => {
    const notified = (owners: string[]) =>
      evaluateGates(
        'operate',
        input({
          notified: {
            source: 'retirement requests',
            requestId: 'task-1.decommission',
            at: '2026-12-06T01:00:00.000Z',
            owners,
          },
        }),
      ).gates.find(g => g.id === 'owners-notified');
    expect(notified(['group:default/team-inventory'])).toMatchObject({
      status: 'pass',
      evidence: [
        'group:default/team-inventory notified by retirement request task-1.decommission on 2026-12-06',
      ],
      sources: ['retirement requests'],
    });
    expect(notified([])?.evidence).toEqual([
      'no dependent, nobody to notify by retirement request task-1.decommission on 2026-12-06',
    ]);
  });

  it('does not know whether the owners were told when the retirement requests cannot be read', () => {
    expect(
      evaluateGates(
        'operate',
        input({
          notified: {
            source: 'retirement requests',
            error: 'database is locked',
          },
        }),
      ).gates.find(g => g.id === 'owners-notified'),
    ).toMatchObject({
      status: 'unknown',
      evidence: [
        'the retirement requests could not be read: database is locked',
      ],
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
        quiet: [quietSource({ requests: 1234 })],
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
        [
          'no retirement request notified them, and no mesh-lifecycle.io/retirement-notified annotation',
        ],
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
        quiet: [quietSource()],
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

describe('gates with missing evidence', () => {
  const gate = (
    phase: 'operate' | 'retire' | 'deploy',
    over: Partial<GateInput>,
    id: string,
  ) => evaluateGates(phase, input(over)).gates.find(g => g.id === id)!;

  describe('no-inbound-requests', () => {
    const quiet = (q: GateInput['quiet']) =>
      gate('operate', { quiet: q }, 'no-inbound-requests');

    it('passes only on zero series that cover the quiet period', () => {
      expect(quiet([quietSource()])).toMatchObject({
        status: 'pass',
        evidence: ['no inbound requests in the last 7 days'],
      });
    });

    it('names a quiet period shorter than a day (a drain window) in its unit', () => {
      const hour = evaluateGates(
        'operate',
        input({
          quiet: [quietSource({ requests: 12 })],
          thresholds: {
            ...DEFAULT_LIFECYCLE_THRESHOLDS,
            retireQuietDays: 3600 / 86_400,
          },
        }),
      ).gates.find(g => g.id === 'no-inbound-requests')!;
      expect(hour.evidence).toEqual(['12 inbound requests in the last 1 hour']);
      expect([86_400 * 30, 7200, 1800, 90].map(s => describePeriod(s))).toEqual(
        ['30 days', '2 hours', '30 minutes', '90 s'],
      );
    });

    it('is unknown when no Prometheus was asked', () => {
      expect(quiet(undefined).status).toBe('unknown');
      expect(quiet([]).status).toBe('unknown');
    });

    it('is unknown when Prometheus did not answer', () => {
      expect(
        quiet([{ source: 'prometheus p', error: 'connect ECONNREFUSED' }]),
      ).toMatchObject({
        status: 'unknown',
        evidence: ['prometheus p did not answer: connect ECONNREFUSED'],
      });
    });

    it('is unknown when Prometheus has no series of it (not "no requests")', () => {
      const answer = quiet([
        quietSource({ requests: null, callerRequests: null }),
      ]);
      expect(answer.status).toBe('unknown');
      expect(answer.evidence[0]).toMatch(/no request series of it/);
    });

    it('is unknown when the telemetry does not reach back over the period', () => {
      const answer = quiet([quietSource({ telemetryCoversWindow: false })]);
      expect(answer.status).toBe('unknown');
      expect(answer.evidence[0]).toMatch(/from 7 days ago/);
    });

    it('fails on requests its callers report, even without its own series', () => {
      expect(
        quiet([quietSource({ requests: null, callerRequests: 42 })]),
      ).toMatchObject({
        status: 'fail',
        evidence: [
          '42 requests its callers sent it in the last 7 days (reported by the callers)',
        ],
      });
    });

    it('fails on requests seen by one Prometheus while another is down', () => {
      expect(
        quiet([
          { source: 'prometheus a', error: 'timeout' },
          quietSource({ source: 'prometheus b', requests: 10 }),
        ]).status,
      ).toBe('fail');
    });

    it('is unknown when one of several Prometheus servers did not answer', () => {
      expect(
        quiet([
          quietSource({ source: 'prometheus a' }),
          { source: 'prometheus b', error: 'HTTP 503' },
        ]).status,
      ).toBe('unknown');
    });

    it('passes with a quiet source beside one that never saw the service', () => {
      expect(
        quiet([
          quietSource({ source: 'prometheus a' }),
          quietSource({
            source: 'prometheus b',
            requests: null,
            callerRequests: null,
          }),
        ]).status,
      ).toBe('pass');
    });
  });

  describe('request figures of the deploy gates', () => {
    const deploy = (traffic: GateInput['traffic']) =>
      Object.fromEntries(
        evaluateGates('deploy', input({ traffic })).gates.map(g => [
          g.id,
          g.status,
        ]),
      );

    it('are unknown when the source is missing, erroring or has no series', () => {
      const unknown = {
        'success-ratio': 'unknown',
        latency: 'unknown',
        'mtls-share': 'unknown',
      };
      expect(deploy(undefined)).toMatchObject(unknown);
      expect(
        deploy({
          source: 'prometheus p',
          error: 'HTTP 404 without a JSON body',
        }),
      ).toMatchObject(unknown);
      const none: TrafficFigures = {
        ...figures(),
        requestsPerSecond: null,
        successRatio: null,
        ratio4xx: null,
        ratio5xx: null,
        latencyMs: { p50: null, p95: null, p99: null },
        mtlsShare: null,
      };
      expect(
        deploy({ source: 'prometheus p', figures: none, windowSeconds: 3600 }),
      ).toMatchObject(unknown);
    });

    it('fail on series that are zero: no requests to judge a promotion by', () => {
      const idle: TrafficFigures = { ...figures(), requestsPerSecond: 0 };
      expect(
        deploy({ source: 'prometheus p', figures: idle, windowSeconds: 3600 }),
      ).toMatchObject({ 'success-ratio': 'fail', latency: 'fail' });
    });

    it('are unknown when a figure is missing although there were requests', () => {
      const noLatency: TrafficFigures = {
        ...figures(),
        latencyMs: { p50: null, p95: null, p99: null },
      };
      expect(
        deploy({
          source: 'prometheus p',
          figures: noLatency,
          windowSeconds: 3600,
        }).latency,
      ).toBe('unknown');
    });
  });

  describe('cleaned-up', () => {
    const cleaned = (clusters: GateInput['clusters']) =>
      gate('retire', { clusters }, 'cleaned-up');

    it('is unknown when no cluster was checked or one did not answer', () => {
      expect(cleaned([])).toMatchObject({
        status: 'unknown',
        evidence: ['no cluster was checked'],
      });
      expect(
        cleaned([
          { source: 'prod', evidence: seedCluster({ objectsLeft: 0 }) },
          { source: 'eu', error: 'HTTP 401 Unauthorized' },
        ]).status,
      ).toBe('unknown');
    });

    it('is unknown when a cluster was read in some namespaces only and the entity names none', () => {
      const searchedOnly = ['shop', 'istio-system'];
      expect(
        cleaned([
          {
            source: 'prod',
            evidence: seedCluster({ objectsLeft: 0, searchedOnly }),
          },
        ]),
      ).toMatchObject({
        status: 'unknown',
        evidence: [
          'prod: none left in shop, istio-system, the only namespaces read there; name its namespace (backstage.io/kubernetes-namespace) to judge the rest',
        ],
      });
      // Objects found there are objects left, wherever else one looks.
      expect(
        cleaned([
          {
            source: 'prod',
            evidence: seedCluster({ objectsLeft: 2, searchedOnly }),
          },
        ]).status,
      ).toBe('fail');
    });
  });

  it('is unknown, not "not deployed", where none was found on a cluster read in some namespaces only', () => {
    const searchedOnly = ['shop', 'istio-system'];
    const canary = (evidence: GateClusterEvidence) =>
      gate(
        'deploy',
        { clusters: [{ source: 'prod', evidence }] },
        'canary-finished',
      );
    expect(canary(seedCluster({ workloads: [], searchedOnly }))).toMatchObject({
      status: 'unknown',
      evidence: [
        'prod: none deployed in shop, istio-system, the only namespaces read there; name its namespace (backstage.io/kubernetes-namespace) to judge the rest',
      ],
    });
    // Found there: judged on what was found.
    expect(canary(seedCluster({ searchedOnly })).status).toBe('pass');
  });

  describe('no-dependents', () => {
    it('is unknown when the catalog was not asked or failed', () => {
      expect(
        gate('operate', { dependents: undefined }, 'no-dependents').status,
      ).toBe('unknown');
      expect(
        gate(
          'operate',
          { dependents: { source: 'catalog', error: 'timeout' } },
          'no-dependents',
        ).status,
      ).toBe('unknown');
    });
  });

  // Property: whatever mix of missing, failing, empty and present sources,
  // a retire gate passes only on complete evidence that allows it.
  it('never passes a retire gate on missing sources (property)', () => {
    const error = fc.record({
      source: fc.constantFrom('prometheus a', 'prometheus b'),
      error: fc.constantFrom('timeout', 'HTTP 401', 'no answer'),
    });
    const count = fc.oneof(
      fc.constant(null),
      fc.constant(0),
      fc.double({ min: 0, max: 1e6, noNaN: true }),
    );
    const answered = fc.record({
      source: fc.constantFrom('prometheus a', 'prometheus b'),
      requests: count,
      callerRequests: count,
      telemetryCoversWindow: fc.boolean(),
    });
    const quiet = fc.option(
      fc.array(fc.oneof(error, answered), { maxLength: 3 }),
      {
        nil: undefined,
      },
    );
    const cluster = fc.oneof(
      fc.record({
        source: fc.constantFrom('prod', 'eu'),
        error: fc.constantFrom('HTTP 401', 'ETIMEDOUT'),
      }),
      fc
        .record({
          objectsLeft: fc.nat({ max: 3 }),
          searchedOnly: fc.option(fc.constant(['shop', 'istio-system']), {
            nil: undefined,
          }),
        })
        .map(({ objectsLeft, searchedOnly }) => ({
          source: 'prod',
          evidence: seedCluster({
            objectsLeft,
            ...(searchedOnly ? { searchedOnly: [...searchedOnly] } : {}),
          }),
        })),
    );
    const dependents = fc.option(
      fc.oneof(
        fc.constant({ source: 'catalog', error: 'timeout' }),
        fc
          .array(
            fc.constantFrom('component:default/a', 'component:default/b'),
            {
              maxLength: 2,
            },
          )
          .map(entityRefs => ({ source: 'catalog', entityRefs })),
      ),
      { nil: undefined },
    );
    fc.assert(
      fc.property(
        fc.constantFrom('operate' as const, 'retire' as const),
        quiet,
        fc.array(cluster, { maxLength: 3 }),
        dependents,
        (phase, q, clusters, deps) => {
          const result = evaluateGates(
            phase,
            input({
              declaration: {
                ...declaration,
                replacedBy: 'none',
                retirementNotified: '2026-11-01',
              },
              quiet: q,
              clusters,
              dependents: deps,
            }),
          );
          const status = (id: string) =>
            result.gates.find(g => g.id === id)?.status;

          // What complete evidence of quiet is, said independently of gates.ts.
          const all = q ?? [];
          const answers = all.flatMap(a => ('error' in a ? [] : [a]));
          const failures = all.length - answers.length;
          const seen = (a: QuietEvidence) =>
            a.requests !== null || a.callerRequests !== null;
          const quietKnown =
            all.length > 0 &&
            failures === 0 &&
            answers.some(a => seen(a) && a.telemetryCoversWindow) &&
            answers.every(a => !seen(a) || a.telemetryCoversWindow);
          const quietNow = answers.every(
            a => (a.requests ?? 0) < 1 && (a.callerRequests ?? 0) < 1,
          );
          const cleanKnown =
            clusters.length > 0 &&
            clusters.every(c => !('error' in c) && !c.evidence.searchedOnly);
          const depsKnown = deps !== undefined && !('error' in deps);
          // Each gate's verdict against what its evidence allows: a pass
          // implies complete evidence.
          const passes = (id: string) => status(id) === 'pass';
          expect({
            quiet: !passes('no-inbound-requests') || (quietKnown && quietNow),
            calledFails: quietNow || status('no-inbound-requests') === 'fail',
            cleaned: phase !== 'retire' || !passes('cleaned-up') || cleanKnown,
            dependents: !passes('no-dependents') || depsKnown,
            passed: !result.passed || (quietKnown && depsKnown),
          }).toEqual({
            quiet: true,
            calledFails: true,
            cleaned: true,
            dependents: true,
            passed: true,
          });
        },
      ),
      { numRuns: 2000 },
    );
  });
});
