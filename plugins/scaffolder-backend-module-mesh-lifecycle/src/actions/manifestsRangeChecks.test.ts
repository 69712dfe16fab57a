import { InputError } from '@backstage/errors';
import { INT32_MAX, UINT32_MAX } from '../inputChecks';
import {
  MESH_MANIFEST_LIMITS as L,
  MeshManifestsInput,
  buildMeshManifests,
} from './buildMeshManifests';
import { createManifestsGenerateAction } from './manifestsGenerate';

type Overrides = Partial<MeshManifestsInput>;

const base: MeshManifestsInput = {
  name: 'cart',
  namespace: 'shop',
  image: 'cart:1',
};

function build(overrides: Overrides) {
  return buildMeshManifests({ ...base, ...overrides });
}

function refusal(overrides: Overrides): unknown {
  try {
    build(overrides);
  } catch (e) {
    return e;
  }
  return undefined;
}

const HEX64 = 'a'.repeat(64);

/**
 * Per range check: the field named, values refused, and the boundary
 * values accepted.
 */
const RANGE_CHECKS: Array<[string, Overrides[], Overrides[]]> = [
  [
    'replicas',
    [{ replicas: L.replicas + 1 }, { replicas: 1e9 }, { replicas: -1 }],
    [{ replicas: L.replicas }, { replicas: 0 }],
  ],
  [
    'traffic.retries.attempts',
    [
      { traffic: { retries: { attempts: L.retryAttempts + 1 } } },
      { traffic: { retries: { attempts: 1e6 } } },
    ],
    [{ traffic: { retries: { attempts: L.retryAttempts } } }],
  ],
  [
    'outlierDetection.consecutive5xxErrors',
    [
      { outlierDetection: { consecutive5xxErrors: UINT32_MAX + 1 } },
      { outlierDetection: { consecutive5xxErrors: -1 } },
    ],
    [
      { outlierDetection: { consecutive5xxErrors: UINT32_MAX } },
      { outlierDetection: { consecutive5xxErrors: 0 } },
    ],
  ],
  [
    'outlierDetection.maxEjectionPercent',
    [{ outlierDetection: { maxEjectionPercent: 101 } }],
    [{ outlierDetection: { maxEjectionPercent: 100 } }],
  ],
  [
    'connectionPool.maxConnections',
    [
      { connectionPool: { maxConnections: INT32_MAX + 1 } },
      { connectionPool: { maxConnections: 0 } },
    ],
    [{ connectionPool: { maxConnections: INT32_MAX } }],
  ],
  [
    'connectionPool.http1MaxPendingRequests',
    [{ connectionPool: { http1MaxPendingRequests: INT32_MAX + 1 } }],
    [{ connectionPool: { http1MaxPendingRequests: INT32_MAX } }],
  ],
  [
    'connectionPool.maxRequestsPerConnection',
    [{ connectionPool: { maxRequestsPerConnection: INT32_MAX + 1 } }],
    [
      { connectionPool: { maxRequestsPerConnection: INT32_MAX } },
      { connectionPool: { maxRequestsPerConnection: 0 } },
    ],
  ],
  [
    'ports[0].port',
    [{ ports: [{ port: 65536 }] }, { ports: [{ port: 0 }] }],
    [{ ports: [{ port: 65535 }] }, { ports: [{ port: 1 }] }],
  ],
  [
    'monitoring.port',
    [{ monitoring: { port: 65536 } }],
    [{ monitoring: { port: 65535 } }],
  ],
  [
    'resources.limits.cpu',
    [
      {
        resources: { requests: { cpu: '1' }, limits: { cpu: '999m' } },
      },
      // Above the default limit of 500m.
      { resources: { requests: { cpu: '1' } } },
    ],
    [
      { resources: { requests: { cpu: '1' }, limits: { cpu: '1000m' } } },
      { resources: { requests: { cpu: '500m' }, limits: { cpu: '0.5' } } },
    ],
  ],
  [
    'resources.limits.memory',
    [
      {
        resources: {
          requests: { memory: '1Gi' },
          limits: { memory: '1000Mi' },
        },
      },
      // 1G is less than 1Gi.
      { resources: { requests: { memory: '1Gi' }, limits: { memory: '1G' } } },
    ],
    [
      {
        resources: {
          requests: { memory: '1Gi' },
          limits: { memory: '1024Mi' },
        },
      },
    ],
  ],
  [
    'image',
    [
      { image: 'cart 1' },
      { image: 'Shop/Cart:1' },
      { image: 'cart:' },
      { image: ':1' },
      { image: 'cart:-1' },
      { image: 'cart@sha256:abc' },
      { image: `cart@md5:${HEX64}` },
      { image: `cart@sha256:${'A'.repeat(64)}` },
      { image: 'registry.example.com:port/cart' },
      { image: 'cart//x' },
      { image: `${'a'.repeat(256)}:1` },
      { image: '' },
    ],
    [
      { image: 'cart' },
      { image: 'Registry.Example.com:5000/shop/cart_v2__x--y.z:1.0.0-rc.1' },
      { image: `cart@sha256:${HEX64}` },
      { image: `registry.example.com/cart:1@sha256:${HEX64}` },
      { image: '[fd00::1]:5000/cart' },
      { image: `${'a'.repeat(255)}:${'t'.repeat(128)}` },
    ],
  ],
  [
    'probes.readiness.path',
    [
      { probes: { readiness: { path: '/he alth' } } },
      { probes: { readiness: { path: 'health' } } },
      { probes: { readiness: { path: '/health\n' } } },
      { probes: { readiness: { path: '/health\u0000' } } },
    ],
    [
      { probes: { readiness: { path: '/' } } },
      { probes: { readiness: { path: '/health?deep=1' } } },
    ],
  ],
  [
    'probes.liveness.path',
    [{ probes: { liveness: { path: '/live\t' } } }],
    [{ probes: { liveness: { path: '/live' } } }],
  ],
  [
    'probes.readiness.initialDelaySeconds',
    [{ probes: { readiness: { initialDelaySeconds: L.probeSeconds + 1 } } }],
    [{ probes: { readiness: { initialDelaySeconds: L.probeSeconds } } }],
  ],
  [
    'probes.liveness.periodSeconds',
    [
      { probes: { liveness: { periodSeconds: L.probeSeconds + 1 } } },
      { probes: { liveness: { periodSeconds: 0 } } },
    ],
    [{ probes: { liveness: { periodSeconds: L.probeSeconds } } }],
  ],
  [
    'probes.readiness.failureThreshold',
    [
      {
        probes: {
          readiness: { failureThreshold: L.probeFailureThreshold + 1 },
        },
      },
    ],
    [{ probes: { readiness: { failureThreshold: L.probeFailureThreshold } } }],
  ],
  [
    'monitoring.path',
    [{ monitoring: { path: '/met rics' } }],
    [{ monitoring: { path: '/stats/prometheus' } }],
  ],
  [
    'traffic.timeout',
    [
      { traffic: { timeout: '0s' } },
      { traffic: { timeout: '0.5ms' } },
      { traffic: { timeout: '1.0005s' } },
      { traffic: { timeout: '25h' } },
      { traffic: { timeout: '24.001h' } },
      { traffic: { timeout: '5' } },
      { traffic: { timeout: '1d' } },
      { traffic: { timeout: '-1s' } },
    ],
    [
      { traffic: { timeout: '1ms' } },
      { traffic: { timeout: '0.001s' } },
      { traffic: { timeout: '1.5s' } },
      { traffic: { timeout: '24h' } },
      { traffic: { timeout: '1440m' } },
    ],
  ],
  [
    'traffic.retries.perTryTimeout',
    [{ traffic: { retries: { perTryTimeout: '0ms' } } }],
    [{ traffic: { retries: { perTryTimeout: '1ms' } } }],
  ],
  [
    'connectionPool.connectTimeout',
    [{ connectionPool: { connectTimeout: '0.1ms' } }],
    [{ connectionPool: { connectTimeout: '1ms' } }],
  ],
  [
    'outlierDetection.interval',
    [{ outlierDetection: { interval: '86400001ms' } }],
    [{ outlierDetection: { interval: '86400000ms' } }],
  ],
  [
    'outlierDetection.baseEjectionTime',
    [{ outlierDetection: { baseEjectionTime: '0h' } }],
    [{ outlierDetection: { baseEjectionTime: '24h' } }],
  ],
  [
    'alerts.p95LatencyMs',
    [
      { alerts: { p95LatencyMs: L.p95LatencyMs } },
      { alerts: { p95LatencyMs: 0 } },
    ],
    [{ alerts: { p95LatencyMs: L.p95LatencyMs - 1 } }],
  ],
  [
    'hpa.maxReplicas',
    [{ hpa: { maxReplicas: L.replicas + 1 } }],
    [{ hpa: { maxReplicas: L.replicas } }],
  ],
  [
    'hpa.minReplicas',
    [{ hpa: { minReplicas: L.replicas + 1, maxReplicas: L.replicas } }],
    [{ hpa: { minReplicas: L.replicas, maxReplicas: L.replicas } }],
  ],
  [
    'hpa.cpuUtilizationPercent',
    [
      // Limits 500m over requests 100m by default: at most 500%.
      { hpa: { cpuUtilizationPercent: 501 } },
      {
        resources: { requests: { cpu: '300m' }, limits: { cpu: '900m' } },
        hpa: { cpuUtilizationPercent: 301 },
      },
      { hpa: { cpuUtilizationPercent: 0 } },
    ],
    [
      { hpa: { cpuUtilizationPercent: 500 } },
      {
        resources: { requests: { cpu: '300m' }, limits: { cpu: '900m' } },
        hpa: { cpuUtilizationPercent: 300 },
      },
    ],
  ],
  [
    'resources.requests.cpu',
    [{ resources: { requests: { cpu: '0' } }, hpa: {} }],
    [{ resources: { requests: { cpu: '0' } } }],
  ],
];

