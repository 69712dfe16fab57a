import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { createBackendPlugin } from '@backstage/backend-plugin-api';
import { ConfigReader } from '@backstage/config';
import { NotFoundError } from '@backstage/errors';
import { CoreV1Api } from '@kubernetes/client-node';
import {
  KubernetesEmulator,
  startKubernetesEmulator,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-test-utils';
import { readMeshLifecycleConfig } from './config';
import {
  MeshClustersService,
  createMeshClustersService,
  meshClustersServiceRef,
} from './meshClustersService';

describe('MeshClustersService', () => {
  let emulator: KubernetesEmulator;

  beforeAll(async () => {
    emulator = await startKubernetesEmulator({ name: 'dev' });
  });
  afterAll(() => emulator.stop());

  const clusterConfig = () => ({
    meshLifecycle: {
      clusters: [
        {
          name: 'dev',
          url: emulator.url,
          environment: 'development',
          serviceAccountToken: emulator.token,
          allowInsecureHttp: true,
        },
        {
          name: 'prod',
          url: 'https://prod.example.com',
          serviceAccountToken: 'prod-secret-token',
        },
      ],
    },
  });

  it('lists clusters without credentials and connects by name', async () => {
    const clusters = createMeshClustersService(
      readMeshLifecycleConfig(new ConfigReader(clusterConfig())).clusters,
    );
    expect(clusters.list()).toEqual([
      { name: 'dev', environment: 'development', source: 'meshLifecycle' },
      { name: 'prod', source: 'meshLifecycle' },
    ]);
    expect(JSON.stringify(clusters.list())).not.toContain('token');

    const core = clusters.kubeConfig('dev').makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: 'shop' } } });
    expect(emulator.get('v1', 'Namespace', undefined, 'shop')).toBeDefined();
  });

  it('names the configured clusters when asked for an unknown one', () => {
    const clusters = createMeshClustersService(
      readMeshLifecycleConfig(new ConfigReader(clusterConfig())).clusters,
    );
    expect(() => clusters.kubeConfig('staging')).toThrow(NotFoundError);
    expect(() => clusters.get('staging')).toThrow(
      "No cluster named 'staging' is configured for Mesh Lifecycle; configured clusters: dev, prod",
    );
    expect(() => createMeshClustersService([]).get('dev')).toThrow(
      /none is configured/,
    );
  });

  it('is provided to plugins from the root config', async () => {
    let seen: MeshClustersService | undefined;
    const probe = createBackendPlugin({
      pluginId: 'probe',
      register(env) {
        env.registerInit({
          deps: { clusters: meshClustersServiceRef },
          async init({ clusters }) {
            seen = clusters;
          },
        });
      },
    });
    const backend = await startTestBackend({
      features: [
        probe,
        mockServices.rootConfig.factory({ data: clusterConfig() }),
      ],
    });
    try {
      expect(seen?.list().map(c => c.name)).toEqual(['dev', 'prod']);
      expect(seen?.get('prod').url).toBe('https://prod.example.com');
    } finally {
      await backend.stop();
    }
  });
});
