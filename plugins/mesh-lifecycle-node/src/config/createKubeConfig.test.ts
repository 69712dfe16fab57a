import { ConfigReader } from '@backstage/config';
import { CoreV1Api } from '@kubernetes/client-node';
import {
  KubernetesEmulator,
  startKubernetesEmulator,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-test-utils';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKubeConfig } from './createKubeConfig';
import { ClusterConfig } from './MeshLifecycleConfig';
import {
  IN_CLUSTER_CA_FILE,
  readMeshLifecycleConfig,
} from './readMeshLifecycleConfig';

function readClusters(clusters: object[]): readonly ClusterConfig[] {
  return readMeshLifecycleConfig(
    new ConfigReader({ meshLifecycle: { clusters } }),
  ).clusters;
}

function pod(name: string) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'shop', labels: { app: 'checkout' } },
    spec: { containers: [{ name: 'app', image: 'checkout:1.0.0' }] },
  };
}

describe('createKubeConfig', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mesh-lifecycle-kubeconfig-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('builds a token KubeConfig', () => {
    const [cluster] = readClusters([
      {
        name: 'prod',
        url: 'https://k8s.example.com:6443',
        serviceAccountToken: 'the-token',
        caData: 'Q0E=',
      },
    ]);
    const kc = createKubeConfig(cluster);
    expect(kc.getCurrentContext()).toBe('prod');
    expect(kc.getCurrentCluster()).toEqual({
      name: 'prod',
      server: 'https://k8s.example.com:6443',
      caData: 'Q0E=',
      skipTLSVerify: false,
    });
    expect(kc.getCurrentUser()).toEqual({
      name: 'prod-user',
      token: 'the-token',
    });
  });

  it("uses the kubeconfig file's context cluster and user", async () => {
    const path = join(dir, 'kubeconfig.yaml');
    await writeFile(
      path,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        '- name: east',
        '  cluster: { server: "https://east.example.com", certificate-authority-data: RUFTVA== }',
        '- name: west',
        '  cluster: { server: "https://west.example.com", tls-server-name: west.internal }',
        'users:',
        '- name: east-admin',
        '  user: { token: east-token }',
        '- name: west-admin',
        '  user: { token: west-token }',
        'contexts:',
        '- name: east',
        '  context: { cluster: east, user: east-admin }',
        '- name: west',
        '  context: { cluster: west, user: west-admin, namespace: shop }',
        'current-context: east',
      ].join('\n'),
    );
    const [west, east] = readClusters([
      { name: 'w', kubeconfig: { path, context: 'west' } },
      { name: 'e', kubeconfig: { path } },
    ]);

    const kc = createKubeConfig(west);
    expect(kc.getContexts()).toEqual([
      { name: 'w', cluster: 'w', user: 'w-user', namespace: 'shop' },
    ]);
    expect(kc.getCurrentCluster()).toEqual({
      name: 'w',
      server: 'https://west.example.com',
      tlsServerName: 'west.internal',
      skipTLSVerify: false,
    });
    expect(kc.getCurrentUser()).toMatchObject({
      name: 'w-user',
      token: 'west-token',
    });

    const kcEast = createKubeConfig(east);
    expect(kcEast.getCurrentCluster()).toMatchObject({
      server: 'https://east.example.com',
      caData: 'RUFTVA==',
    });
    expect(kcEast.getCurrentUser()?.token).toBe('east-token');
  });

  it("uses the pod's service account for inCluster", () => {
    const [cluster] = readClusters([
      { name: 'self', inCluster: true, url: 'https://kubernetes.default.svc' },
    ]);
    const kc = createKubeConfig(cluster);
    expect(kc.getCurrentCluster()).toEqual({
      name: 'self',
      server: 'https://kubernetes.default.svc',
      caFile: IN_CLUSTER_CA_FILE,
      skipTLSVerify: false,
    });
    expect(kc.getCurrentUser()).toMatchObject({
      name: 'self-user',
      authProvider: {
        name: 'tokenFile',
        config: {
          tokenFile: '/var/run/secrets/kubernetes.io/serviceaccount/token',
        },
      },
    });
  });

  describe('against the Kubernetes API emulator', () => {
    let emulator: KubernetesEmulator;

    beforeAll(async () => {
      emulator = await startKubernetesEmulator({
        objects: [
          { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
          pod('checkout-1'),
          pod('checkout-2'),
        ],
      });
    });

    afterAll(async () => {
      await emulator.stop();
    });

    it('lists Pods with a token KubeConfig', async () => {
      const [cluster] = readClusters([
        {
          name: 'emulated',
          url: emulator.url,
          serviceAccountToken: emulator.token,
          allowInsecureHttp: true,
          skipTLSVerify: true,
        },
      ]);
      const pods = await createKubeConfig(cluster)
        .makeApiClient(CoreV1Api)
        .listNamespacedPod({ namespace: 'shop' });
      expect(pods.items.map(p => p.metadata?.name).sort()).toEqual([
        'checkout-1',
        'checkout-2',
      ]);
    });

    it('works over plain http without skipTLSVerify too', async () => {
      const [cluster] = readClusters([
        {
          name: 'emulated',
          url: emulator.url,
          serviceAccountToken: emulator.token,
          allowInsecureHttp: true,
        },
      ]);
      expect(cluster.tls.skipTLSVerify).toBe(false);
      const pods = await createKubeConfig(cluster)
        .makeApiClient(CoreV1Api)
        .listNamespacedPod({ namespace: 'shop' });
      expect(pods.items).toHaveLength(2);
    });

    it('is refused with a wrong token', async () => {
      const [cluster] = readClusters([
        {
          name: 'emulated',
          url: emulator.url,
          serviceAccountToken: 'wrong-token',
          allowInsecureHttp: true,
          skipTLSVerify: true,
        },
      ]);
      await expect(
        createKubeConfig(cluster)
          .makeApiClient(CoreV1Api)
          .listNamespacedPod({ namespace: 'shop' }),
      ).rejects.toMatchObject({ code: 401 });
    });

    it('lists Pods with a kubeconfig file written by the emulator', async () => {
      const path = await emulator.writeKubeconfig(join(dir, 'emulator.yaml'));
      const [cluster] = readClusters([
        { name: 'from-file', kubeconfig: { path }, allowInsecureHttp: true },
      ]);
      expect(cluster.url).toBe(emulator.url);
      const pods = await createKubeConfig(cluster)
        .makeApiClient(CoreV1Api)
        .listNamespacedPod({ namespace: 'shop' });
      expect(pods.items).toHaveLength(2);
    });
  });
});