describe('mesh:manifests:generate range checks', () => {
  describe.each(RANGE_CHECKS)('%s', (field, refused, accepted) => {
    it.each(refused.map(o => [JSON.stringify(o), o]))(
      'refuses %s with an InputError naming the field',
      (_shown, overrides) => {
        const error = refusal(overrides);
        expect(error).toBeInstanceOf(InputError);
        expect((error as Error).message).toMatch(
          new RegExp(`^Input ${field.replace(/[[\].]/g, '\\$&')} must be `),
        );
      },
    );

    it.each(accepted.map(o => [JSON.stringify(o), o]))(
      'accepts the boundary %s',
      (_shown, overrides) => {
        expect(refusal(overrides)).toBeUndefined();
      },
    );
  });

  it('writes the boundary values as given', () => {
    const objects = build({
      replicas: L.replicas,
      outlierDetection: { consecutive5xxErrors: UINT32_MAX },
      traffic: { retries: { attempts: L.retryAttempts } },
    }).map(m => m.object);
    expect(JSON.stringify(objects)).toContain(
      `"consecutive5xxErrors":${UINT32_MAX}`,
    );
    expect(JSON.stringify(objects)).toContain(`"replicas":${L.replicas}`);
    expect(JSON.stringify(objects)).toContain(`"attempts":${L.retryAttempts}`);
  });

  it('states the same bounds in the action schema, for the form and the scaffolder', () => {
    const schema = createManifestsGenerateAction().schema?.input as {
      properties: Record<string, JsonSchema>;
    };
    const p = schema.properties;
    expect(p.replicas).toMatchObject({ minimum: 0, maximum: L.replicas });
    expect(p.traffic.properties?.retries.properties?.attempts).toMatchObject({
      minimum: 0,
      maximum: L.retryAttempts,
    });
    expect(p.outlierDetection.properties?.consecutive5xxErrors).toMatchObject({
      maximum: UINT32_MAX,
    });
    expect(p.connectionPool.properties?.maxConnections).toMatchObject({
      maximum: INT32_MAX,
    });
    expect(p.hpa.properties?.maxReplicas).toMatchObject({
      maximum: L.replicas,
    });
  });
});

interface JsonSchema {
  minimum?: number;
  maximum?: number;
  properties?: Record<string, JsonSchema>;
}
