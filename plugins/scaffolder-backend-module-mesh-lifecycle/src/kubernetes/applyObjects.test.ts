import {
  KubeConfig,
  KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
} from '@kubernetes/client-node';
import {
  KubernetesEmulator,
  startKubernetesEmulator,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-test-utils';
import {
  MeshManifestsInput,
  buildMeshManifests,
} from '../actions/buildMeshManifests';
import {
  AppliedObjectReport,
  MESH_LIFECYCLE_FIELD_MANAGER,
  applyObjects,
} from './applyObjects';

interface TestObject extends KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  spec?: Record<string, unknown>;
}

function manifests(input: Partial<MeshManifestsInput> = {}): TestObject[] {
  return buildMeshManifests({
    name: 'cart',
    namespace: 'shop',
    image: 'cart:1',
    createNamespace: true,
    ...input,
  }).map(m => structuredClone(m.object) as unknown as TestObject);
}

function deploymentOf(objects: TestObject[]): TestObject {
  const found = objects.find(o => o.kind === 'Deployment');
  if (!found) throw new Error('no Deployment');
  return found;
}

function report(
  reports: AppliedObjectReport[],
  kind: string,
): AppliedObjectReport {
  const found = reports.filter(r => r.kind === kind);
  expect(found).toHaveLength(1);
  return found[0];
}

