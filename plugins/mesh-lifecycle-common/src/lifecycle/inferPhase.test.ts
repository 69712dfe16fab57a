import { ClusterMesh, MeshResponse, MeshWorkload } from '../api/mesh';
import { TrafficFigures, TrafficResponse } from '../api/traffic';
import { ServiceDeclaration } from '../readServiceDeclaration';
import {
  DEFAULT_PHASE_RULES,
  PhaseRule,
  inferPhase,
  lifecycleEnvironment,
} from './inferPhase';

const declaration = (
  over: Partial<ServiceDeclaration> = {},
): ServiceDeclaration => ({
  entityRef: 'component:default/cart',
  target: { kubernetesId: 'cart', namespace: 'shop' },
  thresholds: {},
  ...over,
});

function workload(
  name: string,
  replicas: number,
  over: Partial<MeshWorkload> = {},
): MeshWorkload {
  return {
    kind: 'Deployment',
    name,
    namespace: 'shop',
    replicas,
    readyReplicas: replicas,
    availableReplicas: replicas,
    updatedReplicas: replicas,
    ...over,
  };
}

function cluster(
  name: string,
  environment: string,
  workloads: MeshWorkload[],
  over: Partial<ClusterMesh> = {},
): MeshResponse['clusters'][number] {
  return {
    source: name,
    status: 'ok',
    cluster: name,
    environment,
    workloads,
    pods: [],
    services: [],
    istioObjects: [],
    trafficSplit: [],
    mtls: { mode: 'STRICT' },
    ...over,
  };
}

const mesh = (...clusters: MeshResponse['clusters']): MeshResponse => ({
  entityRef: 'component:default/cart',
  clusters,
});

function traffic(rps: number, series?: number[]): TrafficResponse {
  return {
    entityRef: 'component:default/cart',
    windowSeconds: 300,
    sources: [
      {
        source: 'prometheus p:9090',
        status: 'ok',
        figures: {
          requestsPerSecond: rps,
          successRatio: 1,
          ratio4xx: 0,
          ratio5xx: 0,
          latencyMs: { p50: 1, p95: 2, p99: 3 },
          mtlsShare: 1,
          versions: [],
        },
        ...(series
          ? {
              series: {
                start: '',
                end: '',
                stepSeconds: 60,
                requestsPerSecond: series.map((v, t) => ({ t, v })),
                successRatio: [],
                ratio4xx: [],
                ratio5xx: [],
                latencyMs: { p50: [], p95: [], p99: [] },
                versions: [],
              },
            }
          : {}),
      },
    ],
  };
}

const canary = {
  trafficSplit: [
    {
      virtualService: 'cart',
      namespace: 'shop',
      destinations: [
        { host: 'cart.shop.svc.cluster.local', subset: 'v1', weight: 90 },
        { host: 'cart.shop.svc.cluster.local', subset: 'v2', weight: 10 },
      ],
    },
  ],
};

