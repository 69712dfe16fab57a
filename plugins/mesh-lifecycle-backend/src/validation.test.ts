import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  KubernetesEmulator,
  startKubernetesEmulator,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-test-utils';
import {
  MeshValidationResponse,
  ValidationFinding,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import { join } from 'path';
import request from 'supertest';
import { meshLifecyclePlugin } from './plugin';

jest.setTimeout(60_000);

/**
 * Objects of the test cluster no catalog service claims: a Gateway whose
 * selector matches no pod, a VirtualService bound to it and to a Gateway
 * that does not exist, and one in another namespace routing to a host that
 * does not exist.
 */
const UNCLAIMED = [
  {
    apiVersion: 'networking.istio.io/v1',
    kind: 'Gateway',
    metadata: { name: 'public', namespace: 'shop-test' },
    spec: {
      selector: { istio: 'ingressgateway' },
      servers: [
        {
          port: { number: 80, name: 'http', protocol: 'HTTP' },
          hosts: ['search.example.com'],
        },
      ],
    },
  },
  {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: 'search-ingress', namespace: 'shop-test' },
    spec: {
      hosts: ['search.example.com'],
      gateways: ['public', 'istio-system/missing'],
      http: [{ route: [{ destination: { host: 'search-service' } }] }],
    },
  },
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'sandbox' } },
  {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: 'scratch', namespace: 'sandbox' },
    spec: {
      hosts: ['scratch'],
      http: [{ route: [{ destination: { host: 'scratch' } }] }],
    },
  },
];

/** Every resource the plugin reads, but Gateways. */
const WITHOUT_GATEWAYS = {
  user: 'no-gateways',
  rules: [
    {
      verbs: ['get', 'list', 'watch'],
      resources: [
        'namespaces',
        'services',
        'deployments',
        'serviceaccounts',
        'pods',
        'servicemonitors',
        'virtualservices',
        'destinationrules',
        'serviceentries',
        'peerauthentications',
        'authorizationpolicies',
      ],
    },
  ],
};

const summary = (findings: ValidationFinding[]) =>
  findings.map(
    f =>
      `${f.code} ${f.severity} ${f.object.kind}/${f.object.namespace}/${f.object.name} ${f.path}`,
  );

