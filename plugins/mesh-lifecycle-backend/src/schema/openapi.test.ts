import {
  HttpRouterServiceAuthPolicy,
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { MeshLifecycleClient } from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import express from 'express';
import request from 'supertest';
import { z } from 'zod';
import { meshLifecyclePlugin } from '../plugin';
import { createSchemaValidator, loadApiSpec } from './__testUtils__/apiSpec';
import {
  MatchedAnswer,
  expectMatchesSpec,
} from './__testUtils__/expectMatchesSpec';
import {
  API_TEST_OUTSIDER,
  ApiTestBackend,
  apiTestSilencedAlert,
  startApiTestBackend,
} from './__testUtils__/startApiTestBackend';

// Alert rules and cached answers take seconds to turn over.
jest.setTimeout(60_000);

// Operations the browser has no use for, hence no client method.
const NOT_IN_CLIENT = new Set(['getHealth']);

// The permissions registry (coreServices.permissionsRegistry, which the
// plugin uses to publish its permissions) mounts Backstage's permission
// integration router on the plugin's httpRouter. Backstage owns and
// documents those routes; our spec describes only the plugin's own.
const BACKSTAGE_ROUTES = new Set([
  'get /.well-known/backstage/permissions/metadata',
  'post /.well-known/backstage/permissions/apply-conditions',
]);

function compiles(compile: () => unknown): true | string {
  try {
    compile();
    return true;
  } catch (error) {
    return String(error);
  }
}

describe('the OpenAPI spec', () => {
  it('is a valid OpenAPI document whose schemas compile strictly', async () => {
    const spec = await loadApiSpec();
    expect(spec.document.openapi).toMatch(/^3\.0\./);
    const schemas = Object.entries(spec.document.components?.schemas ?? {});
    expect(schemas.length).toBeGreaterThan(0);
    const ajv = createSchemaValidator();
    for (const [name, schema] of schemas) {
      expect({ name, compiles: compiles(() => ajv.compile(schema)) }).toEqual({
        name,
        compiles: true,
      });
    }
  });

  it('gives every operation a unique id, and the entity routes their error answers', async () => {
    const spec = await loadApiSpec();
    const ids = spec.operations.map(op => op.operation.operationId);
    expect(ids.every(id => typeof id === 'string')).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    for (const op of spec.operations.filter(o =>
      o.path.startsWith('/entities/'),
    )) {
      expect({
        operation: op.operation.operationId,
        statuses: Object.keys(op.operation.responses).sort(),
      }).toEqual({
        operation: op.operation.operationId,
        statuses: expect.arrayContaining(['200', '400', '401', '404', '500']),
      });
    }
  });

  it('has a client method for every operation the browser uses', async () => {
    const spec = await loadApiSpec();
    const missing = spec.operations
      .map(op => op.operation.operationId ?? op.path)
      .filter(id => !NOT_IN_CLIENT.has(id))
      .filter(
        id =>
          typeof Reflect.get(MeshLifecycleClient.prototype, id) !== 'function',
      );
    expect(missing).toEqual([]);
  });
});

const routeLayer = z.object({
  route: z
    .object({
      path: z.string(),
      methods: z.record(z.string(), z.boolean()),
    })
    .optional(),
});

/** The routes of an express router, as `get /path/{param}`. */
function routesOf(router: express.Router): string[] {
  return router.stack.flatMap(layer => {
    const { route } = routeLayer.parse(layer);
    if (!route) return [];
    const path = route.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    return Object.keys(route.methods)
      .filter(method => method !== '_all')
      .map(method => `${method} ${path}`);
  });
}

describe('the routes the plugin registers', () => {
  it('are exactly the operations of the spec, with the same auth policies', async () => {
    const handlers: express.Handler[] = [];
    const policies: HttpRouterServiceAuthPolicy[] = [];
    await startTestBackend({
      features: [
        meshLifecyclePlugin,
        catalogServiceMock.factory(),
        createServiceFactory({
          service: coreServices.httpRouter,
          deps: {},
          factory: () => ({
            use: handler => handlers.push(handler),
            addAuthPolicy: policy => policies.push(policy),
            // WebSockets are beyond what OpenAPI describes.
            addWebSocketHandler: () => {},
          }),
        }),
      ],
    });
    const spec = await loadApiSpec();
    const all = handlers.flatMap(handler =>
      routesOf(handler as express.Router),
    );
    expect(all).toEqual(expect.arrayContaining([...BACKSTAGE_ROUTES]));
    const routes = all.filter(route => !BACKSTAGE_ROUTES.has(route));
    expect(routes.length).toBeGreaterThan(0);
    expect(routes.sort()).toEqual(
      spec.operations.map(op => `${op.method} ${op.path}`).sort(),
    );
    const unauthenticated = spec.operations
      .filter(op => op.operation.security?.length === 0)
      .map(op => op.path);
    expect(
      policies
        .filter(p => p.allow === 'unauthenticated')
        .map(p => p.path)
        .sort(),
    ).toEqual(unauthenticated.sort());
  });
});

describe('the answers of the running plugin', () => {
  let backend: ApiTestBackend;
  const covered: MatchedAnswer[] = [];

  beforeAll(async () => {
    backend = await startApiTestBackend();
  }, 60_000);
  afterAll(async () => {
    await backend?.stop();
  });

  const ENTITY_ROUTES = [
    'declaration',
    'mesh',
    'traffic',
    'dependencies',
    'alerts',
    'lifecycle',
    'history',
    'shifts',
    'retirements',
  ];
  const entity = (name: string, route: string) =>
    `/api/mesh-lifecycle/entities/component/default/${name}/${route}`;
  const check = async (response: request.Response) => {
    covered.push(await expectMatchesSpec(response));
    return response;
  };

  it('documents the health check', async () => {
    const response = await check(
      await request(backend.server)
        .get('/api/mesh-lifecycle/health')
        .set('authorization', mockCredentials.none.header()),
    );
    expect(response.status).toBe(200);
  });

  it('documents the declarations, with and without the optional parts', async () => {
    const full = await check(
      await request(backend.server).get(
        entity('checkout-service', 'declaration'),
      ),
    );
    expect(full.status).toBe(200);
    expect(full.body.thresholds).toEqual({
      p95LatencyMs: 250,
      errorRatioPercent: 1.5,
    });
    const selected = await check(
      await request(backend.server).get(
        entity('checkout-by-selector', 'declaration'),
      ),
    );
    expect(selected.status).toBe(200);
    expect(selected.body.target.labelSelector).toBeDefined();
    expect(selected.body.declaredPhase).toEqual({
      phase: 'retire',
      source: 'spec.lifecycle',
    });
    expect(selected.body.retirementNotified).toBe('2026-11-20');
  });

  it('documents the mesh of a service, from a cluster that answers and one that does not', async () => {
    for (const name of ['checkout-service', 'checkout-by-selector']) {
      const response = await check(
        await request(backend.server).get(entity(name, 'mesh')),
      );
      expect(response.status).toBe(200);
      expect(
        response.body.clusters.map(
          (c: { source: string; status: string }) => `${c.source}:${c.status}`,
        ),
      ).toEqual(['prod:ok', 'gone:error', 'test:ok']);
      expect(response.body.clusters[0].workloads.length).toBeGreaterThan(0);
      expect(response.body.clusters[0].istioObjects.length).toBeGreaterThan(0);
    }
  });

  it('documents the traffic of a service, from a Prometheus that answers and one that does not', async () => {
    const response = await check(
      await request(backend.server).get(
        `${entity('reviews', 'traffic')}?window=600`,
      ),
    );
    expect(response.status).toBe(200);
    const statuses = response.body.sources.map(
      (s: { status: string }) => s.status,
    );
    expect(statuses.sort()).toEqual(['error', 'ok']);
    const ok = response.body.sources.find(
      (s: { status: string }) => s.status === 'ok',
    );
    expect(ok.figures.versions.length).toBeGreaterThan(0);
    expect(ok.series).toBeUndefined();
  });

  it('documents the traffic series over a range, and the Istio cluster a pinned service is restricted to', async () => {
    const ranged = await check(
      await request(backend.server).get(
        `${entity('reviews', 'traffic')}?window=300&range=1800&step=60`,
      ),
    );
    expect(ranged.status).toBe(200);
    const ok = ranged.body.sources.find(
      (s: { status: string }) => s.status === 'ok',
    );
    expect(ok.series.stepSeconds).toBe(60);
    expect(ok.series.requestsPerSecond).toHaveLength(31);
    expect(ok.series.versions.length).toBeGreaterThan(0);
    // Points before the telemetry starts have no figure: null.
    expect(
      ok.series.requestsPerSecond.some((p: { v: unknown }) => p.v === null),
    ).toBe(true);
    expect(
      ok.series.requestsPerSecond.some(
        (p: { v: unknown }) => typeof p.v === 'number',
      ),
    ).toBe(true);

    const pinned = await check(
      await request(backend.server).get(
        `${entity('ratings', 'traffic')}?range=600`,
      ),
    );
    expect(pinned.status).toBe(200);
    expect(pinned.body.sources).toEqual([
      expect.objectContaining({ status: 'ok', istioCluster: 'Kubernetes' }),
    ]);
    expect(pinned.body.sources[0].figures.requestsPerSecond).toBeGreaterThan(0);
    // The default step: the smallest one of at least 10 s.
    expect(pinned.body.sources[0].series.stepSeconds).toBe(10);
  });

  it('documents the dependencies of a service, from a Prometheus that answers and one that does not', async () => {
    const response = await check(
      await request(backend.server).get(
        `${entity('reviews', 'dependencies')}?window=600`,
      ),
    );
    expect(response.status).toBe(200);
    expect(response.body.catalog).toEqual({ source: 'catalog', status: 'ok' });
    const statuses = response.body.sources.map(
      (s: { status: string }) => s.status,
    );
    expect(statuses.sort()).toEqual(['error', 'ok']);
    const ok = response.body.sources.find(
      (s: { status: string }) => s.status === 'ok',
    );
    expect(ok.callers).toEqual([
      expect.objectContaining({
        service: 'productpage',
        declared: true,
        entities: [
          {
            entityRef: 'component:default/productpage',
            owner: 'group:default/team-pages',
          },
        ],
      }),
    ]);
    expect(ok.callees).toEqual([
      expect.objectContaining({
        service: 'ratings',
        declared: false,
        entities: [
          expect.objectContaining({ entityRef: 'component:default/ratings' }),
        ],
      }),
    ]);
    expect(response.body.unobserved).toEqual({
      dependents: [],
      dependencies: [
        expect.objectContaining({
          entityRef: 'component:default/checkout-service',
          via: 'dependsOn',
        }),
      ],
    });

    const pinned = await check(
      await request(backend.server).get(entity('ratings', 'dependencies')),
    );
    expect(pinned.status).toBe(200);
    expect(pinned.body.windowSeconds).toBe(300);
    expect(pinned.body.sources).toEqual([
      expect.objectContaining({ status: 'ok', istioCluster: 'Kubernetes' }),
    ]);
  });

  it('documents the alerts of a service, with the silences that mute them', async () => {
    // The rules are evaluated every second: wait for the first evaluation.
    let response = await check(
      await request(backend.server).get(entity('reviews', 'alerts')),
    );
    const states = () =>
      response.body.sources
        .filter((s: { status: string }) => s.status === 'ok')
        .flatMap((s: { rules: Array<{ name: string; state: string }> }) =>
          s.rules.map(rule => `${rule.name}:${rule.state}`),
        )
        .sort();
    for (
      let i = 0;
      i < 150 &&
      states().join() !== 'ReviewsBusy:pending,ReviewsServing:firing';
      i++
    ) {
      await new Promise(resolve => setTimeout(resolve, 200));
      response = await check(
        await request(backend.server).get(entity('reviews', 'alerts')),
      );
    }
    expect(response.status).toBe(200);
    expect(states()).toEqual(['ReviewsBusy:pending', 'ReviewsServing:firing']);
    expect(
      response.body.sources.map((s: { status: string }) => s.status).sort(),
    ).toEqual(['error', 'ok']);
    const ok = response.body.sources.find(
      (s: { status: string }) => s.status === 'ok',
    );
    expect(
      ok.rules.find((r: { name: string }) => r.name === apiTestSilencedAlert),
    ).toMatchObject({
      severity: 'info',
      summary: 'reviews takes traffic',
      alerts: [expect.objectContaining({ state: 'firing' })],
    });
    expect(
      response.body.silences.map((s: { status: string }) => s.status).sort(),
    ).toEqual(['error', 'ok']);
    const silences = response.body.silences.find(
      (s: { status: string }) => s.status === 'ok',
    );
    expect(silences.silences).toEqual([
      expect.objectContaining({ silencedAlerts: [apiTestSilencedAlert] }),
    ]);

    const quiet = await check(
      await request(backend.server).get(entity('ratings', 'alerts')),
    );
    expect(quiet.status).toBe(200);
    expect(quiet.body.sources).toEqual([
      expect.objectContaining({ status: 'ok', rules: [] }),
    ]);
  });

  it('documents the fleet, with every source and a malformed service', async () => {
    const response = await check(
      await request(backend.server).get('/api/mesh-lifecycle/fleet?window=600'),
    );
    expect(response.status).toBe(200);
    expect(response.body.windowSeconds).toBe(600);
    const outcomes = (list: Array<{ source: string; status: string }>) =>
      list.map(o => `${o.source}:${o.status}`).sort();
    expect(outcomes(response.body.clusters)).toEqual([
      'gone:error',
      'prod:ok',
      'test:ok',
    ]);
    expect(
      response.body.prometheus.map((p: { status: string }) => p.status).sort(),
    ).toEqual(['error', 'ok']);
    const services = new Map<string, { status: string }>(
      response.body.services.map((s: { entityRef: string }) => [
        s.entityRef,
        s,
      ]),
    );
    expect(services.get('component:default/broken-service')).toMatchObject({
      status: 'error',
      error: { name: 'InputError' },
    });
    expect(services.get('component:default/checkout-service')).toMatchObject({
      status: 'ok',
      declaredPhase: { phase: 'deploy', source: 'annotation' },
      clusters: [expect.objectContaining({ cluster: 'prod' })],
    });
    expect(services.get('component:default/reviews')).toMatchObject({
      status: 'ok',
      traffic: [
        expect.objectContaining({
          figures: expect.objectContaining({
            requestsPerSecond: expect.any(Number),
          }),
        }),
      ],
    });
  });

  it('documents the lifecycle of a service, with the validation of a cluster that does not answer', async () => {
    const response = await check(
      await request(backend.server).get(
        entity('checkout-service', 'lifecycle'),
      ),
    );
    expect(response.status).toBe(200);
    const { body } = response;
    expect(body.entityRef).toBe('component:default/checkout-service');
    expect(
      body.validation.map(
        (v: { source: string; status: string }) => `${v.source}:${v.status}`,
      ),
    ).toEqual(['prod:ok', 'gone:error', 'test:ok']);
    expect(body.validation[1].error.message).toEqual(expect.any(String));
    expect(body.phase).toMatchObject({
      phase: 'deploy',
      declared: { phase: 'deploy', source: 'annotation' },
    });
    expect(body.phase.unanswered).toContain('cluster gone');
    expect(body.phase.evidence).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ fact: 'runsIn', source: 'cluster prod' }),
      ]),
    );
    expect(body.gates.from).toBe('deploy');
    expect(body.gates.gates.length).toBeGreaterThan(0);
    expect(
      body.health.clusters.map(
        (c: { cluster: string; verdict: string }) =>
          `${c.cluster}:${c.verdict}`,
      ),
    ).toContain('gone:unknown');
    // The entity's own thresholds over the defaults.
    expect(body.thresholds).toMatchObject({
      p95LatencyMs: 250,
      errorRatioPercent: 1.5,
    });
    await expect(
      expectMatchesSpec({
        ...response,
        body: {
          ...body,
          validation: [{ source: 'prod', status: 'error', findings: [] }],
        },
      }),
    ).rejects.toThrow();

    // Misconfigured on the test cluster.
    const reviews = await check(
      await request(backend.server).get(entity('reviews', 'lifecycle')),
    );
    expect(reviews.status).toBe(200);
    const test = reviews.body.validation.find(
      (v: { source: string }) => v.source === 'test',
    );
    expect(
      test.findings
        .map(
          (f: { code: string; severity: string; path: string }) =>
            `${f.code} ${f.severity} ${f.path}`,
        )
        .sort(),
    ).toEqual([
      'KIA1101 error spec.http[0].route[0].destination.host',
      'KIA1107 warning spec.http[0].route[1].destination.subset',
    ]);
    expect(test.findings[0].object).toEqual({
      kind: 'VirtualService',
      namespace: 'bookinfo',
      name: 'reviews',
    });

    // Declared retiring by spec.lifecycle, and pinned to one cluster.
    for (const name of ['checkout-by-selector', 'ratings']) {
      const other = await check(
        await request(backend.server).get(entity(name, 'lifecycle')),
      );
      expect(other.status).toBe(200);
    }
  });

  it('judges the retire conditions over a drain window given instead of the quiet period', async () => {
    const gate = async (query: string) => {
      const response = await check(
        await request(backend.server).get(
          `${entity('reviews', 'lifecycle')}${query}`,
        ),
      );
      expect(response.status).toBe(200);
      return response.body.gates.gates.find(
        (g: { id: string }) => g.id === 'no-inbound-requests',
      ).evidence as string[];
    };
    expect((await gate('')).join('\n')).toMatch(/7 days/);
    const drained = (await gate('?drainWindow=3600')).join('\n');
    expect(drained).toMatch(/1 hour/);
    expect(drained).not.toMatch(/7 days/);
    for (const bad of ['?drainWindow=59', '?drainWindow=1.5', '?window=300']) {
      const response = await check(
        await request(backend.server).get(
          `${entity('ratings', 'lifecycle')}${bad}`,
        ),
      );
      expect({ bad, status: response.status }).toEqual({ bad, status: 400 });
      expect(response.body.error.message).toMatch(/^drainWindow \(optional\)/);
    }
  });

  it('documents the lifecycle history and the phases of the fleet, before and after the history task ran', async () => {
    const before = await check(
      await request(backend.server).get(entity('checkout-service', 'history')),
    );
    expect(before.status).toBe(200);
    expect(before.body).toEqual({
      entityRef: 'component:default/checkout-service',
      records: [],
    });
    const noPhases = await check(
      await request(backend.server).get('/api/mesh-lifecycle/fleet/phases'),
    );
    expect(noPhases.status).toBe(200);
    expect(noPhases.body).toEqual({ services: [] });

    await backend.recordHistory();

    const lifecycle = await request(backend.server).get(
      entity('checkout-service', 'lifecycle'),
    );
    const history = await check(
      await request(backend.server).get(
        `${entity('checkout-service', 'history')}?limit=5`,
      ),
    );
    expect(history.status).toBe(200);
    expect(history.body.records).toEqual([
      expect.objectContaining({
        entityRef: 'component:default/checkout-service',
        phase: lifecycle.body.phase.phase,
        inferred: lifecycle.body.phase.inferred,
        gates: lifecycle.body.gates.gates.map((g: { id: string }) =>
          expect.objectContaining({ id: g.id }),
        ),
      }),
    ]);
    const phases = await check(
      await request(backend.server).get('/api/mesh-lifecycle/fleet/phases'),
    );
    expect(phases.status).toBe(200);
    // Every service but the malformed one, which cannot be evaluated.
    expect(
      phases.body.services.map((s: { entityRef: string }) => s.entityRef),
    ).toEqual(
      [
        'checkout-by-selector',
        'checkout-service',
        'productpage',
        'ratings',
        'reviews',
      ].map(name => `component:default/${name}`),
    );
    expect(
      phases.body.services.find(
        (s: { entityRef: string }) =>
          s.entityRef === 'component:default/checkout-service',
      ),
    ).toEqual(history.body.records[0]);
  });

  it('documents the mesh-wide validation, of one namespace or of every cluster', async () => {
    const bookinfo = await check(
      await request(backend.server).get(
        '/api/mesh-lifecycle/validation?cluster=test&namespace=bookinfo',
      ),
    );
    expect(bookinfo.status).toBe(200);
    expect(bookinfo.body.namespace).toBe('bookinfo');
    const [test] = bookinfo.body.clusters;
    expect(
      test.findings.map(
        (f: { code: string; severity: string; path: string }) =>
          `${f.code} ${f.severity} ${f.path}`,
      ),
    ).toEqual([
      'KIA1101 error spec.http[0].route[0].destination.host',
      'KIA1107 warning spec.http[0].route[1].destination.subset',
    ]);
    const all = await check(
      await request(backend.server).get('/api/mesh-lifecycle/validation'),
    );
    expect(all.status).toBe(200);
    expect(
      all.body.clusters.map(
        (c: { source: string; status: string }) => `${c.source}:${c.status}`,
      ),
    ).toEqual(['prod:ok', 'gone:error', 'test:ok']);
    const errors = await Promise.all(
      [
        request(backend.server).get(
          '/api/mesh-lifecycle/validation?namespace=Not_A_Namespace',
        ),
        request(backend.server).get(
          '/api/mesh-lifecycle/validation?cluster=nowhere',
        ),
        request(backend.server)
          .get('/api/mesh-lifecycle/validation')
          .set('authorization', mockCredentials.none.header()),
        request(backend.server)
          .get('/api/mesh-lifecycle/validation')
          .set('authorization', mockCredentials.user.header(API_TEST_OUTSIDER)),
      ].map(async pending => check(await pending)),
    );
    expect(errors.map(e => e.status)).toEqual([400, 404, 401, 403]);
    expect(errors[1].body.error.message).toContain(
      'the configured clusters are gone, prod, test',
    );
  });

  it("documents a version's step analysis, for plugins only", async () => {
    const plugin = mockCredentials.service.header({
      onBehalfOf: mockCredentials.service('plugin:scaffolder'),
      targetPluginId: 'mesh-lifecycle',
    });
    const v2 = await check(
      await request(backend.server)
        .get(
          '/api/mesh-lifecycle/analysis?cluster=prod&namespace=bookinfo&service=reviews&version=v2&window=300',
        )
        .set('authorization', plugin),
    );
    expect(v2.status).toBe(200);
    const [prometheus] = v2.body.sources;
    expect(prometheus).toMatchObject({
      status: 'ok',
      istioCluster: 'Kubernetes',
      ratio5xx: expect.any(Number),
      p95LatencyMs: expect.any(Number),
    });
    expect(prometheus.requests).toBeGreaterThan(0);
    const errors = await Promise.all(
      [
        // Users read figures through their entities.
        request(backend.server).get(
          '/api/mesh-lifecycle/analysis?cluster=prod&namespace=bookinfo&service=reviews',
        ),
        request(backend.server)
          .get(
            '/api/mesh-lifecycle/analysis?cluster=prod&namespace=bookinfo&service=reviews',
          )
          .set('authorization', mockCredentials.none.header()),
        request(backend.server)
          .get('/api/mesh-lifecycle/analysis?cluster=prod&namespace=bookinfo')
          .set('authorization', plugin),
        request(backend.server)
          .get(
            '/api/mesh-lifecycle/analysis?cluster=nowhere&namespace=bookinfo&service=reviews',
          )
          .set('authorization', plugin),
      ].map(async pending => check(await pending)),
    );
    expect(errors.map(e => e.status)).toEqual([403, 401, 400, 400]);
    expect(errors[3].body.error.message).toContain(
      'the configured clusters are gone, prod, test',
    );
  });

  it('documents the recorded traffic shifts, written by plugins only', async () => {
    const plugin = mockCredentials.service.header({
      onBehalfOf: mockCredentials.service('plugin:scaffolder'),
      targetPluginId: 'mesh-lifecycle',
    });
    const record = {
      id: 'task-1.shift',
      entityRef: 'component:default/checkout-service',
      cluster: 'prod',
      namespace: 'bookinfo',
      virtualService: 'reviews',
      route: 'default',
      kind: 'canary',
      initiatedBy: 'user:default/mock',
      from: [
        { host: 'reviews', subset: 'v1', weight: 90 },
        { host: 'reviews', subset: 'v2', weight: 10 },
      ],
      to: [
        { host: 'reviews', subset: 'v1', weight: 0 },
        { host: 'reviews', subset: 'v2', weight: 100 },
      ],
      pauseSeconds: 60,
      thresholds: {
        max5xxPercent: 1,
        maxP95LatencyMs: 1000,
        minRequests: 50,
        onInconclusive: 'fail',
      },
      steps: [
        {
          index: 1,
          weights: [
            { host: 'reviews', subset: 'v1', weight: 50 },
            { host: 'reviews', subset: 'v2', weight: 50 },
          ],
          analysed: { host: 'reviews', subset: 'v2' },
          verdict: 'fail',
          reasons: ['5xx ratio 3.00 % is above 1 %'],
          figures: { requests: 1200, ratio5xx: 0.03, p95LatencyMs: null },
        },
      ],
      outcome: 'rolled-back',
      message: 'Step 1 did not pass',
      startedAt: '2026-12-05T10:00:00.000Z',
      finishedAt: '2026-12-05T10:01:05.000Z',
    };
    const put = (body: object, authorization?: string) => {
      const pending = request(backend.server)
        .put(`/api/mesh-lifecycle/shifts/${record.id}`)
        .send(body);
      return authorization
        ? pending.set('authorization', authorization)
        : pending;
    };
    const written = await check(await put(record, plugin));
    expect(written.status).toBe(204);
    // Recorded again as it goes on: replaced, not added.
    expect((await check(await put(record, plugin))).status).toBe(204);

    const shifts = await check(
      await request(backend.server).get(entity('checkout-service', 'shifts')),
    );
    expect(shifts.status).toBe(200);
    expect(shifts.body).toEqual({
      entityRef: 'component:default/checkout-service',
      shifts: [record],
    });

    const errors = await Promise.all(
      [
        // Users cannot write a record: only the action does, after its
        // permission check.
        put(record, mockCredentials.user.header()),
        put(record, mockCredentials.none.header()),
        put({ ...record, outcome: 'maybe' }, plugin),
        put({ ...record, id: 'another' }, plugin),
        request(backend.server).get(
          `${entity('checkout-service', 'shifts')}?limit=0`,
        ),
        request(backend.server)
          .get(entity('checkout-service', 'shifts'))
          .set('authorization', mockCredentials.none.header()),
        request(backend.server).get(entity('no-such-service', 'shifts')),
      ].map(async pending => check(await pending)),
    );
    expect(errors.map(e => e.status)).toEqual([
      403, 401, 400, 400, 400, 401, 404,
    ]);
    expect(errors[2].body.error.message).toContain("at 'outcome'");
    expect(errors[3].body.error.message).toContain(
      'is not the one of the path',
    );
  });

  it('documents the retirement requests and their archive, written by plugins only', async () => {
    const plugin = mockCredentials.service.header({
      onBehalfOf: mockCredentials.service('plugin:scaffolder'),
      targetPluginId: 'mesh-lifecycle',
    });
    const record = {
      id: 'task-r1',
      entityRef: 'component:default/checkout-service',
      cluster: 'prod',
      namespace: 'bookinfo',
      requestedBy: 'user:default/mock',
      reason: 'replaced',
      replacement: 'none',
      drainWindowSeconds: 3600,
      state: 'running',
      blockers: [],
      steps: [
        {
          step: 'mark',
          kind: 'VirtualService',
          name: 'reviews',
          outcome: 'marked decommissioning',
        },
      ],
      requestedAt: '2026-12-05T10:00:00.000Z',
      updatedAt: '2026-12-05T10:01:00.000Z',
    };
    const object = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      namespace: 'bookinfo',
      name: 'reviews',
      uid: 'u-1',
      yaml: 'apiVersion: networking.istio.io/v1\nkind: VirtualService\n',
    };
    const put = (path: string, body: object, authorization?: string) => {
      const pending = request(backend.server)
        .put(`/api/mesh-lifecycle/retirements/${path}`)
        .send(body);
      return authorization
        ? pending.set('authorization', authorization)
        : pending;
    };
    expect((await check(await put(record.id, record, plugin))).status).toBe(
      204,
    );
    expect(
      (
        await check(
          await put(`${record.id}/archive`, { objects: [object] }, plugin),
        )
      ).status,
    ).toBe(204);
    const listed = await check(
      await request(backend.server).get(
        entity('checkout-service', 'retirements'),
      ),
    );
    expect(listed.body).toEqual({
      entityRef: 'component:default/checkout-service',
      retirements: [record],
    });
    const archive = await check(
      await request(backend.server).get(
        `/api/mesh-lifecycle/retirements/${record.id}/archive`,
      ),
    );
    expect(archive.body).toEqual({
      id: record.id,
      entityRef: record.entityRef,
      objects: [object],
    });
    // The fleet's open requests: this running one; not once completed.
    const open = async () =>
      (
        await check(
          await request(backend.server).get('/api/mesh-lifecycle/retirements'),
        )
      ).body;
    expect(await open()).toEqual({ retirements: [record] });
    await put(record.id, { ...record, state: 'completed' }, plugin);
    expect(await open()).toEqual({ retirements: [] });
    await put(record.id, record, plugin);

    const errors = await Promise.all(
      [
        // Another run of the same service while this one runs.
        put('task-r2', { ...record, id: 'task-r2' }, plugin),
        put(record.id, record, mockCredentials.user.header()),
        put(record.id, record, mockCredentials.none.header()),
        put(record.id, { ...record, state: 'paused' }, plugin),
        put(
          `${record.id}/archive`,
          { objects: [object] },
          mockCredentials.user.header(),
        ),
        put(
          `${record.id}/archive`,
          { objects: [object] },
          mockCredentials.none.header(),
        ),
        put(
          `${record.id}/archive`,
          { objects: [{ ...object, yaml: '' }] },
          plugin,
        ),
        request(backend.server).get(
          `${entity('checkout-service', 'retirements')}?limit=0`,
        ),
        request(backend.server).get(
          `/api/mesh-lifecycle/retirements/${record.id}/archive?all=1`,
        ),
        request(backend.server)
          .get(`/api/mesh-lifecycle/retirements/${record.id}/archive`)
          .set('authorization', mockCredentials.none.header()),
        request(backend.server).get(
          '/api/mesh-lifecycle/retirements/no-such-request/archive',
        ),
        request(backend.server).get('/api/mesh-lifecycle/retirements?all=1'),
        request(backend.server)
          .get('/api/mesh-lifecycle/retirements')
          .set('authorization', mockCredentials.none.header()),
      ].map(async pending => check(await pending)),
    );
    expect(errors.map(e => e.status)).toEqual([
      409, 403, 401, 400, 403, 401, 400, 400, 400, 401, 404, 400, 401,
    ]);
    expect(errors[0].body.error.message).toContain(
      'is being retired by request task-r1 of user:default/mock',
    );
  });

  it('documents the configured clusters, by name and environment only', async () => {
    const response = await check(
      await request(backend.server).get('/api/mesh-lifecycle/clusters'),
    );
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      clusters: [
        { name: 'prod', environment: 'production' },
        { name: 'gone' },
        { name: 'test', environment: 'test' },
      ],
    });
    await expect(
      expectMatchesSpec({
        ...response,
        body: {
          clusters: [{ name: 'prod', url: 'http://127.0.0.1:1' }],
        },
      }),
    ).rejects.toThrow();
  });

  it('documents the error answers', async () => {
    const badRequests = [
      request(backend.server).get(entity('broken-service', 'declaration')),
      request(backend.server).get(entity('broken-service', 'mesh')),
      request(backend.server).get(`${entity('reviews', 'traffic')}?window=5`),
      request(backend.server).get(`${entity('reviews', 'traffic')}?step=60`),
      request(backend.server).get(
        `${entity('reviews', 'traffic')}?range=604800&step=60`,
      ),
      request(backend.server).get(
        `${entity('reviews', 'traffic')}?colour=blue`,
      ),
      request(backend.server).get(
        `${entity('reviews', 'dependencies')}?window=5`,
      ),
      request(backend.server).get(
        `${entity('reviews', 'dependencies')}?colour=blue`,
      ),
      request(backend.server).get(entity('broken-service', 'alerts')),
      request(backend.server).get(`${entity('reviews', 'alerts')}?colour=blue`),
      request(backend.server).get('/api/mesh-lifecycle/fleet?window=5'),
      request(backend.server).get('/api/mesh-lifecycle/fleet?colour=blue'),
      request(backend.server).get(entity('broken-service', 'lifecycle')),
      request(backend.server).get(
        `${entity('reviews', 'lifecycle')}?colour=blue`,
      ),
      request(backend.server).get(entity('broken-service', 'history')),
      request(backend.server).get(`${entity('reviews', 'history')}?limit=0`),
      request(backend.server).get(`${entity('reviews', 'history')}?limit=1001`),
      request(backend.server).get(
        `${entity('reviews', 'history')}?limit=10&colour=blue`,
      ),
      request(backend.server).get(
        '/api/mesh-lifecycle/fleet/phases?colour=blue',
      ),
      request(backend.server).get('/api/mesh-lifecycle/clusters?colour=blue'),
    ];
    const answers = await Promise.all(
      [
        ...badRequests,
        ...ENTITY_ROUTES.flatMap(route => [
          request(backend.server).get(entity('nowhere', route)),
          request(backend.server)
            .get(entity('checkout-service', route))
            .set('authorization', mockCredentials.none.header()),
        ]),
        request(backend.server)
          .get('/api/mesh-lifecycle/fleet')
          .set('authorization', mockCredentials.none.header()),
        request(backend.server)
          .get('/api/mesh-lifecycle/fleet/phases')
          .set('authorization', mockCredentials.none.header()),
        request(backend.server)
          .get('/api/mesh-lifecycle/clusters')
          .set('authorization', mockCredentials.none.header()),
      ].map(async pending => check(await pending)),
    );
    expect(answers.map(a => a.status)).toEqual([
      ...badRequests.map(() => 400),
      ...ENTITY_ROUTES.flatMap(() => [404, 401]),
      401,
      401,
      401,
    ]);
    expect(
      answers.map(a => a.body.error.name).slice(0, badRequests.length),
    ).toEqual(badRequests.map(() => 'InputError'));
  });

  it('fails a body that strays from the spec', async () => {
    const response = await request(backend.server).get(
      entity('checkout-service', 'mesh'),
    );
    const [cluster] = response.body.clusters;
    const strays = [
      { ...response.body, clusters: [{ ...cluster, extra: true }] },
      { ...response.body, clusters: [{ ...cluster, workloads: undefined }] },
      { ...response.body, clusters: [{ ...cluster, status: 'error' }] },
    ];
    for (const body of strays) {
      await expect(expectMatchesSpec({ ...response, body })).rejects.toThrow();
    }
    await expect(
      expectMatchesSpec({ ...response, status: 418 }),
    ).rejects.toThrow(/documents no JSON body/);
  });

  it('was exercised on every operation, and on every error answer of the entity routes', async () => {
    const spec = await loadApiSpec();
    const seen = new Set(covered.map(c => `${c.operationId} ${c.status}`));
    const expected = spec.operations.flatMap(op => {
      const id = op.operation.operationId ?? op.path;
      return Object.keys(op.operation.responses)
        .filter(status => status !== '500' && status !== 'default')
        .map(status => `${id} ${status}`);
    });
    expect(expected.filter(answer => !seen.has(answer))).toEqual([]);
  });
});