describe('applyObjects', () => {
  let emulator: KubernetesEmulator;
  let kubeConfig: KubeConfig;
  let client: KubernetesObjectApi;

  beforeEach(async () => {
    emulator = await startKubernetesEmulator();
    kubeConfig = new KubeConfig();
    kubeConfig.loadFromString(emulator.kubeconfig());
    client = KubernetesObjectApi.makeApiClient(kubeConfig);
  });

  afterEach(async () => {
    await emulator?.stop();
  });

  const stored = (o: TestObject) =>
    emulator.get(o.apiVersion, o.kind, o.metadata.namespace, o.metadata.name);

  const resourceVersions = (objects: TestObject[]) =>
    objects.map(o => {
      const metadata = stored(o)?.metadata as { resourceVersion?: string };
      return metadata?.resourceVersion;
    });

  it('creates every object in dependency order with its field manager', async () => {
    const objects = manifests({ hpa: {} });
    const shuffled = [...objects].reverse();
    const result = await applyObjects({ kubeConfig, objects: shuffled });

    expect(result).toMatchObject({ dryRun: false, applied: true });
    const kinds = result.objects.map(r => r.kind);
    expect(kinds[0]).toBe('Namespace');
    expect(kinds.indexOf('ServiceAccount')).toBeLessThan(
      kinds.indexOf('Service'),
    );
    expect(kinds.indexOf('Service')).toBeLessThan(kinds.indexOf('Deployment'));
    expect(kinds.indexOf('Deployment')).toBeLessThan(
      kinds.indexOf('VirtualService'),
    );
    expect(kinds.indexOf('Deployment')).toBeLessThan(
      kinds.indexOf('HorizontalPodAutoscaler'),
    );
    expect(kinds).toHaveLength(objects.length);

    for (const r of result.objects) {
      expect(r.outcome).toBe('created');
      expect(r.message).toBeUndefined();
      expect(r.changes.length).toBeGreaterThan(0);
    }
    expect(report(result.objects, 'Deployment').changes).toContainEqual({
      path: 'spec.template.spec.containers[0].image',
      after: 'cart:1',
    });
    for (const o of objects) {
      const metadata = stored(o)?.metadata as {
        managedFields?: Array<{ manager: string; operation: string }>;
      };
      expect(metadata.managedFields).toEqual([
        expect.objectContaining({
          manager: MESH_LIFECYCLE_FIELD_MANAGER,
          operation: 'Apply',
        }),
      ]);
    }
  });

  it('writes nothing when re-applied, and only what changed', async () => {
    const objects = manifests();
    await applyObjects({ kubeConfig, objects });
    const before = resourceVersions(objects);
    expect(before.every(v => v !== undefined)).toBe(true);

    const again = await applyObjects({ kubeConfig, objects: manifests() });
    expect(again.applied).toBe(false);
    expect(again.objects.map(r => r.outcome)).toEqual(
      objects.map(() => 'unchanged'),
    );
    expect(again.objects.flatMap(r => r.changes)).toEqual([]);
    expect(resourceVersions(objects)).toEqual(before);

    const changed = manifests({ image: 'cart:2', replicas: 3 });
    const result = await applyObjects({ kubeConfig, objects: changed });
    expect(result.applied).toBe(true);
    const deployment = report(result.objects, 'Deployment');
    expect(deployment.outcome).toBe('configured');
    expect(deployment.changes).toEqual(
      expect.arrayContaining([
        {
          path: 'spec.template.spec.containers[0].image',
          before: 'cart:1',
          after: 'cart:2',
        },
        { path: 'spec.replicas', before: 2, after: 3 },
      ]),
    );
    expect(
      result.objects.filter(r => r.outcome !== 'unchanged').map(r => r.kind),
    ).toEqual(['Deployment']);
    const deploymentIndex = objects.findIndex(o => o.kind === 'Deployment');
    const after = resourceVersions(objects);
    expect(after[deploymentIndex]).not.toBe(before[deploymentIndex]);
    expect(after.filter((_, i) => i !== deploymentIndex)).toEqual(
      before.filter((_, i) => i !== deploymentIndex),
    );
    expect(stored(deploymentOf(objects))?.spec).toMatchObject({ replicas: 3 });
  });

  it('removes fields it no longer applies', async () => {
    await applyObjects({
      kubeConfig,
      objects: manifests({ env: { LOG_LEVEL: 'debug' } }),
    });
    const result = await applyObjects({ kubeConfig, objects: manifests() });
    expect(report(result.objects, 'Deployment')).toMatchObject({
      outcome: 'configured',
      changes: [
        {
          path: 'spec.template.spec.containers[0].env',
          before: [{ name: 'LOG_LEVEL', value: 'debug' }],
        },
      ],
    });
    const containers = (
      stored(deploymentOf(manifests()))?.spec as {
        template: { spec: { containers: Array<Record<string, unknown>> } };
      }
    ).template.spec.containers;
    expect(containers[0].env).toBeUndefined();
  });

  it('only reports in a dry run', async () => {
    const first = await applyObjects({
      kubeConfig,
      objects: manifests(),
      dryRun: true,
    });
    expect(first).toMatchObject({ dryRun: true, applied: false });
    expect(first.objects.every(r => r.outcome === 'created')).toBe(true);
    // The namespace does not exist: its objects could not be dry-run.
    expect(report(first.objects, 'Namespace').message).toBeUndefined();
    expect(report(first.objects, 'Deployment').message).toMatch(
      /not dry-run: namespace shop is created by this apply/,
    );
    for (const o of manifests()) expect(stored(o)).toBeUndefined();

    await applyObjects({ kubeConfig, objects: manifests() });
    const before = resourceVersions(manifests());
    const changed = await applyObjects({
      kubeConfig,
      objects: manifests({ image: 'cart:3' }),
      dryRun: true,
    });
    expect(changed.applied).toBe(false);
    expect(report(changed.objects, 'Deployment')).toMatchObject({
      outcome: 'configured',
      changes: [
        {
          path: 'spec.template.spec.containers[0].image',
          before: 'cart:1',
          after: 'cart:3',
        },
      ],
    });
    expect(resourceVersions(manifests())).toEqual(before);
  });

  it('leaves objects of a GitOps controller alone unless forced', async () => {
    const objects = manifests({ createNamespace: false });
    emulator.apply({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'shop' },
    });
    const argo = structuredClone(deploymentOf(objects));
    await client.patch(
      argo,
      undefined,
      undefined,
      'argocd-controller',
      false,
      PatchStrategy.ServerSideApply,
    );
    const service = objects.find(o => o.kind === 'Service') as TestObject;

    const refused = await applyObjects({
      kubeConfig,
      objects: manifests({ createNamespace: false, image: 'cart:2' }),
    });
    expect(refused.applied).toBe(false);
    const deployment = report(refused.objects, 'Deployment');
    expect(deployment).toMatchObject({
      outcome: 'owned-elsewhere',
      managers: ['argocd-controller (Argo CD)'],
      changes: [
        {
          path: 'spec.template.spec.containers[0].image',
          before: 'cart:1',
          after: 'cart:2',
        },
      ],
    });
    expect(report(refused.objects, 'Service').outcome).toBe('created');
    expect(stored(service)).toBeUndefined();

    const forced = await applyObjects({
      kubeConfig,
      objects: manifests({ createNamespace: false, image: 'cart:2' }),
      force: true,
    });
    expect(forced.applied).toBe(true);
    expect(report(forced.objects, 'Deployment')).toMatchObject({
      outcome: 'configured',
      managers: ['argocd-controller (Argo CD)'],
    });
    const taken = stored(argo) as {
      metadata: { managedFields: Array<{ manager: string }> };
      spec: { template: { spec: { containers: Array<{ image: string }> } } };
    };
    expect(taken.spec.template.spec.containers[0].image).toBe('cart:2');
    expect(taken.metadata.managedFields.map(f => f.manager)).toEqual([
      MESH_LIFECYCLE_FIELD_MANAGER,
    ]);
    expect(stored(service)).toBeDefined();
  });

  it('recognises GitOps markers and controlling owners', async () => {
    const [namespace, account] = manifests().filter(o =>
      ['Namespace', 'ServiceAccount'].includes(o.kind),
    );
    emulator.apply(namespace);
    emulator.apply({
      ...account,
      metadata: {
        ...account.metadata,
        labels: { 'kustomize.toolkit.fluxcd.io/name': 'shop' },
        ownerReferences: [
          {
            apiVersion: 'flagger.app/v1beta1',
            kind: 'Canary',
            name: 'cart',
            uid: '0b1c6c57-3a4b-4cbe-8a44-9b5b8a1f4a11',
          },
        ],
      },
    });
    const result = await applyObjects({
      kubeConfig,
      objects: [namespace, account],
    });
    // Created by someone else without a marker: adopted, not refused.
    expect(report(result.objects, 'Namespace').outcome).toBe('configured');
    expect(report(result.objects, 'ServiceAccount')).toMatchObject({
      outcome: 'owned-elsewhere',
      managers: [
        'Flux (kustomize.toolkit.fluxcd.io/name)',
        'Flagger (Canary cart)',
      ],
    });
  });

  it('reports a field conflict with the managers the server names', async () => {
    await applyObjects({ kubeConfig, objects: manifests() });
    const deployment = deploymentOf(manifests());
    await client.patch(
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: deployment.metadata,
        spec: { replicas: 5 },
      } as TestObject,
      undefined,
      undefined,
      'hpa-tuner',
      true,
      PatchStrategy.ServerSideApply,
    );
    const before = resourceVersions([deployment]);

    const refused = await applyObjects({ kubeConfig, objects: manifests() });
    expect(refused.applied).toBe(false);
    expect(report(refused.objects, 'Deployment')).toMatchObject({
      outcome: 'conflict',
      managers: ['hpa-tuner'],
      message: expect.stringContaining('.spec.replicas'),
      changes: [{ path: 'spec.replicas', before: 5, after: 2 }],
    });
    expect(resourceVersions([deployment])).toEqual(before);

    const forced = await applyObjects({
      kubeConfig,
      objects: manifests(),
      force: true,
    });
    expect(report(forced.objects, 'Deployment').outcome).toBe('configured');
    expect(stored(deployment)?.spec).toMatchObject({ replicas: 2 });
  });

  it('writes nothing when the server refuses an object, even forced', async () => {
    emulator.apply({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'shop' },
    });
    const objects = manifests({ createNamespace: false });
    const deployment = deploymentOf(objects);
    deployment.spec = { ...deployment.spec, replicas: 'two' };
    const result = await applyObjects({ kubeConfig, objects, force: true });
    expect(result.applied).toBe(false);
    expect(report(result.objects, 'Deployment')).toMatchObject({
      outcome: 'failed',
      message: expect.stringMatching(/spec\.replicas: Invalid value/),
    });
    for (const o of objects) expect(stored(o)).toBeUndefined();
  });

  it('creates a new namespace first and writes nothing into it that the server refuses', async () => {
    const objects = manifests();
    const deployment = deploymentOf(objects);
    deployment.spec = { ...deployment.spec, replicas: 'two' };
    const planned = await applyObjects({ kubeConfig, objects, dryRun: true });
    // A dry-run cannot look inside a namespace that does not exist yet.
    expect(report(planned.objects, 'Deployment')).toMatchObject({
      outcome: 'created',
      message: 'not dry-run: namespace shop is created by this apply',
    });

    const result = await applyObjects({ kubeConfig, objects });
    expect(result.applied).toBe(true);
    expect(report(result.objects, 'Deployment')).toMatchObject({
      outcome: 'failed',
      message: expect.stringMatching(/spec\.replicas: Invalid value/),
    });
    expect(
      stored(objects.find(o => o.kind === 'Namespace') as TestObject),
    ).toBeDefined();
    for (const o of objects.filter(x => x.kind !== 'Namespace')) {
      expect(stored(o)).toBeUndefined();
    }
  });

  it('adopts an identical object created by someone else, then leaves it alone', async () => {
    const objects = manifests();
    const [namespace, account] = ['Namespace', 'ServiceAccount'].map(
      kind => objects.find(o => o.kind === kind) as TestObject,
    );
    await client.create(namespace, undefined, undefined, 'kubectl-create');
    await client.create(account, undefined, undefined, 'kubectl-create');

    const first = await applyObjects({
      kubeConfig,
      objects: [namespace, account],
    });
    expect(first.objects.map(o => [o.kind, o.outcome, o.changes])).toEqual([
      ['Namespace', 'configured', []],
      ['ServiceAccount', 'configured', []],
    ]);
    expect(report(first.objects, 'ServiceAccount').message).toContain(
      'adopts it',
    );
    const managers = (
      (
        stored(account)?.metadata as {
          managedFields?: Array<{ manager: string; operation: string }>;
        }
      ).managedFields ?? []
    ).map(f => `${f.manager}:${f.operation}`);
    expect(managers).toContain(`${MESH_LIFECYCLE_FIELD_MANAGER}:Apply`);

    const again = await applyObjects({
      kubeConfig,
      objects: [namespace, account],
    });
    expect(again.objects.map(o => o.outcome)).toEqual([
      'unchanged',
      'unchanged',
    ]);
  });

  it('fails kinds the cluster does not serve and objects without a name', async () => {
    const result = await applyObjects({
      kubeConfig,
      objects: [
        {
          apiVersion: 'example.com/v1',
          kind: 'Widget',
          metadata: { name: 'w' },
        },
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: {} },
      ],
    });
    expect(result.applied).toBe(false);
    expect(result.objects).toEqual([
      expect.objectContaining({
        kind: 'ConfigMap',
        outcome: 'failed',
        message: 'apiVersion, kind and metadata.name are required',
      }),
      expect.objectContaining({
        kind: 'Widget',
        outcome: 'failed',
        message: expect.stringContaining('/apis/example.com/v1'),
      }),
    ]);
  });

  it('puts namespaced objects in the default namespace and redacts Secret values', async () => {
    emulator.apply({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'team' },
    });
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'db' },
      stringData: { password: 'hunter2' },
    };
    const result = await applyObjects({
      kubeConfig,
      objects: [secret],
      defaultNamespace: 'team',
    });
    const [r] = result.objects;
    expect(r).toMatchObject({ namespace: 'team', outcome: 'created' });
    expect(JSON.stringify(r)).not.toContain('hunter2');
    expect(r.changes.some(c => c.path.startsWith('stringData'))).toBe(true);
    expect(emulator.get('v1', 'Secret', 'team', 'db')).toBeDefined();
  });
});