describe('GET /validation', () => {
  let test: KubernetesEmulator;
  let server: Awaited<ReturnType<typeof startTestBackend>>['server'];

  beforeAll(async () => {
    test = await startKubernetesEmulator({
      name: 'test',
      manifests: join(__dirname, '../../../examples/clusters/test'),
      objects: UNCLAIMED,
      tokens: {
        admin: { user: 'admin' },
        'no-gateways': WITHOUT_GATEWAYS,
      },
    });
    const cluster = (name: string, token: string) => ({
      name,
      url: test.url,
      serviceAccountToken: token,
      allowInsecureHttp: true,
    });
    ({ server } = await startTestBackend({
      features: [
        meshLifecyclePlugin,
        catalogServiceMock.factory({ entities: [] }),
        mockServices.rootConfig.factory({
          data: {
            meshLifecycle: {
              clusters: [
                cluster('test', 'admin'),
                {
                  name: 'gone',
                  url: 'http://127.0.0.1:1',
                  serviceAccountToken: 'x',
                  allowInsecureHttp: true,
                },
                cluster('restricted', 'no-gateways'),
              ],
              timeouts: { cluster: '2s' },
            },
          },
        }),
      ],
    }));
  });

  afterAll(async () => {
    await test?.stop();
  });

  const get = (query: string) =>
    request(server).get(`/api/mesh-lifecycle/validation${query}`);

  it('validates every object of a namespace, claimed by a catalog service or not', async () => {
    const response = await get('?cluster=test&namespace=shop-test');
    expect(response.status).toBe(200);
    const body: MeshValidationResponse = response.body;
    expect(body.namespace).toBe('shop-test');
    expect(body.clusters).toHaveLength(1);
    const [outcome] = body.clusters;
    if (outcome.status !== 'ok') throw new Error(outcome.error.message);
    expect(outcome.source).toBe('test');
    expect(summary(outcome.findings)).toEqual([
      'MESH0001 error DestinationRule/shop-test/search-service spec.trafficPolicy.tls.mode',
      'KIA0601 error Service/shop-test/search-service spec.ports[0].name',
      'KIA1102 error VirtualService/shop-test/search-ingress spec.gateways[1]',
      'KIA0302 warning Gateway/shop-test/public spec.selector',
      'KIA1106 warning VirtualService/shop-test/search-service spec.hosts[0]',
      'KIA1107 warning VirtualService/shop-test/search-service spec.http[0].route[1].destination.subset',
      'KIA1106 warning VirtualService/shop-test/search-service-experiment spec.hosts[0]',
    ]);
  });

  it('validates every namespace of every configured cluster, each answering on its own', async () => {
    const response = await get('');
    expect(response.status).toBe(200);
    const body: MeshValidationResponse = response.body;
    expect(body.namespace).toBeUndefined();
    expect(body.clusters.map(c => `${c.source}:${c.status}`)).toEqual([
      'test:ok',
      'gone:error',
      'restricted:ok',
    ]);
    const [all, gone, restricted] = body.clusters;
    if (all.status !== 'ok' || restricted.status !== 'ok') {
      throw new Error('expected the emulated clusters to answer');
    }
    expect(summary(all.findings)).toContain(
      'KIA1101 error VirtualService/sandbox/scratch spec.http[0].route[0].destination.host',
    );
    expect(gone).toMatchObject({
      status: 'error',
      error: { message: expect.any(String) },
    });
    // Gateways cannot be listed there: the checks that need them are not
    // made, the others are.
    const codes = new Set(restricted.findings.map(f => f.code));
    expect(codes.has('KIA1102')).toBe(false);
    expect(codes.has('KIA0302')).toBe(false);
    expect(codes.has('KIA1101')).toBe(true);
    expect(all.findings.map(f => f.code)).toEqual(
      expect.arrayContaining(['KIA1102', 'KIA0302']),
    );
  });

  it('answers 404 naming the configured clusters for an unknown cluster', async () => {
    const response = await get('?cluster=nowhere');
    expect(response.status).toBe(404);
    expect(response.body.error).toMatchObject({
      name: 'NotFoundError',
      message: expect.stringContaining(
        'the configured clusters are gone, restricted, test',
      ),
    });
  });

  it('answers 400 for a malformed or unknown query parameter', async () => {
    for (const query of [
      '?namespace=Shop!',
      '?cluster=test&colour=blue',
      '?namespace=a&namespace=b',
    ]) {
      const response = await get(query);
      expect({ query, status: response.status }).toEqual({
        query,
        status: 400,
      });
      expect(response.body.error.name).toBe('InputError');
    }
  });

  it('rejects callers without credentials', async () => {
    const response = await get('?cluster=test').set(
      'authorization',
      mockCredentials.none.header(),
    );
    expect(response.status).toBe(401);
  });
});

describe('GET /validation under a permission policy', () => {
  it('needs mesh-lifecycle.validation.read: the catalog read permission does not cover whole namespaces', async () => {
    const test = await startKubernetesEmulator({ name: 'test' });
    try {
      const { server } = await startTestBackend({
        features: [
          meshLifecyclePlugin,
          catalogServiceMock.factory({ entities: [] }),
          mockServices.permissions.factory({ result: AuthorizeResult.DENY }),
          mockServices.rootConfig.factory({
            data: {
              meshLifecycle: {
                clusters: [
                  {
                    name: 'test',
                    url: test.url,
                    serviceAccountToken: test.token,
                    allowInsecureHttp: true,
                  },
                ],
              },
            },
          }),
        ],
      });
      // What the backend listed when it started (its caches' warm-up).
      const listedAtStart = test.calls.count({ verb: 'list' });
      const response = await request(server).get(
        '/api/mesh-lifecycle/validation?cluster=test',
      );
      expect(response.status).toBe(403);
      expect(response.body.error.message).toContain(
        'mesh-lifecycle.validation.read',
      );
      expect(test.calls.count({ verb: 'list' })).toBe(listedAtStart);
    } finally {
      await test.stop();
    }
  });
});
