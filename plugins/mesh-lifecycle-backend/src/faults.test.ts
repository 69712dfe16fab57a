import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  KubernetesEmulator,
  MeshModel,
  PrometheusInstance,
  createServiceEntity,
  startKubernetesEmulator,
  startPrometheus,
  toOpenMetrics,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-test-utils';
import { Server } from 'http';
import { join } from 'path';
import request from 'supertest';
import { meshLifecyclePlugin } from './plugin';

jest.setTimeout(60_000);

const manifests = join(__dirname, '../../../examples/clusters');

/** The checkout canary's traffic, as prod's Istio reports it. */
const model: MeshModel = {
  seed: 7,
  cluster: 'prod',
  services: [
    {
      name: 'checkout-service',
      namespace: 'shop',
      versions: [
        { version: 'v1', weight: 90 },
        { version: 'v2', weight: 10 },
      ],
      latencyMs: { kind: 'lognormal', medianMs: 30, p95Ms: 150 },
      errorRatio5xx: 0.01,
    },
  ],
  edges: [
    {
      source: 'unknown',
      destination: 'checkout-service',
      requestsPerSecond: 20,
    },
  ],
};

interface Outcome {
  source: string;
  status: 'ok' | 'error';
  error?: { name: string; message: string };
}

/**
 * The plugin in a test backend against several clusters that fail in
 * different ways and a Prometheus that is down: each failing source is
 * reported on its own and the rest is answered.
 */
describe('mesh-lifecycle backend with failing sources', () => {
  const end = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 60_000);
  let prod: KubernetesEmulator;
  let dev: KubernetesEmulator;
  let flaky: KubernetesEmulator;
  let slow: KubernetesEmulator;
  let locked: KubernetesEmulator;
  let prometheus: PrometheusInstance;
  let server: Server;

  beforeAll(async () => {
    [prod, dev, flaky, slow, locked] = await Promise.all([
      startKubernetesEmulator({
        name: 'prod',
        manifests: join(manifests, 'prod'),
      }),
      startKubernetesEmulator({
        name: 'dev',
        manifests: join(manifests, 'dev'),
        istioNetworkingVersions: ['v1beta1'],
        istioSecurityVersions: ['v1beta1'],
      }),
      startKubernetesEmulator({ name: 'flaky' }),
      startKubernetesEmulator({ name: 'slow' }),
      startKubernetesEmulator({ name: 'locked' }),
    ]);
    flaky.faults.add({ path: /deployments/, status: 500 });
    slow.faults.add({ path: /./, latencyMs: 5_000 });
    prometheus = await startPrometheus({
      backfill: toOpenMetrics(model, {
        start: new Date(end.getTime() - 900_000),
        end,
        stepSeconds: 30,
      }),
    });
    const cluster = (
      emulator: KubernetesEmulator,
      extra: Record<string, unknown> = {},
    ) => ({
      name: emulator.name,
      url: emulator.url,
      serviceAccountToken: emulator.token,
      allowInsecureHttp: true,
      prometheus: { url: prometheus.url },
      ...extra,
    });
    ({ server } = await startTestBackend({
      features: [
        meshLifecyclePlugin,
        catalogServiceMock.factory({
          entities: [
            createServiceEntity({
              name: 'checkout-service',
              kubernetesNamespace: 'shop',
            }),
            createServiceEntity({
              name: 'loyalty-service',
              kubernetesNamespace: 'shop-dev',
              cluster: 'dev',
            }),
          ],
        }),
        mockServices.rootConfig.factory({
          data: {
            meshLifecycle: {
              clusters: [
                cluster(prod),
                cluster(dev),
                cluster(flaky, {
                  prometheus: { url: 'http://127.0.0.1:1' },
                }),
                cluster(slow),
                cluster(locked, {
                  serviceAccountToken: 'not-the-token-6b1f',
                }),
              ],
              timeouts: { cluster: '1s', prometheus: '2s' },
            },
          },
        }),
      ],
    }));
  });

  afterAll(async () => {
    await prometheus?.stop();
    await Promise.all(
      [prod, dev, flaky, slow, locked].map(emulator => emulator?.stop()),
    );
  });

  const get = (name: string, route: string) =>
    request(server).get(
      `/api/mesh-lifecycle/entities/component/default/${name}/${route}`,
    );

  it('reports a 500, a timeout and a refused token per cluster, and answers from the rest', async () => {
    const response = await get('checkout-service', 'mesh');
    expect(response.status).toBe(200);
    const clusters: Outcome[] = response.body.clusters;
    const byName = Object.fromEntries(clusters.map(c => [c.source, c]));
    expect(Object.keys(byName)).toEqual([
      'prod',
      'dev',
      'flaky',
      'slow',
      'locked',
    ]);
    expect(byName.prod.status).toBe('ok');
    expect(byName.dev.status).toBe('ok');
    expect(byName.flaky).toMatchObject({
      status: 'error',
      error: { message: expect.stringMatching(/500/) },
    });
    expect(byName.slow).toMatchObject({
      status: 'error',
      error: { message: expect.stringMatching(/within 1000 ms/) },
    });
    expect(byName.locked).toMatchObject({
      status: 'error',
      error: { message: expect.stringMatching(/401|Unauthorized/i) },
    });
    expect(JSON.stringify(response.body)).not.toContain('not-the-token-6b1f');
    expect(JSON.stringify(response.body)).not.toContain(prod.token);
  });

  it('reads Istio in v1beta1 on the cluster that serves no v1', async () => {
    const response = await get('loyalty-service', 'mesh');
    const [devCluster] = response.body.clusters;
    expect(devCluster).toMatchObject({
      source: 'dev',
      status: 'ok',
      istioNetworkingVersion: 'v1beta1',
    });
    expect(
      devCluster.istioObjects.map(
        (o: { kind: string; apiVersion: string }) =>
          `${o.kind} ${o.apiVersion}`,
      ),
    ).toContain('VirtualService networking.istio.io/v1beta1');
  });

  it('reports a Prometheus that is down as that source, and serves the figures of the other', async () => {
    const response = await get('checkout-service', 'traffic?window=300');
    expect(response.status).toBe(200);
    const sources: Array<
      Outcome & { figures?: { requestsPerSecond: number } }
    > = response.body.sources;
    const down = sources.find(s => s.source === 'prometheus 127.0.0.1:1');
    expect(down).toMatchObject({
      status: 'error',
      error: { message: expect.stringMatching(/unreachable/) },
    });
    const up = sources.find(s => s.status === 'ok');
    expect(up?.source).toBe(`prometheus ${new URL(prometheus.url).host}`);
    expect(up?.figures?.requestsPerSecond).toBeGreaterThan(0);
  });

  it('answers a second page view without a cluster call', async () => {
    await get('checkout-service', 'mesh').expect(200);
    await get('checkout-service', 'traffic').expect(200);
    const before = [prod.calls.count(), dev.calls.count()];
    for (let i = 0; i < 3; i++) {
      await get('checkout-service', 'mesh').expect(200);
      await get('checkout-service', 'traffic').expect(200);
    }
    expect([prod.calls.count(), dev.calls.count()]).toEqual(before);
  });
});
