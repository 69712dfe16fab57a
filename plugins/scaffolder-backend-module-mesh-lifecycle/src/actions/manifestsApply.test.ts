import {
  createMockDirectory,
  mockServices,
} from '@backstage/backend-test-utils';
import { PermissionsService } from '@backstage/backend-plugin-api';
import { ConflictError, InputError, NotAllowedError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import {
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
} from '@kubernetes/client-node';
import {
  MeshClustersService,
  createMeshClustersService,
  readMeshLifecycleConfig,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-node';
import {
  KubernetesEmulator,
  startKubernetesEmulator,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-test-utils';
import { meshManifestsApplyPermission } from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import yaml from 'yaml';
import { MESH_LIFECYCLE_FIELD_MANAGER } from '../kubernetes/applyObjects';
import { MeshManifestsInput, buildMeshManifests } from './buildMeshManifests';
import { createManifestsApplyAction } from './manifestsApply';
import { examples } from './manifestsApply.examples';

type ApplyInput = Parameters<
  ReturnType<typeof createManifestsApplyAction>['handler']
>[0]['input'];

interface Report {
  kind: string;
  name: string;
  namespace?: string;
  outcome: string;
  changes: Array<{ path: string; before?: unknown; after?: unknown }>;
  managers?: string[];
  message?: string;
}

interface TestObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  spec?: Record<string, unknown>;
}

const mockDir = createMockDirectory();

function manifests(input: Partial<MeshManifestsInput> = {}): TestObject[] {
  return buildMeshManifests({
    name: 'cart',
    namespace: 'shop',
    image: 'cart:1',
    createNamespace: true,
    ...input,
  }).map(m => structuredClone(m.object) as unknown as TestObject);
}

/** Writes the objects as the generate action would, the Istio ones in one multi-document file. */
function writeWorkspace(objects: TestObject[], folder = 'manifests') {
  const istio = objects.filter(o => o.apiVersion.includes('istio.io'));
  const files: Record<string, string> = {
    'istio.yaml': istio.map(o => yaml.stringify(o)).join('---\n'),
  };
  for (const o of objects.filter(x => !istio.includes(x))) {
    files[`${o.kind.toLowerCase()}.yml`] = yaml.stringify(o);
  }
  mockDir.setContent({ workspace: { [folder]: files } });
}

const exampleSteps = examples.map(e => {
  const step = yaml.parse(e.example).steps[0];
  return [e.description, step] as const;
});

describe('mesh:manifests:apply', () => {
  let emulator: KubernetesEmulator;
  let clusters: MeshClustersService;

  beforeEach(async () => {
    mockDir.clear();
    emulator = await startKubernetesEmulator({ name: 'dev' });
    const config = mockServices.rootConfig({
      data: {
        meshLifecycle: {
          clusters: [
            {
              name: 'dev',
              url: emulator.url,
              serviceAccountToken: emulator.token,
              allowInsecureHttp: true,
            },
            {
              name: 'prod',
              url: 'https://prod.example.com',
              serviceAccountToken: 'prod-token',
            },
          ],
        },
      },
    });
    clusters = createMeshClustersService(
      readMeshLifecycleConfig(config).clusters,
    );
  });

  afterEach(async () => {
    await emulator?.stop();
  });

  let lastLog: string[] = [];

  async function run(
    input: ApplyInput,
    options: { isDryRun?: boolean; permissions?: PermissionsService } = {},
  ) {
    const action = createManifestsApplyAction({
      clusters,
      permissions:
        options.permissions ??
        mockServices.permissions({ result: AuthorizeResult.ALLOW }),
    });
    const logger = mockServices.logger.mock();
    const ctx = {
      ...createMockActionContext({
        input,
        workspacePath: mockDir.resolve('workspace'),
        logger,
      }),
      // createMockActionContext drops isDryRun.
      isDryRun: options.isDryRun,
    };
    await action.handler(ctx);
    lastLog = jest.mocked(logger.info).mock.calls.map(([line]) => line);
    const outputs = new Map<string, unknown>();
    for (const [key, value] of jest.mocked(ctx.output).mock.calls) {
      outputs.set(String(key), value);
    }
    return {
      objects: outputs.get('objects') as Report[],
      created: outputs.get('created'),
      configured: outputs.get('configured'),
      unchanged: outputs.get('unchanged'),
      dryRun: outputs.get('dryRun'),
    };
  }

  const stored = (o: TestObject) =>
    emulator.get(o.apiVersion, o.kind, o.metadata.namespace, o.metadata.name);

  const resourceVersions = (objects: TestObject[]) =>
    objects.map(
      o =>
        (stored(o)?.metadata as { resourceVersion?: string })?.resourceVersion,
    );

  function one(reports: Report[], kind: string): Report {
    const found = reports.filter(r => r.kind === kind);
    expect(found).toHaveLength(1);
    return found[0];
  }

  it.each(exampleSteps)(
    'runs the documented example: %s',
    async (_description, step) => {
      expect(step.action).toBe('mesh:manifests:apply');
      const namespace: string = step.input.namespace ?? 'shop';
      const objects = manifests({ namespace }).map(o => {
        // Namespaced objects without a namespace go to the input's.
        if (step.input.namespace && o.kind !== 'Namespace') {
          const { namespace: _ns, ...metadata } = o.metadata;
          return { ...o, metadata };
        }
        return o;
      });
      writeWorkspace(objects, step.input.path);
      const result = await run(step.input);
      const dryRun = step.input.dryRun === true;
      expect(result.dryRun).toBe(dryRun);
      expect(result.objects).toHaveLength(objects.length);
      expect(result.created).toBe(objects.length);
      expect(
        result.objects
          .filter(r => r.kind !== 'Namespace')
          .map(r => r.namespace),
      ).toEqual(
        objects.filter(o => o.kind !== 'Namespace').map(() => namespace),
      );
      const deployment = one(result.objects, 'Deployment');
      const written = emulator.get(
        'apps/v1',
        'Deployment',
        namespace,
        deployment.name,
      );
      expect(written === undefined).toBe(dryRun);
    },
  );

  it('creates, then leaves alone, then changes only what differs', async () => {
    const objects = manifests();
    writeWorkspace(objects);
    const first = await run({ cluster: 'dev' });
    expect(first).toMatchObject({
      created: objects.length,
      configured: 0,
      unchanged: 0,
      dryRun: false,
    });
    for (const o of objects) {
      const managedFields = (
        stored(o)?.metadata as { managedFields: Array<{ manager: string }> }
      ).managedFields;
      expect(managedFields.map(f => f.manager)).toEqual([
        MESH_LIFECYCLE_FIELD_MANAGER,
      ]);
    }

    const before = resourceVersions(objects);
    const second = await run({ cluster: 'dev' });
    expect(second).toMatchObject({
      created: 0,
      configured: 0,
      unchanged: objects.length,
    });
    expect(resourceVersions(objects)).toEqual(before);

    writeWorkspace(manifests({ traffic: { timeout: '2s' } }));
    const third = await run({ cluster: 'dev' });
    expect(third).toMatchObject({
      created: 0,
      configured: 1,
      unchanged: objects.length - 1,
    });
    expect(one(third.objects, 'VirtualService')).toMatchObject({
      outcome: 'configured',
      changes: [{ path: 'spec.http[0].timeout', before: '5s', after: '2s' }],
    });
  });

  it('writes nothing in a dry run, by input or by the scaffolder', async () => {
    const objects = manifests();
    writeWorkspace(objects);
    const byInput = await run({ cluster: 'dev', dryRun: true });
    expect(byInput).toMatchObject({ dryRun: true, created: objects.length });
    for (const o of objects) expect(stored(o)).toBeUndefined();

    await run({ cluster: 'dev' });
    const before = resourceVersions(objects);
    writeWorkspace(manifests({ replicas: 4 }));
    const byScaffolder = await run({ cluster: 'dev' }, { isDryRun: true });
    expect(byScaffolder).toMatchObject({ dryRun: true, configured: 1 });
    expect(one(byScaffolder.objects, 'Deployment').changes).toEqual([
      { path: 'spec.replicas', before: 2, after: 4 },
    ]);
    expect(lastLog).toContain(
      'Deployment cart-v1 in namespace shop would be configured on dev',
    );
    expect(lastLog).toContain('  changes: spec.replicas');
    expect(lastLog).toContain('Namespace shop would be unchanged on dev');
    expect(resourceVersions(objects)).toEqual(before);
  });

  it('refuses objects of Argo CD unless forced', async () => {
    const objects = manifests({ createNamespace: false });
    emulator.apply({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'shop' },
    });
    const deployment = objects.find(o => o.kind === 'Deployment') as TestObject;
    const kc = new KubeConfig();
    kc.loadFromString(emulator.kubeconfig());
    await KubernetesObjectApi.makeApiClient(kc).patch(
      structuredClone(deployment),
      undefined,
      undefined,
      'argocd-controller',
      false,
      PatchStrategy.ServerSideApply,
    );
    const before = resourceVersions([deployment]);
    writeWorkspace(manifests({ createNamespace: false, image: 'cart:2' }));

    const refused = run({ cluster: 'dev' });
    await expect(refused).rejects.toThrow(ConflictError);
    await expect(refused).rejects.toThrow(
      'Deployment cart-v1 in namespace shop is managed by argocd-controller (Argo CD)',
    );
    await expect(refused).rejects.toThrow('force: true');
    expect(resourceVersions([deployment])).toEqual(before);
    for (const o of objects.filter(x => x !== deployment)) {
      expect(stored(o)).toBeUndefined();
    }

    const forced = await run({ cluster: 'dev', force: true });
    expect(one(forced.objects, 'Deployment')).toMatchObject({
      outcome: 'configured',
      managers: ['argocd-controller (Argo CD)'],
    });
    const taken = stored(deployment) as {
      metadata: { managedFields: Array<{ manager: string }> };
      spec: { template: { spec: { containers: Array<{ image: string }> } } };
    };
    expect(taken.spec.template.spec.containers[0].image).toBe('cart:2');
    expect(taken.metadata.managedFields.map(f => f.manager)).toEqual([
      MESH_LIFECYCLE_FIELD_MANAGER,
    ]);
  });

  it('fails with the Status message when the cluster refuses an object', async () => {
    emulator.apply({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'shop' },
    });
    const objects = manifests({ createNamespace: false });
    const deployment = objects.find(o => o.kind === 'Deployment') as TestObject;
    deployment.spec = { ...deployment.spec, replicas: 'two' };
    writeWorkspace(objects);
    const refused = run({ cluster: 'dev', force: true });
    await expect(refused).rejects.toThrow(
      /refused Deployment cart-v1 in namespace shop: .*spec\.replicas: Invalid value.*Nothing was written/,
    );
    await expect(refused).rejects.not.toThrow(ConflictError);
    for (const o of objects) expect(stored(o)).toBeUndefined();
  });

  it('asks the permission policy for the user who runs the template', async () => {
    const objects = manifests();
    writeWorkspace(objects);
    const permissions = mockServices.permissions.mock({
      authorize: async () => [{ result: AuthorizeResult.DENY }],
    });
    const denied = run({ cluster: 'dev' }, { permissions });
    await expect(denied).rejects.toThrow(NotAllowedError);
    await expect(denied).rejects.toThrow(
      'not allowed to mesh-lifecycle.manifests.apply on cluster dev',
    );
    for (const o of objects) expect(stored(o)).toBeUndefined();
    expect(permissions.authorize).toHaveBeenCalledWith(
      [{ permission: meshManifestsApplyPermission }],
      { credentials: expect.anything() },
    );
  });

  it('accepts only a configured cluster name', async () => {
    writeWorkspace(manifests());
    const unknown = run({ cluster: 'staging' });
    await expect(unknown).rejects.toThrow(InputError);
    await expect(unknown).rejects.toThrow(
      'Input cluster must be the name of a cluster configured for Mesh Lifecycle (dev, prod), got "staging"',
    );
    const url = run({ cluster: `${emulator.url}?token=${emulator.token}` });
    await expect(url).rejects.toThrow(
      /^Input cluster must be the name of a cluster configured for Mesh Lifecycle \(dev, prod\)$/,
    );
  });

  it.each<[string, () => void, ApplyInput, string | RegExp]>([
    [
      'a path outside the workspace',
      () => writeWorkspace(manifests()),
      { cluster: 'dev', path: '../elsewhere' },
      'Input path must be a folder inside the workspace',
    ],
    [
      'a missing folder',
      () => writeWorkspace(manifests()),
      { cluster: 'dev', path: 'deploy' },
      'Input path must be a folder of the workspace, "deploy" is not one',
    ],
    [
      'a folder without manifests',
      () => mockDir.setContent({ workspace: { manifests: { 'a.txt': 'x' } } }),
      { cluster: 'dev' },
      'Input path: "manifests" holds no Kubernetes object',
    ],
    [
      'unparsable YAML',
      () =>
        mockDir.setContent({
          workspace: {
            manifests: {
              'a.yaml': yaml.stringify(manifests()[0]),
              'b.yaml': 'kind: [Service\n',
            },
          },
        }),
      { cluster: 'dev' },
      /^Input path: manifests\/b\.yaml is not valid YAML \(document 1\)/,
    ],
    [
      'an object without a name',
      () =>
        mockDir.setContent({
          workspace: {
            manifests: {
              'a.yaml': `${yaml.stringify(
                manifests()[0],
              )}---\napiVersion: v1\nkind: ConfigMap\nmetadata: {}\n`,
            },
          },
        }),
      { cluster: 'dev' },
      'Input path: manifests/a.yaml document 2 must be a Kubernetes object with apiVersion, kind and metadata.name',
    ],
    [
      'an invalid namespace',
      () => writeWorkspace(manifests()),
      { cluster: 'dev', namespace: 'Shop_1' },
      'Input namespace must be',
    ],
  ])('rejects %s with an InputError', async (_, setup, input, message) => {
    setup();
    const promise = run(input);
    await expect(promise).rejects.toThrow(InputError);
    await expect(promise).rejects.toThrow(message);
    expect(emulator.list('v1', 'Namespace').map(n => n.metadata)).not.toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'shop' })]),
    );
  });
});
