import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { Server } from 'http';
import request from 'supertest';
import { meshLifecyclePlugin } from './plugin';

const TOKEN = 'mesh-token-that-must-stay-inside';
const KUBERNETES_TOKEN = 'kubernetes-token-that-must-stay-inside';

/**
 * The `/clusters` route, against a configuration with every kind of cluster
 * entry: its answer is what the cluster picker of template forms shows.
 */
describe('GET /clusters', () => {
  let server: Server;

  beforeAll(async () => {
    ({ server } = await startTestBackend({
      features: [
        meshLifecyclePlugin,
        catalogServiceMock.factory(),
        mockServices.rootConfig.factory({
          data: {
            kubernetes: {
              clusterLocatorMethods: [
                {
                  type: 'config',
                  clusters: [
                    {
                      name: 'k8s-prod',
                      url: 'https://k8s-prod.internal:6443',
                      authProvider: 'serviceAccount',
                      serviceAccountToken: KUBERNETES_TOKEN,
                    },
                  ],
                },
              ],
            },
            meshLifecycle: {
              clusters: [
                {
                  name: 'prod',
                  url: 'http://127.0.0.1:1',
                  environment: 'production',
                  serviceAccountToken: TOKEN,
                  allowInsecureHttp: true,
                  prometheus: {
                    url: 'http://127.0.0.1:2',
                    bearerToken: TOKEN,
                    allowInsecureHttp: true,
                  },
                },
                {
                  name: 'dev',
                  url: 'http://127.0.0.1:3',
                  serviceAccountToken: TOKEN,
                  allowInsecureHttp: true,
                },
              ],
              kubernetesPluginClusters: [
                { name: 'k8s-prod', environment: 'production' },
              ],
            },
          },
        }),
      ],
    }));
  });

  it('lists every configured cluster by name and environment, in configuration order', async () => {
    const response = await request(server).get('/api/mesh-lifecycle/clusters');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      clusters: [
        { name: 'prod', environment: 'production' },
        { name: 'dev' },
        { name: 'k8s-prod', environment: 'production' },
      ],
    });
  });

  it('leaks no URL and no token', async () => {
    const response = await request(server).get('/api/mesh-lifecycle/clusters');
    expect(response.status).toBe(200);
    for (const secret of [
      TOKEN,
      KUBERNETES_TOKEN,
      '127.0.0.1',
      'k8s-prod.internal',
    ]) {
      expect(response.text).not.toContain(secret);
    }
    expect(response.text).not.toMatch(/url|token|auth|kubeconfig|source/i);
  });

  it('answers service callers too', async () => {
    const response = await request(server)
      .get('/api/mesh-lifecycle/clusters')
      .set(
        'authorization',
        mockCredentials.service.header({
          onBehalfOf: mockCredentials.service('plugin:scaffolder'),
          targetPluginId: 'mesh-lifecycle',
        }),
      );
    expect(response.status).toBe(200);
    expect(response.body.clusters).toHaveLength(3);
  });

  it('refuses callers without credentials and unknown query parameters', async () => {
    const anonymous = await request(server)
      .get('/api/mesh-lifecycle/clusters')
      .set('authorization', mockCredentials.none.header());
    expect(anonymous.status).toBe(401);
    const odd = await request(server).get(
      '/api/mesh-lifecycle/clusters?environment=production',
    );
    expect(odd.status).toBe(400);
    expect(odd.body.error).toMatchObject({
      name: 'InputError',
      message: 'clusters takes no query parameters',
    });
  });
});
