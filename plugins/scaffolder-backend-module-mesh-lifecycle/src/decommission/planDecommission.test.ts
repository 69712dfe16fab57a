import {
  KubernetesEmulator,
  startKubernetesEmulator,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-test-utils';
import { join } from 'path';
import {
  LEGACY,
  LEGACY_LABELS,
  LEGACY_SECRET,
  readNamespace,
} from './__testUtils__/readNamespace';
import {
  ClusterObject,
  DecommissionPlan,
  planDecommission,
} from './planDecommission';

const names = (objects: Array<{ kind: string; name: string }>) =>
  objects.map(o => `${o.kind}/${o.name}`);

describe('planDecommission, on the demo production cluster', () => {
  let emulator: KubernetesEmulator;
  const read = () => readNamespace(emulator, 'shop');
  const everyName = (plan: DecommissionPlan) =>
    [...plan.scale, ...plan.delete, ...plan.withOwner, ...plan.kept].map(
      o => o.name,
    );

  beforeEach(async () => {
    emulator = await startKubernetesEmulator({
      manifests: join(__dirname, '../../../../examples/clusters/prod'),
    });
  });
  afterEach(async () => {
    await emulator?.stop();
  });

  it("deletes the retiring service's objects, routing first, and nothing of its neighbours", () => {
    const plan = planDecommission({ target: LEGACY, objects: read() });
    expect(names(plan.delete)).toEqual([
      'VirtualService/legacy-pricing-service',
      'DestinationRule/legacy-pricing-service',
      'AuthorizationPolicy/legacy-pricing-service',
      'PeerAuthentication/legacy-pricing-service',
      'ServiceMonitor/legacy-pricing-service',
      'PrometheusRule/legacy-pricing-service-alerts',
      'Service/legacy-pricing-service',
      'Deployment/legacy-pricing-service-v1',
      'ServiceAccount/legacy-pricing-service',
    ]);
    // Already scaled to zero by the seed's migration.
    expect(plan.scale).toEqual([]);
    expect(plan.kept).toEqual([]);
    expect(
      everyName(plan).filter(n => !n.startsWith('legacy-pricing-service')),
    ).toEqual([]);
  });

  it('keeps what another service uses or what holds data, unless listed, and names why', () => {
    emulator.apply({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'legacy-pricing-service-rates',
        namespace: 'shop',
        labels: LEGACY_LABELS,
      },
      data: { currency: 'EUR' },
    });
    emulator.apply(LEGACY_SECRET);
    emulator.apply({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: {
        name: 'legacy-pricing-service-cache',
        namespace: 'shop',
        labels: LEGACY_LABELS,
      },
      spec: {
        accessModes: ['ReadWriteOnce'],
        resources: { requests: { storage: '1Gi' } },
      },
    });
    // pricing-service, its replacement, still reads the rates.
    const pricing = emulator
      .list('apps/v1', 'Deployment', 'shop')
      .find(
        d =>
          (d as ClusterObject).metadata.labels?.[
            'backstage.io/kubernetes-id'
          ] === 'pricing-service',
      ) as ClusterObject;
    const spec = structuredClone(pricing.spec) as {
      template: { spec: { containers: Array<Record<string, unknown>> } };
    };
    spec.template.spec.containers[0].envFrom = [
      { configMapRef: { name: 'legacy-pricing-service-rates' } },
    ];
    emulator.apply({ ...pricing, spec });

    const plan = planDecommission({ target: LEGACY, objects: read() });
    expect(plan.kept).toEqual([
      expect.objectContaining({
        kind: 'ConfigMap',
        name: 'legacy-pricing-service-rates',
        reason: `shared: used by Deployment ${pricing.metadata.name}`,
      }),
      expect.objectContaining({
        kind: 'PersistentVolumeClaim',
        name: 'legacy-pricing-service-cache',
        reason: 'holds data: deleted only when listed in include',
      }),
    ]);
    expect(names(plan.delete)).toContain('Secret/legacy-pricing-service-db');

    const listed = planDecommission({
      target: LEGACY,
      objects: read(),
      include: [
        'ConfigMap/legacy-pricing-service-rates',
        'PersistentVolumeClaim/legacy-pricing-service-cache',
      ],
    });
    expect(listed.kept).toEqual([]);
    expect(names(listed.delete).slice(-4)).toEqual([
      'ConfigMap/legacy-pricing-service-rates',
      'Secret/legacy-pricing-service-db',
      'ServiceAccount/legacy-pricing-service',
      'PersistentVolumeClaim/legacy-pricing-service-cache',
    ]);
  });

  it('scales running workloads to zero first, and says what goes with them', () => {
    const [deployment] = emulator.list(
      'apps/v1',
      'Deployment',
      'shop',
      'backstage.io/kubernetes-id=legacy-pricing-service',
    ) as ClusterObject[];
    emulator.apply({
      ...deployment,
      spec: { ...(deployment.spec as object), replicas: 2 },
    });
    emulator.apply({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: 'legacy-pricing-service-v1-7d9c',
        namespace: 'shop',
        labels: LEGACY_LABELS,
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            name: deployment.metadata.name,
            uid: deployment.metadata.uid!,
            controller: true,
          },
        ],
      },
      spec: { selector: { matchLabels: { app: 'legacy-pricing-service' } } },
    });
    const plan = planDecommission({ target: LEGACY, objects: read() });
    expect(plan.scale).toEqual([
      expect.objectContaining({
        kind: 'Deployment',
        name: 'legacy-pricing-service-v1',
        reason: '2 replicas to 0',
      }),
    ]);
    expect(plan.withOwner).toEqual([
      expect.objectContaining({
        kind: 'ReplicaSet',
        name: 'legacy-pricing-service-v1-7d9c',
        reason: 'owned by Deployment legacy-pricing-service-v1',
      }),
    ]);
  });

  it('keeps a policy or route that serves other services too', () => {
    emulator.apply({
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: {
        name: 'legacy-pricing-service-namespace',
        namespace: 'shop',
        labels: LEGACY_LABELS,
      },
      spec: { action: 'ALLOW', rules: [{}] },
    });
    emulator.apply({
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: {
        name: 'legacy-pricing-service-both',
        namespace: 'shop',
        labels: LEGACY_LABELS,
      },
      spec: {
        hosts: ['legacy-pricing-service', 'pricing-service'],
        http: [{ route: [{ destination: { host: 'pricing-service' } }] }],
      },
    });
    const plan = planDecommission({ target: LEGACY, objects: read() });
    expect(plan.kept.map(k => [`${k.kind}/${k.name}`, k.reason])).toEqual([
      [
        'VirtualService/legacy-pricing-service-both',
        'shared: also routes Service pricing-service',
      ],
      [
        'AuthorizationPolicy/legacy-pricing-service-namespace',
        'shared: applies to every workload of its namespace',
      ],
    ]);
  });
});
