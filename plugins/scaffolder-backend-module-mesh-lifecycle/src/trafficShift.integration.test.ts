import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import {
  TrafficShiftsResponse,
  meshTrafficShiftPermission,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
// The whole portal side of a shift: the scaffolder runs it, our backend
// plugin judges and records it.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import meshLifecyclePlugin from '@mesh-lifecycle/plugin-mesh-lifecycle-backend';
import {
  EXTERNAL_SOURCE,
  JsonObject,
  KubernetesEmulator,
  MeshModel,
  PrometheusInstance,
  TelemetryExporter,
  followVirtualServices,
  runScaffolderTask,
  setRouteWeights,
  startKubernetesEmulator,
  startPrometheus,
  startTelemetryExporter,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-test-utils';
import { Server } from 'node:http';
import path from 'node:path';
import meshLifecycleModule from '.';
import {
  backendCaller,
  meshLifecycleServiceAccount,
  meshLifecycleTestConfig,
  permissionsDenying,
  templateEntity,
} from './__testUtils__/testBackend';

// Each shift step runs for its pause in real time (10 s here).
jest.setTimeout(180_000);

const VS = { namespace: 'shop', name: 'checkout-service' };
const CHECKOUT = 'component:default/checkout-service';
const OUTSIDER = 'user:default/outsider';
const ISTIO_CLUSTER = 'prod-mesh';

/** checkout-service as the demo catalog declares it: p95 500 ms, 5xx 0.5 %. */
const checkoutEntity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'checkout-service',
    namespace: 'default',
    annotations: {
      'backstage.io/kubernetes-id': 'checkout-service',
      'backstage.io/kubernetes-namespace': 'shop',
      'backstage.io/kubernetes-cluster': 'prod',
      'mesh-lifecycle.io/p95-latency-ms': '500',
      'mesh-lifecycle.io/error-ratio-percent': '0.5',
    },
  },
  spec: { type: 'service', lifecycle: 'production', owner: 'team-commerce' },
};

/** checkout-service's traffic: 40 req/s from outside, v2's 5xx ratio as given. */
function checkoutModel(v2ErrorRatio: number): MeshModel {
  return {
    seed: 7,
    jitter: 0,
    cluster: ISTIO_CLUSTER,
    services: [
      {
        name: 'checkout-service',
        namespace: 'shop',
        versions: [
          { version: 'v1', weight: 90 },
          { version: 'v2', weight: 10, errorRatio5xx: v2ErrorRatio },
        ],
        latencyMs: { kind: 'lognormal', medianMs: 30, p95Ms: 120 },
      },
    ],
    edges: [
      {
        source: EXTERNAL_SOURCE,
        destination: 'checkout-service',
        requestsPerSecond: 40,
      },
    ],
  };
}

