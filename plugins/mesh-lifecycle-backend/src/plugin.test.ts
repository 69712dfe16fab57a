import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import {
  bookinfoModel,
  startKubernetesEmulator,
  startPrometheus,
  toOpenMetrics,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-test-utils';
import { join } from 'path';
import { ServiceFactory } from '@backstage/backend-plugin-api';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { createServiceEntity } from '@mesh-lifecycle/plugin-mesh-lifecycle-test-utils';
import request from 'supertest';
import { meshLifecyclePlugin } from './plugin';

const checkout = createServiceEntity({
  name: 'checkout-service',
  phase: 'deploy',
  kubernetesNamespace: 'shop',
  cluster: 'prod',
});
const broken = createServiceEntity({
  name: 'broken-service',
  kubernetesNamespace: 'Not A Namespace',
});

async function startBackend(
  catalog: ServiceFactory = catalogServiceMock.factory({
    entities: [checkout, broken],
  }),
) {
  const { server } = await startTestBackend({
    features: [meshLifecyclePlugin, catalog],
  });
  return server;
}

describe('mesh-lifecycle backend plugin', () => {
  it('answers its health check without credentials', async () => {
    const server = await startBackend();
    const response = await request(server)
      .get('/api/mesh-lifecycle/health')
      .set('authorization', mockCredentials.none.header());
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok' });
  });

  it('returns the validated declaration of a service', async () => {
    const server = await startBackend();
    const response = await request(server).get(
      '/api/mesh-lifecycle/entities/component/default/checkout-service/declaration',
    );
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      entityRef: 'component:default/checkout-service',
      target: {
        kubernetesId: 'checkout-service',
        namespace: 'shop',
        cluster: 'prod',
      },
      declaredPhase: { phase: 'deploy', source: 'annotation' },
      thresholds: {},
    });
  });

  it('reads the catalog with the caller credentials', async () => {
    const catalog = catalogServiceMock.mock({
      getEntityByRef: jest.fn().mockResolvedValue(checkout),
    });
    const server = await startBackend(catalog.factory);
    await request(server)
      .get(
        '/api/mesh-lifecycle/entities/component/default/checkout-service/declaration',
      )
      .set('authorization', mockCredentials.user.header('user:default/ana'))
      .expect(200);
    expect(catalog.getEntityByRef).toHaveBeenCalledWith(
      { kind: 'component', namespace: 'default', name: 'checkout-service' },
      { credentials: mockCredentials.user('user:default/ana') },
    );
  });

  it('rejects callers without credentials', async () => {
    const server = await startBackend();
    const response = await request(server)
      .get(
        '/api/mesh-lifecycle/entities/component/default/checkout-service/declaration',
      )
      .set('authorization', mockCredentials.none.header());
    expect(response.status).toBe(401);
  });

  it('answers 404 for an entity the caller cannot see', async () => {
    const server = await startBackend();
    const response = await request(server).get(
      '/api/mesh-lifecycle/entities/component/default/nowhere/declaration',
    );
    expect(response.status).toBe(404);
    expect(response.body.error.name).toBe('NotFoundError');
  });

  it('answers 400 naming the malformed annotation', async () => {
    const server = await startBackend();
    const response = await request(server).get(
      '/api/mesh-lifecycle/entities/component/default/broken-service/declaration',
    );
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({
      name: 'InputError',
      message: expect.stringContaining(
        'Annotation backstage.io/kubernetes-namespace of component:default/broken-service',
      ),
    });
  });

  it('serves the mesh of a service from the configured clusters, each reporting on its own', async () => {
    const prod = await startKubernetesEmulator({
      name: 'prod',
      manifests: join(__dirname, '../../../examples/clusters/prod'),
    });
    try {
      const { server } = await startTestBackend({
        features: [
          meshLifecyclePlugin,
          catalogServiceMock.factory({
            entities: [
              createServiceEntity({
                name: 'checkout-service',
                kubernetesNamespace: 'shop',
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
                    environment: 'production',
                    serviceAccountToken: prod.token,
                    allowInsecureHttp: true,
                  },
                  {
                    name: 'gone',
                    url: 'http://127.0.0.1:1',
                    serviceAccountToken: 'x',
                    allowInsecureHttp: true,
                  },
                ],
                timeouts: { cluster: '2s' },
              },
            },
          }),
        ],
      });
      const response = await request(server).get(
        '/api/mesh-lifecycle/entities/component/default/checkout-service/mesh',
      );
      expect(response.status).toBe(200);
      expect(response.body.entityRef).toBe(
        'component:default/checkout-service',
      );
      const [okCluster, goneCluster] = response.body.clusters;
      expect(okCluster).toMatchObject({
        source: 'prod',
        status: 'ok',
        environment: 'production',
        mtls: { mode: 'STRICT' },
      });
      expect(okCluster.workloads).toHaveLength(2);
      expect(goneCluster).toMatchObject({ source: 'gone', status: 'error' });
      expect(JSON.stringify(response.body)).not.toContain(prod.token);
    } finally {
      await prod.stop();
    }
  });

  it('serves the traffic of a service from the configured Prometheus', async () => {
    const end = new Date(Date.now() - 60_000);
    const prometheus = await startPrometheus({
      backfill: toOpenMetrics(bookinfoModel(), {
        start: new Date(end.getTime() - 900_000),
        end,
        stepSeconds: 30,
      }),
    });
    try {
      const { server } = await startTestBackend({
        features: [
          meshLifecyclePlugin,
          catalogServiceMock.factory({
            entities: [
              createServiceEntity({
                name: 'reviews',
                kubernetesNamespace: 'bookinfo',
              }),
            ],
          }),
          mockServices.rootConfig.factory({
            data: { meshLifecycle: { prometheus: { url: prometheus.url } } },
          }),
        ],
      });
      const path =
        '/api/mesh-lifecycle/entities/component/default/reviews/traffic';
      const response = await request(server).get(`${path}?window=600`);
      expect(response.status).toBe(200);
      expect(response.body.windowSeconds).toBe(600);
      const [source] = response.body.sources;
      expect(source.status).toBe('ok');
      expect(source.figures.requestsPerSecond).toBeGreaterThan(0);
      expect(
        source.figures.versions.map((v: { version: string }) => v.version),
      ).toEqual(['v1', 'v2']);
      const bad = await request(server).get(`${path}?window=5`);
      expect(bad.status).toBe(400);
      expect(bad.body.error.name).toBe('InputError');
    } finally {
      await prometheus.stop();
    }
  });
});
