import { mockServices } from '@backstage/backend-test-utils';
import { KubeConfig } from '@kubernetes/client-node';
import {
  KubernetesEmulator,
  loadKubernetesManifests,
  startKubernetesEmulator,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-test-utils';
import { join } from 'path';
import { ClusterMeshReader, MeshCluster } from '../service/ClusterMeshReader';
import { ClusterObjectCache } from './ClusterObjectCache';
import { rememberServedApis } from './discoverServedVersion';
import { warmClusterCaches } from './warmClusterCaches';

const manifests = join(__dirname, '../../../../examples/clusters/prod');

describe('warmClusterCaches', () => {
  const emulators: KubernetesEmulator[] = [];
  const caches: ClusterObjectCache[] = [];

  async function cluster(
    name: string,
    options: { prometheusOperator?: boolean } = {},
  ): Promise<MeshCluster> {
    const emulator = await startKubernetesEmulator({
      name,
      ...(options.prometheusOperator === false
        ? {
            prometheusOperator: false,
            // Its manifests less prometheus-operator's kinds.
            objects: (
              await loadKubernetesManifests(manifests)
            ).filter(
              o => !String(o.apiVersion).startsWith('monitoring.coreos.com/'),
            ),
          }
        : { manifests }),
    });
    emulators.push(emulator);
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromString(emulator.kubeconfig());
    const objects = new ClusterObjectCache({
      kubeConfig,
      clusterName: name,
      logger: mockServices.logger.mock(),
      syncTimeoutMs: 5_000,
    });
    caches.push(objects);
    return { name, objects, servedApis: rememberServedApis(kubeConfig) };
  }

  afterEach(async () => {
    await Promise.all(caches.splice(0).map(c => c.stop()));
    await Promise.all(emulators.splice(0).map(e => e.stop()));
  });

  it('lists what an entity page reads, so that its first view asks no cluster', async () => {
    const prod = await cluster('prod');
    const logger = mockServices.logger.mock();
    const outcome = await warmClusterCaches({
      clusters: [prod],
      logger,
      waitMs: 10_000,
    });
    expect(outcome).toMatchObject({ warm: ['prod'], failed: [], pending: [] });
    const [emulator] = emulators;
    // One list per kind the mesh tab, the lifecycle card and its checks read.
    expect(
      emulator.calls
        .list({ verb: 'list' })
        .map(c => c.resource)
        .sort(),
    ).toEqual([
      'authorizationpolicies',
      'deployments',
      'destinationrules',
      'gateways',
      'namespaces',
      'peerauthentications',
      'pods',
      'serviceaccounts',
      'serviceentries',
      'servicemonitors',
      'services',
      'virtualservices',
    ]);
    expect(logger.info).toHaveBeenCalledWith(
      expect.stringMatching(/^Cluster caches warmed in \d+ ms: 1 of 1/),
    );
    const before = emulator.calls.count();
    const answer = await new ClusterMeshReader({
      clusters: [prod],
      logger,
    }).read({
      entityRef: 'component:default/checkout-service',
      target: { kubernetesId: 'checkout-service' },
      thresholds: {},
    });
    expect(answer.clusters[0]).toMatchObject({ status: 'ok' });
    expect(emulator.calls.count()).toBe(before);
  });

  it('names the kinds a cluster refused, and stops waiting for a slow one', async () => {
    const prod = await cluster('prod');
    const refusing = await cluster('refusing');
    const slow = await cluster('slow');
    emulators[1].faults.add({ path: /\/pods$/, status: 403 });
    emulators[2].faults.add({ path: '/apis', latencyMs: 2_000 });
    const outcome = await warmClusterCaches({
      clusters: [prod, refusing, slow],
      logger: mockServices.logger.mock(),
      waitMs: 500,
    });
    expect(outcome).toMatchObject({
      warm: ['prod'],
      failed: [{ cluster: 'refusing', kinds: ['pods'] }],
      pending: ['slow'],
    });
    // The slow one goes on behind: once it answers, its views are warm too.
    const lists = () => emulators[2].calls.count({ verb: 'list' });
    expect(lists()).toBe(0);
    for (let i = 0; i < 200 && lists() < 12; i++) {
      await new Promise(resolve => setTimeout(resolve, 50));
    }
    const listed = lists();
    expect(listed).toBe(12);
    await slow.objects.list({
      apiVersion: 'v1',
      kind: 'Pod',
      plural: 'pods',
    });
    expect(emulators[2].calls.count({ verb: 'list' })).toBe(listed);
  });

  it('does not watch ServiceMonitors on a cluster without prometheus-operator, nor count it as failing', async () => {
    const bare = await cluster('bare', { prometheusOperator: false });
    const logger = mockServices.logger.mock();
    const outcome = await warmClusterCaches({
      clusters: [bare],
      logger,
      waitMs: 10_000,
    });
    expect(outcome).toMatchObject({ warm: ['bare'], failed: [], pending: [] });
    expect(emulators[0].calls.count({ verb: 'list' })).toBe(11);
    expect(emulators[0].calls.count({ resource: 'servicemonitors' })).toBe(0);
    expect(logger.warn).not.toHaveBeenCalled();
  });

  it('lists a few clusters at a time', async () => {
    const first = await cluster('first');
    const second = await cluster('second');
    emulators[0].faults.add({ path: /^/, latencyMs: 300 });
    const warming = warmClusterCaches({
      clusters: [first, second],
      logger: mockServices.logger.mock(),
      waitMs: 20_000,
      concurrency: 1,
    });
    await new Promise(resolve => setTimeout(resolve, 200));
    // The second waits for the first.
    expect(emulators[0].calls.count()).toBeGreaterThan(0);
    expect(emulators[1].calls.count()).toBe(0);
    expect(await warming).toMatchObject({ warm: ['first', 'second'] });
  });
});