describe('inferPhase', () => {
  it.each([
    ['design', mesh(cluster('prod', 'production', []))],
    ['develop', mesh(cluster('dev', 'development', [workload('cart', 1)]))],
    [
      'test',
      mesh(
        cluster('dev', 'development', [workload('cart', 1)]),
        cluster('test', 'testing', [workload('cart', 1)]),
      ),
    ],
    [
      'deploy',
      mesh(
        cluster(
          'prod',
          'production',
          [workload('cart-v1', 3), workload('cart-v2', 1)],
          canary,
        ),
      ),
    ],
    [
      'deploy',
      mesh(
        cluster('prod', 'production', [
          workload('cart', 3, { updatedReplicas: 1, availableReplicas: 2 }),
        ]),
      ),
    ],
    ['operate', mesh(cluster('prod', 'prod', [workload('cart', 3)]))],
    [
      'retire',
      mesh(
        cluster('prod', 'production', [
          workload('cart', 3, { lifecycleStatus: 'decommissioning' }),
        ]),
      ),
    ],
    ['retire', mesh(cluster('prod', 'production', [workload('cart', 0)]))],
  ] as const)('infers %s', (phase, answer) => {
    const result = inferPhase({ declaration: declaration(), mesh: answer });
    expect(result.inferred).toBe(phase);
    expect(result.phase).toBe(phase);
    expect(result.rule.phase).toBe(phase);
  });

  it('reads the environment of a workload’s namespace over its cluster’s', () => {
    const result = inferPhase({
      declaration: declaration(),
      mesh: mesh(
        cluster('dev', 'development', [
          workload('cart', 1, {
            namespace: 'cart-e2e',
            environment: 'testing',
          }),
        ]),
      ),
    });
    expect(result.inferred).toBe('test');
    expect(result.evidence).toContainEqual({
      fact: 'runsIn',
      value: 'testing',
      source: 'cluster dev',
      detail: 'cart 1/1 ready',
    });
  });

  it('names the evidence and its source', () => {
    const result = inferPhase({
      declaration: declaration(),
      mesh: mesh(
        cluster(
          'prod',
          'production',
          [workload('cart-v1', 3), workload('cart-v2', 1)],
          canary,
        ),
      ),
      traffic: traffic(12.5),
    });
    expect(result.evidence).toEqual(
      expect.arrayContaining([
        {
          fact: 'runsIn',
          value: 'production',
          source: 'cluster prod',
          detail: 'cart-v1 3/3 ready, cart-v2 1/1 ready',
        },
        {
          fact: 'rolloutInProgress',
          value: true,
          source: 'cluster prod',
          detail: 'VirtualService cart splits v1 90 % / v2 10 %',
        },
        {
          fact: 'hasTraffic',
          value: true,
          source: 'prometheus p:9090',
          detail: '12.50 requests/s over 300 s',
        },
      ]),
    );
  });

  it('lets an explicit annotation win, and reports that the evidence disagrees', () => {
    const result = inferPhase({
      declaration: declaration({
        declaredPhase: { phase: 'test', source: 'annotation' },
      }),
      mesh: mesh(cluster('prod', 'production', [workload('cart', 2)])),
    });
    expect(result.phase).toBe('test');
    expect(result.inferred).toBe('operate');
    expect(result.contradictions[0].message).toMatch(
      /catalog declares test \(mesh-lifecycle.io\/phase\), the clusters and telemetry say operate/,
    );
  });

  it('knows a service its retirement request decommissioned is retired, not new, though nothing of it is left', () => {
    const gone = {
      declaration: declaration({
        declaredPhase: {
          phase: 'retire' as const,
          source: 'annotation' as const,
        },
      }),
      mesh: mesh(cluster('prod', 'production', [])),
      traffic: traffic(0),
    };
    // Without the request, nothing running reads as design.
    expect(inferPhase(gone).inferred).toBe('design');
    const retired = inferPhase({
      ...gone,
      retirement: {
        completed: {
          requestId: 'task-1.decommission',
          at: '2026-12-06T01:00:00.000Z',
        },
      },
    });
    expect(retired).toMatchObject({
      phase: 'retire',
      inferred: 'retire',
      contradictions: [],
    });
    expect(retired.evidence).toContainEqual({
      fact: 'retired',
      value: true,
      source: 'retirement requests',
      detail:
        'decommissioned by retirement request task-1.decommission on 2026-12-06',
    });
    // Requests that could not be read leave it open, and say why.
    const unread = inferPhase({
      ...gone,
      retirement: { error: 'database is locked' },
    });
    expect(unread.uncertain?.possible).toContain('retire');
    expect(unread.uncertain?.unknownFacts).toContainEqual({
      fact: 'retired',
      reason: 'its retirement requests could not be read: database is locked',
    });
  });

  it('follows spec.lifecycle only as a declaration: the evidence decides', () => {
    const result = inferPhase({
      declaration: declaration({
        declaredPhase: { phase: 'operate', source: 'spec.lifecycle' },
      }),
      mesh: mesh(cluster('dev', 'development', [workload('cart', 1)])),
    });
    expect(result.phase).toBe('develop');
    expect(result.contradictions).toHaveLength(1);
  });

  it('reports a deprecated service whose traffic keeps growing', () => {
    const result = inferPhase({
      declaration: declaration({
        declaredPhase: { phase: 'retire', source: 'spec.lifecycle' },
      }),
      mesh: mesh(cluster('prod', 'production', [workload('cart', 2)])),
      traffic: traffic(20, [5, 5, 6, 9, 14, 20]),
    });
    expect(result.contradictions.map(c => c.message)).toEqual([
      expect.stringMatching(/declares retire .* say operate/),
      'it is retiring, but its traffic keeps growing (5.00 → 17.00 requests/s over the range)',
    ]);
  });

  it('reports a decommissioning marker on a service still called', () => {
    const result = inferPhase({
      declaration: declaration(),
      mesh: mesh(
        cluster('prod', 'production', [
          workload('cart', 1, { lifecycleStatus: 'decommissioning' }),
        ]),
      ),
      traffic: traffic(3),
    });
    expect(result.contradictions).toEqual([
      {
        message: 'it is marked decommissioning, but still receives requests',
        sources: ['cluster prod', 'prometheus p:9090'],
      },
    ]);
  });

  it('lists the sources that did not answer and infers from the rest', () => {
    const result = inferPhase({
      declaration: declaration(),
      mesh: mesh(
        {
          source: 'gone',
          status: 'error',
          error: { name: 'Error', message: 'x' },
        },
        cluster('test', 'testing', [workload('cart', 1)]),
      ),
    });
    expect(result.unanswered).toEqual(['cluster gone']);
    expect(result.phase).toBe('test');
  });

  it('takes rules as data', () => {
    const rules: PhaseRule[] = [
      {
        phase: 'operate',
        description: 'anything with traffic operates',
        when: [[{ fact: 'hasTraffic', equals: true }]],
      },
      ...DEFAULT_PHASE_RULES,
    ];
    const result = inferPhase({
      declaration: declaration(),
      mesh: mesh(cluster('dev', 'development', [workload('cart', 1)])),
      traffic: traffic(1),
      rules,
    });
    expect(result.rule).toEqual({
      phase: 'operate',
      description: 'anything with traffic operates',
    });
  });

  it('knows common environment names', () => {
    expect(
      ['Production', 'prod', 'staging', 'QA', 'dev', 'lab'].map(
        lifecycleEnvironment,
      ),
    ).toEqual([
      'production',
      'production',
      'testing',
      'testing',
      'development',
      undefined,
    ]);
  });

  describe('with a source missing', () => {
    const down = {
      source: 'prod',
      status: 'error' as const,
      error: { name: 'Error', message: 'HTTP 401 Unauthorized' },
    };

    it('never moves a production service back to design when its cluster does not answer', () => {
      const result = inferPhase({
        declaration: declaration(),
        mesh: mesh(down),
        recorded: 'operate',
      });
      expect(result.inferred).toBe('design');
      expect(result.phase).toBe('operate');
      expect(result.uncertain).toMatchObject({
        kept: { phase: 'operate', from: 'recorded' },
        possible: ['retire', 'deploy', 'operate', 'test', 'develop'],
      });
      expect(result.uncertain?.unknownFacts).toContainEqual({
        fact: 'runsIn',
        reason: 'cluster prod did not answer',
      });
      expect(result.unanswered).toEqual(['cluster prod']);
    });

    it('keeps the declared phase when nothing was recorded', () => {
      const result = inferPhase({
        declaration: declaration({
          declaredPhase: { phase: 'operate', source: 'spec.lifecycle' },
        }),
        mesh: mesh(down),
      });
      expect(result.phase).toBe('operate');
      expect(result.uncertain?.kept).toEqual({
        phase: 'operate',
        from: 'declared',
      });
      // Unknown evidence is no contradiction.
      expect(result.contradictions).toEqual([]);
    });

    it('flags the phase as uncertain when there is nothing to keep', () => {
      const result = inferPhase({
        declaration: declaration(),
        mesh: mesh(down),
      });
      expect(result.phase).toBe('design');
      expect(result.uncertain?.kept).toBeUndefined();
      expect(result.uncertain?.possible).toContain('operate');
    });

    it('does not keep a recorded phase the evidence rules out', () => {
      const result = inferPhase({
        declaration: declaration(),
        mesh: mesh(down, cluster('test', 'testing', [workload('cart', 1)])),
        recorded: 'design',
      });
      expect(result.phase).toBe('test');
      expect(result.uncertain?.kept).toBeUndefined();
    });

    it('is certain when what answered decides before any unknown fact matters', () => {
      const result = inferPhase({
        declaration: declaration(),
        mesh: mesh(
          down,
          cluster('eu', 'production', [
            workload('cart', 0, {
              lifecycleStatus: 'decommissioning',
            } as Partial<MeshWorkload>),
          ]),
        ),
        recorded: 'operate',
      });
      expect(result.phase).toBe('retire');
      expect(result.uncertain).toBeUndefined();
    });

    it('does not take zero replicas on the clusters that answered for "scaled to zero"', () => {
      const result = inferPhase({
        declaration: declaration(),
        mesh: mesh(down, cluster('eu', 'production', [workload('cart', 0)])),
      });
      expect(result.inferred).not.toBe('retire');
      expect(result.uncertain?.possible).toContain('retire');
      expect(
        result.evidence.find(e => e.fact === 'scaledToZero'),
      ).toBeUndefined();
    });

    it('treats no configured cluster as unknown, not as "runs nowhere"', () => {
      const result = inferPhase({ declaration: declaration(), mesh: mesh() });
      expect(result.uncertain?.unknownFacts).toContainEqual({
        fact: 'runsIn',
        reason: 'no cluster is configured for it',
      });
    });

    it.each([
      [
        'did not answer',
        {
          source: 'prometheus p:9090',
          status: 'error' as const,
          error: { name: 'Error', message: 'connect ECONNREFUSED' },
        },
        /did not answer: connect ECONNREFUSED/,
      ],
      [
        'answered without data',
        {
          ...traffic(0).sources[0],
          figures: {
            ...(traffic(0).sources[0] as { figures: TrafficFigures }).figures,
            requestsPerSecond: null,
          },
        },
        /no request series of it over 300 s/,
      ],
    ])(
      'records traffic as unknown, never as 0 requests/s, when Prometheus %s',
      (_, source, detail) => {
        const result = inferPhase({
          declaration: declaration(),
          mesh: mesh(cluster('prod', 'production', [workload('cart', 2)])),
          traffic: {
            entityRef: 'component:default/cart',
            windowSeconds: 300,
            sources: [source as TrafficResponse['sources'][number]],
          },
        });
        const evidence = result.evidence.filter(e => e.fact === 'hasTraffic');
        expect(evidence).toEqual([
          expect.objectContaining({
            value: 'unknown',
            detail: expect.stringMatching(detail),
          }),
        ]);
        expect(JSON.stringify(result)).not.toMatch(/0\.00 requests\/s/);
      },
    );

    it('treats traffic as unknown when no Prometheus watches it', () => {
      const result = inferPhase({
        declaration: declaration(),
        mesh: mesh(cluster('prod', 'production', [workload('cart', 2)])),
      });
      const rules: PhaseRule[] = [
        {
          phase: 'retire',
          description: 'no traffic',
          when: [[{ fact: 'hasTraffic', equals: false }]],
        },
        ...DEFAULT_PHASE_RULES,
      ];
      const withRule = inferPhase({
        declaration: declaration(),
        mesh: mesh(cluster('prod', 'production', [workload('cart', 2)])),
        rules,
      });
      expect(result.uncertain).toBeUndefined();
      // A rule on traffic cannot hold on traffic nobody measured.
      expect(withRule.inferred).toBe('operate');
      expect(withRule.uncertain).toMatchObject({
        possible: ['retire'],
        unknownFacts: [
          { fact: 'hasTraffic', reason: 'no Prometheus watches it' },
        ],
      });
    });

    it('names the cluster IDs Prometheus does have in the unknown traffic evidence', () => {
      const source = traffic(0).sources[0] as Extract<
        TrafficResponse['sources'][number],
        { status: 'ok' }
      >;
      const result = inferPhase({
        declaration: declaration(),
        mesh: mesh(cluster('prod', 'production', [workload('cart', 2)])),
        traffic: {
          entityRef: 'component:default/cart',
          windowSeconds: 300,
          sources: [
            {
              ...source,
              figures: { ...source.figures, requestsPerSecond: null },
              warnings: ['has some for "Kubernetes"'],
            },
          ],
        },
      });
      expect(
        result.evidence.find(e => e.fact === 'hasTraffic')?.detail,
      ).toMatch(/has some for "Kubernetes"/);
    });

    it('says zero requests when the series are there and zero', () => {
      const result = inferPhase({
        declaration: declaration(),
        mesh: mesh(cluster('prod', 'production', [workload('cart', 2)])),
        traffic: traffic(0),
      });
      expect(result.evidence.find(e => e.fact === 'hasTraffic')).toMatchObject({
        value: false,
        detail: '0.00 requests/s over 300 s',
      });
    });
  });

  describe('a cluster without a usable environment', () => {
    it('falls back to its name, and says so', () => {
      const result = inferPhase({
        declaration: declaration(),
        mesh: mesh({
          ...cluster('staging', 'production', [workload('cart', 1)]),
          environment: undefined,
        } as MeshResponse['clusters'][number]),
      });
      expect(result.inferred).toBe('test');
      expect(result.evidence.find(e => e.fact === 'runsIn')?.detail).toMatch(
        /cluster staging has no environment; assumed testing from its name/,
      );
    });

    it('falls back to production when neither names one, and says so', () => {
      const result = inferPhase({
        declaration: declaration(),
        mesh: mesh(cluster('eu-west-1', 'blue', [workload('cart', 3)])),
      });
      expect(result.inferred).toBe('operate');
      expect(result.evidence.find(e => e.fact === 'runsIn')?.detail).toMatch(
        /environment "blue" names none; assumed production \(set meshLifecycle.clusters\[\].environment\)/,
      );
    });
  });
});
