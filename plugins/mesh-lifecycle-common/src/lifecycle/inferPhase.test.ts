import { ClusterMesh, MeshResponse, MeshWorkload } from '../api/mesh';
import { TrafficResponse } from '../api/traffic';
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
});