describe('mesh:traffic:shift through the scaffolder, on an emulated cluster and a real Prometheus', () => {
  let emulator: KubernetesEmulator;
  let exporter: TelemetryExporter;
  let prometheus: PrometheusInstance;
  let follower: { stop(): void } | undefined;
  let server: Server;
  let stopBackend: () => Promise<void>;

  const { url, call } = backendCaller(() => server);

  /** The split of checkout-service's default route on the cluster. */
  const split = () => {
    const vs = emulator.get(
      'networking.istio.io/v1',
      'VirtualService',
      VS.namespace,
      VS.name,
    ) as {
      spec: {
        http: Array<{
          route: Array<{ destination: { subset: string }; weight: number }>;
        }>;
      };
    };
    return Object.fromEntries(
      vs.spec.http[0].route.map(r => [r.destination.subset, r.weight]),
    );
  };

  /** Weight writes to the VirtualService since the last reset. */
  const writes = () =>
    emulator.calls.count({
      verb: 'patch',
      resource: 'virtualservices',
      name: VS.name,
    });

  /** Traffic follows the cluster's weights, with v2 failing this much. */
  const serveTraffic = (v2ErrorRatio: number) => {
    follower?.stop();
    follower = followVirtualServices({
      emulator,
      exporter,
      model: checkoutModel(v2ErrorRatio),
      intervalMs: 200,
    });
  };

  const run = (
    template: string,
    values: JsonObject,
    authorization = mockCredentials.user.header(),
  ) =>
    runScaffolderTask({
      baseUrl: url('/').toString(),
      authorization,
      templateRef: `template:default/${template}`,
      values,
      timeoutMs: 120_000,
    });

  /** A blue-green switch judged over 10 s, as the portal's user. */
  const switchTo = (subset: string) =>
    run('blue-green-switch', { entity: CHECKOUT, subset, pauseSeconds: 10 });

  const shifts = async (): Promise<TrafficShiftsResponse> =>
    call(
      'GET',
      '/api/mesh-lifecycle/entities/component/default/checkout-service/shifts',
    );

  beforeAll(async () => {
    emulator = await startKubernetesEmulator({
      name: 'prod',
      manifests: path.join(__dirname, '../../../examples/clusters/prod'),
      tokens: meshLifecycleServiceAccount(),
    });
    exporter = await startTelemetryExporter(checkoutModel(0));
    prometheus = await startPrometheus({
      scrapeTargets: [{ job: 'istio-mesh', url: exporter.url, interval: '1s' }],
    });
    const backend = await startTestBackend({
      features: [
        scaffolderPlugin,
        meshLifecycleModule,
        meshLifecyclePlugin,
        catalogServiceMock.factory({
          entities: [
            checkoutEntity,
            await templateEntity('canary-release'),
            await templateEntity('blue-green-switch'),
          ],
        }),
        // The outsider may run templates, not shift traffic.
        permissionsDenying(meshTrafficShiftPermission.name, OUTSIDER),
        mockServices.rootConfig.factory({
          data: {
            meshLifecycle: meshLifecycleTestConfig({
              emulator,
              name: 'prod',
              istioClusterId: ISTIO_CLUSTER,
              prometheusUrl: prometheus.url,
            }),
          },
        }),
      ],
    });
    server = backend.server;
    stopBackend = () => backend.stop();
  });

  beforeEach(() => {
    setRouteWeights(emulator, VS, { v1: 90, v2: 10 });
    emulator.calls.reset();
  });

  afterAll(async () => {
    follower?.stop();
    await stopBackend?.();
    await prometheus?.stop();
    await exporter?.stop();
    await emulator?.stop();
  });

  it('promotes a healthy canary to 100 %, judging each step, and records it', async () => {
    serveTraffic(0);
    const result = await run('canary-release', {
      entity: CHECKOUT,
      subset: 'v2',
      steps: [50, 100],
      pauseSeconds: 10,
    });
    expect({ status: result.status, log: result.log }).toMatchObject({
      status: 'completed',
    });
    expect(split()).toEqual({ v1: 0, v2: 100 });
    expect(writes()).toBe(2);
    expect(result.log).toMatch(/Step 1 analysis of .*\(v2\): pass/);
    expect(result.log).toMatch(/Step 2 analysis of .*\(v2\): pass/);

    const [recorded] = (await shifts()).shifts;
    expect(recorded).toMatchObject({
      entityRef: CHECKOUT,
      cluster: 'prod',
      virtualService: 'checkout-service',
      kind: 'canary',
      outcome: 'completed',
      initiatedBy: 'user:default/mock',
      // The service's own thresholds, from its annotations.
      thresholds: { max5xxPercent: 0.5, maxP95LatencyMs: 500, minRequests: 50 },
    });
    expect(recorded.from.map(d => d.weight)).toEqual([90, 10]);
    expect(recorded.to.map(d => d.weight)).toEqual([0, 100]);
    expect(recorded.steps.map(s => s.verdict)).toEqual(['pass', 'pass']);
    // Measured over the 10 s pause (about 200 requests at 40 req/s, half on
    // v2; fewer on a loaded machine): a pass needs at least minRequests.
    expect(recorded.steps[0].figures.requests).toBeGreaterThanOrEqual(50);
    expect(recorded.steps[0].figures.requests).toBeLessThan(400);
    expect(recorded.steps[0].figures.ratio5xx).toBe(0);
    expect(recorded.finishedAt).toBeDefined();
  });

  it('rolls back a canary whose new version fails, with the figures in the log', async () => {
    serveTraffic(0.05);
    const result = await run('canary-release', {
      entity: CHECKOUT,
      subset: 'v2',
      steps: [50, 100],
      pauseSeconds: 10,
    });
    expect(result.status).toBe('failed');
    expect(split()).toEqual({ v1: 90, v2: 10 });
    // Step 1 written, then the starting weights restored; step 2 never.
    expect(writes()).toBe(2);
    expect(result.log).toMatch(
      /Step 1 analysis of .*\(v2\): fail — 5xx ratio \d+\.\d\d % is above 0\.5 %/,
    );
    expect(result.log).toContain(
      'thresholds: 5xx at most 0.5 %, p95 at most 500 ms, at least 50 requests',
    );
    expect(result.log).toContain(
      'is back at checkout-service.shop.svc.cluster.local (v1) 90 %',
    );

    const [recorded] = (await shifts()).shifts;
    expect(recorded.outcome).toBe('rolled-back');
    expect(recorded.steps).toHaveLength(1);
    expect(recorded.steps[0].figures.ratio5xx).toBeCloseTo(0.05, 2);
    expect(recorded.message).toContain('did not pass');
  });

  it('handles too little traffic as told: rolls back, or goes on', async () => {
    serveTraffic(0);
    const values = {
      entity: CHECKOUT,
      subset: 'v2',
      pauseSeconds: 10,
    };
    const stopped = await run('blue-green-switch', {
      ...values,
      analysis: { minRequests: 1_000_000, onInconclusive: 'fail' },
    });
    expect(stopped.status).toBe('failed');
    expect(stopped.log).toMatch(
      /inconclusive — \d+ requests, fewer than the 1000000 needed to judge/,
    );
    expect(split()).toEqual({ v1: 90, v2: 10 });

    const goneOn = await run('blue-green-switch', {
      ...values,
      analysis: { minRequests: 1_000_000, onInconclusive: 'continue' },
    });
    expect(goneOn.status).toBe('completed');
    expect(split()).toEqual({ v1: 0, v2: 100 });
    const recorded = (await shifts()).shifts.slice(0, 2);
    expect(recorded.map(s => [s.kind, s.outcome, s.steps[0].verdict])).toEqual([
      ['switch', 'completed', 'inconclusive'],
      ['switch', 'rolled-back', 'inconclusive'],
    ]);
  });

  it('resumes a killed task where it was, without writing a step again', async () => {
    serveTraffic(0);
    const { id } = await call('POST', '/api/scaffolder/v2/tasks', {
      templateRef: 'template:default/canary-release',
      values: {
        entity: CHECKOUT,
        subset: 'v2',
        steps: [50, 100],
        pauseSeconds: 10,
      },
    });
    const task = `/api/scaffolder/v2/tasks/${encodeURIComponent(id)}`;
    const until = async (done: () => Promise<boolean>) => {
      for (let i = 0; i < 600 && !(await done()); i++) {
        await new Promise(resolve => setTimeout(resolve, 100));
      }
    };
    // Killed during step 1's pause.
    await until(async () => split().v2 === 50);
    await call('POST', `${task}/cancel`);
    await until(async () =>
      ['cancelled', 'failed'].includes((await call('GET', task)).status),
    );
    expect(split()).toEqual({ v1: 50, v2: 50 });
    expect(writes()).toBe(1);

    await call('POST', `${task}/retry`, {});
    await until(async () =>
      ['completed', 'failed'].includes((await call('GET', task)).status),
    );
    const events: Array<{ body: { message?: string } }> = await call(
      'GET',
      `${task}/events`,
    );
    const log = events.map(e => e.body.message ?? '').join('\n');
    expect({ status: (await call('GET', task)).status, log }).toMatchObject({
      status: 'completed',
    });
    // Where an uninterrupted run ends, with one write per step.
    expect(split()).toEqual({ v1: 0, v2: 100 });
    expect(writes()).toBe(2);
    expect(log.match(/Step 1\/2: .* now routes/g)).toHaveLength(1);
    expect(log.match(/Step 2\/2: .* now routes/g)).toHaveLength(1);
    const [recorded] = (await shifts()).shifts;
    expect(recorded.outcome).toBe('completed');
    expect(recorded.steps.map(s => s.index)).toEqual([1, 2]);
  });

  it('prints every step of a dry run and changes nothing', async () => {
    const before = (await shifts()).shifts.length;
    const result = await run('canary-release', {
      entity: CHECKOUT,
      subset: 'v2',
      steps: [10, 25, 50, 100],
      pauseSeconds: 10,
      dryRun: true,
    });
    expect({ status: result.status, log: result.log }).toMatchObject({
      status: 'completed',
    });
    // 10 % is where it is already: three steps.
    expect(result.log).toContain(
      'Dry run: VirtualService shop/checkout-service would go from checkout-service.shop.svc.cluster.local (v1) 90 % / checkout-service.shop.svc.cluster.local (v2) 10 % in 3 steps, 10 s apart:',
    );
    expect(result.log).toMatch(/step 3: .*\(v1\) 0 % \/ .*\(v2\) 100 %/);
    expect(writes()).toBe(0);
    expect(split()).toEqual({ v1: 90, v2: 10 });
    // Nothing moved, nothing recorded.
    expect((await shifts()).shifts).toHaveLength(before);
  });

  it('refuses a destination that cannot take traffic before writing anything', async () => {
    // v2's pods turn unready.
    const v2Pods = emulator.list(
      'v1',
      'Pod',
      VS.namespace,
      'backstage.io/kubernetes-id=checkout-service,version=v2',
    );
    expect(v2Pods.length).toBeGreaterThan(0);
    const unready = (pod: JsonObject): JsonObject => ({
      ...pod,
      status: {
        ...(pod.status as JsonObject),
        conditions: [{ type: 'Ready', status: 'False' }],
      },
    });
    v2Pods.forEach(pod => emulator.apply(unready(pod)));
    emulator.calls.reset();
    try {
      const result = await switchTo('v2');
      expect(result.status).toBe('failed');
      expect(result.log).toContain(
        `Nothing was written: checkout-service.shop.svc.cluster.local (v2): none of the ${v2Pods.length} pods it selects is ready`,
      );
      expect(writes()).toBe(0);
      // A subset the route does not have is bad input, said as such.
      const unknown = await switchTo('v3');
      expect(unknown.log).toContain(
        'checkout-service.shop.svc.cluster.local (v3) is not a destination of the route',
      );
      expect(writes()).toBe(0);
    } finally {
      v2Pods.forEach(pod => emulator.apply(pod));
    }
  });

  it('leaves a VirtualService Flagger manages alone', async () => {
    const vs = emulator.get(
      'networking.istio.io/v1',
      'VirtualService',
      VS.namespace,
      VS.name,
    ) as JsonObject;
    const metadata = vs.metadata as JsonObject;
    emulator.apply({
      ...vs,
      metadata: {
        ...metadata,
        ownerReferences: [
          {
            apiVersion: 'flagger.app/v1beta1',
            kind: 'Canary',
            name: 'checkout-service',
            uid: '5d1e7c9a-1f0b-4a7e-9d43-0c2b8f6a7e11',
            controller: true,
          },
        ],
      },
    });
    emulator.calls.reset();
    try {
      const result = await switchTo('v2');
      expect(result.status).toBe('failed');
      expect(result.log).toContain(
        'is managed by Flagger (Canary checkout-service): left alone, nothing written',
      );
      expect(writes()).toBe(0);
      expect(split()).toEqual({ v1: 90, v2: 10 });
    } finally {
      emulator.apply({ ...vs, metadata });
    }
  });

  it('refuses a user without the permission, and writes nothing', async () => {
    const before = (await shifts()).shifts.length;
    const result = await run(
      'canary-release',
      { entity: CHECKOUT, subset: 'v2', steps: [100], pauseSeconds: 10 },
      mockCredentials.user.header(OUTSIDER),
    );
    expect(result.status).toBe('failed');
    expect(result.log).toContain(
      'You are not allowed to shift the traffic of component:default/checkout-service (permission mesh-lifecycle.traffic.shift)',
    );
    expect(writes()).toBe(0);
    expect(split()).toEqual({ v1: 90, v2: 10 });
    expect((await shifts()).shifts).toHaveLength(before);
  });
});
