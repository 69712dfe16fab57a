import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import {
  KubernetesEmulator,
  TokenIdentity,
  bookinfoModel,
  clusterRoleRules,
  startKubernetesEmulator,
  startPrometheus,
  toOpenMetrics,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-test-utils';
import { join } from 'path';
import { ServiceFactory } from '@backstage/backend-plugin-api';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { Entity } from '@backstage/catalog-model';
import { createServiceEntity } from '@mesh-lifecycle/plugin-mesh-lifecycle-test-utils';
import request from 'supertest';
import { Server } from 'node:http';
import { meshLifecyclePermissions } from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
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

jest.setTimeout(60_000);

describe('mesh-lifecycle backend plugin', () => {
  it('answers its health check without credentials', async () => {
    const server = await startBackend();
    const response = await request(server)
      .get('/api/mesh-lifecycle/health')
      .set('authorization', mockCredentials.none.header());
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok' });
  });

  it('publishes its permissions in the permission metadata', async () => {
    const server = await startBackend();
    const response = await request(server)
      .get('/api/mesh-lifecycle/.well-known/backstage/permissions/metadata')
      .set('authorization', mockCredentials.service.header());
    expect(response.status).toBe(200);
    expect(
      response.body.permissions.map((p: { name: string }) => p.name).sort(),
    ).toEqual(meshLifecyclePermissions.map(p => p.name).sort());
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
      // The caches were filled while the backend started: the first view
      // asks the cluster nothing.
      const callsAtStart = prod.calls.count();
      expect(prod.calls.count({ verb: 'watch' })).toBeGreaterThanOrEqual(8);
      const response = await request(server).get(
        '/api/mesh-lifecycle/entities/component/default/checkout-service/mesh',
      );
      expect(response.status).toBe(200);
      expect(prod.calls.count()).toBe(callsAtStart);
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

  /**
   * The plugin with the demo's prod cluster (an emulator seeded from its
   * manifests), given these settings for it and for the plugin.
   */
  async function withProdCluster(
    settings: {
      cluster?: object;
      meshLifecycle?: object;
      tokens?: Record<string, TokenIdentity>;
      entities?: Entity[];
    },
    check: (prod: KubernetesEmulator, server: Server) => Promise<void>,
  ) {
    const prod = await startKubernetesEmulator({
      name: 'prod',
      manifests: join(__dirname, '../../../examples/clusters/prod'),
      tokens: settings.tokens,
    });
    try {
      const { server } = await startTestBackend({
        features: [
          meshLifecyclePlugin,
          catalogServiceMock.factory({
            entities: settings.entities ?? [checkout],
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
                    ...settings.cluster,
                  },
                ],
                ...settings.meshLifecycle,
              },
            },
          }),
        ],
      });
      await check(prod, server);
    } finally {
      await prod.stop();
    }
  }

  it("watches only the namespaces configured for a cluster, and Istio's root namespace", async () => {
    await withProdCluster(
      { cluster: { namespaces: ['shop'] } },
      async (prod, server) => {
        const response = await request(server).get(
          '/api/mesh-lifecycle/entities/component/default/checkout-service/mesh',
        );
        expect(response.status).toBe(200);
        expect(response.body.clusters[0]).toMatchObject({
          status: 'ok',
          mtls: { mode: 'STRICT' },
        });
        expect(response.body.clusters[0].workloads).toHaveLength(2);
        // Mesh-wide policies (mesh-wide.yaml) live in istio-system.
        const scopes = new Set(
          prod.calls
            .list(c => c.verb === 'watch' && c.resource !== 'namespaces')
            .map(c => c.namespace ?? 'every namespace'),
        );
        expect([...scopes].sort()).toEqual(['istio-system', 'shop']);
      },
    );
  });

  it('does not take objects unseen outside the namespaces read for a clean-up', async () => {
    // Retiring, its namespace not named: its objects (in shop) are outside
    // the one namespace the backend reads.
    const retiring = createServiceEntity({
      name: 'checkout-service',
      phase: 'retire',
      cluster: 'prod',
    });
    await withProdCluster(
      { cluster: { namespaces: ['payments'] }, entities: [retiring] },
      async (_prod, server) => {
        const response = await request(server).get(
          '/api/mesh-lifecycle/entities/component/default/checkout-service/lifecycle',
        );
        expect(response.status).toBe(200);
        expect(response.body.gates.from).toBe('retire');
        expect(
          response.body.gates.gates.find(
            (g: { id: string }) => g.id === 'cleaned-up',
          ),
        ).toMatchObject({
          status: 'unknown',
          evidence: [
            'prod: none left in payments, istio-system, the only namespaces read there; name its namespace (backstage.io/kubernetes-namespace) to judge the rest',
          ],
        });
      },
    );
  });

  it('shows everything with only the read-only role of examples/rbac', async () => {
    const rules = clusterRoleRules(
      join(__dirname, '../../../examples/rbac/mesh-lifecycle.yaml'),
      'mesh-lifecycle-read',
    );
    await withProdCluster(
      { tokens: { 'read-only': { user: 'mesh-lifecycle', rules } } },
      async (_prod, server) => {
        const base =
          '/api/mesh-lifecycle/entities/component/default/checkout-service';
        for (const path of [
          `${base}/mesh`,
          `${base}/lifecycle`,
          '/api/mesh-lifecycle/fleet',
          '/api/mesh-lifecycle/validation?cluster=prod&namespace=shop',
        ]) {
          const response = await request(server).get(path);
          expect({ path, status: response.status }).toEqual({
            path,
            status: 200,
          });
          // Manifests and generated identifiers left out: a random uid may
          // hold the digits 403.
          const readable = JSON.stringify(response.body, (key, value) =>
            ['manifest', 'uid', 'resourceVersion'].includes(key)
              ? undefined
              : value,
          );
          expect(readable).not.toMatch(/forbidden|\b403\b/i);
        }
        const mesh = await request(server).get(`${base}/mesh`);
        expect(mesh.body.clusters[0]).toMatchObject({ status: 'ok' });
        expect(mesh.body.clusters[0].workloads).toHaveLength(2);
      },
    );
  });

  it('leaves the caches empty until first used when told not to warm them', async () => {
    await withProdCluster(
      { meshLifecycle: { caches: { warmOnStart: false } } },
      async (prod, server) => {
        expect(prod.calls.count()).toBe(0);
        const response = await request(server).get(
          '/api/mesh-lifecycle/entities/component/default/checkout-service/mesh',
        );
        expect(response.status).toBe(200);
        expect(response.body.clusters[0].workloads).toHaveLength(2);
        expect(prod.calls.count({ verb: 'list' })).toBe(8);
      },
    );
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
      const ranged = await request(server).get(
        `${path}?window=300&range=1800&step=60`,
      );
      expect(ranged.status).toBe(200);
      const { series } = ranged.body.sources[0];
      expect(series.stepSeconds).toBe(60);
      expect(series.requestsPerSecond).toHaveLength(31);
      // Null before the telemetry starts, figures once a window of it exists.
      const points: Array<{ t: number; v: number | null }> =
        series.requestsPerSecond;
      const first = end.getTime() / 1000 - 900;
      expect(points.filter(p => p.t < first).every(p => p.v === null)).toBe(
        true,
      );
      const covered = points.filter(
        p => p.t > first + 300 && p.t <= end.getTime() / 1000,
      );
      expect(covered.length).toBeGreaterThan(5);
      expect(covered.every(p => p.v !== null && p.v > 0)).toBe(true);
      // The range ends on a step boundary, so that replicas answer alike.
      expect(Date.parse(series.end) % 60_000).toBe(0);
      for (const query of [
        'window=5',
        'range=86400000',
        'step=60',
        'range=604800&step=60',
        'window=300&colour=blue',
      ]) {
        const bad = await request(server).get(`${path}?${query}`);
        expect({
          query,
          status: bad.status,
          name: bad.body.error?.name,
        }).toEqual({ query, status: 400, name: 'InputError' });
      }
    } finally {
      await prometheus.stop();
    }
  });

  it('serves the dependencies and alerts of a service from the configured Prometheus', async () => {
    const end = new Date(Date.now() - 60_000);
    const prometheus = await startPrometheus({
      backfill: toOpenMetrics(bookinfoModel(), {
        start: new Date(end.getTime() - 900_000),
        end,
        stepSeconds: 30,
      }),
      rules: {
        groups: [
          {
            name: 'bookinfo',
            rules: [
              {
                alert: 'ReviewsServing',
                expr: 'sum(rate(istio_requests_total{reporter="destination",destination_service_name="reviews"}[10m])) > 0',
                labels: { severity: 'info' },
                annotations: { summary: 'reviews takes traffic' },
              },
              {
                alert: 'RatingsServing',
                expr: 'sum(rate(istio_requests_total{reporter="destination",destination_service_name="ratings"}[10m])) > 0',
              },
            ],
          },
        ],
      },
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
              createServiceEntity({
                name: 'productpage',
                kubernetesNamespace: 'bookinfo',
                owner: 'group:default/team-pages',
              }),
            ],
          }),
          mockServices.rootConfig.factory({
            data: { meshLifecycle: { prometheus: { url: prometheus.url } } },
          }),
        ],
      });
      const path = '/api/mesh-lifecycle/entities/component/default/reviews';
      const dependencies = await request(server).get(
        `${path}/dependencies?window=600`,
      );
      expect(dependencies.status).toBe(200);
      const [source] = dependencies.body.sources;
      expect(source.status).toBe('ok');
      expect(source.callers).toEqual([
        expect.objectContaining({
          service: 'productpage',
          entities: [
            expect.objectContaining({
              entityRef: 'component:default/productpage',
              owner: 'group:default/team-pages',
            }),
          ],
        }),
      ]);
      expect(source.callees.map((c: { service: string }) => c.service)).toEqual(
        ['ratings'],
      );
      const bad = await request(server).get(`${path}/dependencies?window=1`);
      expect(bad.status).toBe(400);

      // The rules are evaluated every second: wait for the first evaluation.
      let rules: Array<{ name: string; state: string }> = [];
      for (let i = 0; i < 100 && rules[0]?.state !== 'firing'; i++) {
        await new Promise(resolve => setTimeout(resolve, 200));
        const alerts = await request(server).get(`${path}/alerts`);
        expect(alerts.status).toBe(200);
        rules = alerts.body.sources[0].rules;
      }
      expect(rules.map(r => [r.name, r.state])).toEqual([
        ['ReviewsServing', 'firing'],
      ]);
    } finally {
      await prometheus.stop();
    }
  });
});
