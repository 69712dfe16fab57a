import { mockServices } from '@backstage/backend-test-utils';
import { PermissionsService } from '@backstage/backend-plugin-api';
import { ConflictError, InputError, NotAllowedError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { meshLifecycleServiceAccount } from '../__testUtils__/testBackend';
import {
  ANNOTATION_EXPIRES_AT,
  ANNOTATION_OWNER,
  LABEL_ENVIRONMENT,
  LABEL_MANAGED_BY,
  LABEL_OWNER,
  LABEL_TEST_ENVIRONMENT,
  MANAGED_BY_MESH_LIFECYCLE,
  meshEnvironmentCreatePermission,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import {
  createMeshClustersService,
  readMeshLifecycleConfig,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-node';
import {
  JsonObject,
  KubernetesEmulator,
  startKubernetesEmulator,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-test-utils';
import yaml from 'yaml';
import { KubeConfig } from '@kubernetes/client-node';
import {
  LABEL_NAMESPACE_NAME,
  buildEnvironmentObjects,
} from '../environment/buildEnvironmentObjects';
import { applyObjects } from '../kubernetes/applyObjects';
import { createEnvironmentCreateAction } from './environmentCreate';
import { examples } from './environmentCreate.examples';

type CreateInput = Parameters<
  ReturnType<typeof createEnvironmentCreateAction>['handler']
>[0]['input'];

interface Metadata {
  name: string;
  namespace?: string;
  uid: string;
  resourceVersion: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

const HOUR = 3_600_000;

function metadataOf(obj: JsonObject | undefined): Metadata {
  expect(obj).toBeDefined();
  return obj?.metadata as unknown as Metadata;
}

/** Floors to whole seconds, as the expires-at annotation is written. */
function second(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}

describe('mesh:environment:create', () => {
  let emulator: KubernetesEmulator;

  beforeEach(async () => {
    emulator = await startKubernetesEmulator({
      name: 'test',
      tokens: meshLifecycleServiceAccount(),
      objects: [
        {
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: { name: 'shop', labels: { team: 'shop' } },
        },
      ],
    });
  });

  afterEach(async () => {
    await emulator.stop();
  });

  function action(
    permissions: PermissionsService = mockServices.permissions({
      result: AuthorizeResult.ALLOW,
    }),
  ) {
    const config = readMeshLifecycleConfig(
      mockServices.rootConfig({
        data: {
          meshLifecycle: {
            clusters: [
              {
                name: 'test',
                url: emulator.url,
                serviceAccountToken: emulator.token,
                allowInsecureHttp: true,
              },
              {
                name: 'prod',
                url: 'http://127.0.0.1:1',
                serviceAccountToken: 'prod-token-77e1',
                allowInsecureHttp: true,
              },
            ],
          },
        },
      }),
    );
    return createEnvironmentCreateAction({
      clusters: createMeshClustersService(config.clusters),
      permissions,
    });
  }

  async function run(input: CreateInput, options: { isDryRun?: boolean } = {}) {
    const ctx = { ...createMockActionContext({ input }), ...options };
    await action().handler(ctx);
    const outputs = new Map<string, unknown>();
    for (const [key, value] of jest.mocked(ctx.output).mock.calls) {
      outputs.set(String(key), value);
    }
    return {
      namespace: outputs.get('namespace') as string,
      expiresAt: outputs.get('expiresAt') as string,
      objects: outputs.get('objects') as Array<{
        kind: string;
        outcome: string;
      }>,
    };
  }

  const stored = (name: string) => ({
    namespace: emulator.get('v1', 'Namespace', undefined, name),
    policy: emulator.list('networking.k8s.io/v1', 'NetworkPolicy', name).at(0),
    quota: emulator.list('v1', 'ResourceQuota', name).at(0),
  });

  const versions = (name: string) => {
    const s = stored(name);
    return [s.namespace, s.policy, s.quota].map(
      o => metadataOf(o).resourceVersion,
    );
  };

  it.each(
    examples.map(e => [e.description, yaml.parse(e.example).steps[0]] as const),
  )('runs the documented example: %s', async (_description, step) => {
    expect(step.action).toBe('mesh:environment:create');
    const input = step.input as CreateInput;
    const before = Date.now();
    const result = await run(input);
    expect(result.namespace).toBe(input.name);
    expect(result.objects.map(o => `${o.kind} ${o.outcome}`)).toEqual([
      'Namespace created',
      'NetworkPolicy created',
      'ResourceQuota created',
    ]);
    const { namespace, policy, quota } = stored(input.name);
    const meta = metadataOf(namespace);
    expect(meta.labels).toMatchObject({
      'istio-injection': 'enabled',
      [LABEL_TEST_ENVIRONMENT]: 'true',
      [LABEL_MANAGED_BY]: MANAGED_BY_MESH_LIFECYCLE,
      [LABEL_OWNER]: input.owner.split('/')[1],
    });
    expect(meta.annotations?.[ANNOTATION_OWNER]).toBe(input.owner);
    expect(meta.annotations?.[ANNOTATION_EXPIRES_AT]).toBe(result.expiresAt);
    const ttlHours = input.ttl === '7d' ? 168 : 72;
    const expires = Date.parse(result.expiresAt);
    expect(expires).toBeGreaterThanOrEqual(second(before + ttlHours * HOUR));
    expect(expires).toBeLessThanOrEqual(Date.now() + ttlHours * HOUR);
    expect(metadataOf(policy).labels?.[LABEL_TEST_ENVIRONMENT]).toBe('true');
    const allowed = (
      policy?.spec as {
        ingress: Array<{
          from: Array<{
            namespaceSelector: {
              matchExpressions: Array<{ key: string; values: string[] }>;
            };
          }>;
        }>;
      }
    ).ingress[0].from[0].namespaceSelector.matchExpressions[0];
    expect(allowed.key).toBe(LABEL_NAMESPACE_NAME);
    expect(allowed.values).toEqual(
      expect.arrayContaining([
        input.name,
        'istio-system',
        input.monitoringNamespace ?? 'monitoring',
        ...(input.allowFromNamespaces ?? []),
      ]),
    );
    expect((quota?.spec as { hard: Record<string, string> }).hard).toEqual(
      expect.objectContaining({
        'requests.cpu': input.quota?.requests?.cpu ?? '4',
        pods: String(input.quota?.pods ?? 50),
      }),
    );
  });

  it('labels the namespace as a test environment of its owner', async () => {
    await run({ cluster: 'test', name: 'pr-7', owner: 'team-b', ttl: '30m' });
    const meta = metadataOf(stored('pr-7').namespace);
    expect(meta.labels).toMatchObject({
      [LABEL_ENVIRONMENT]: 'test',
      [LABEL_OWNER]: 'team-b',
    });
    expect(meta.annotations?.[ANNOTATION_OWNER]).toBe('group:default/team-b');
    expect(meta.annotations?.[ANNOTATION_EXPIRES_AT]).toMatch(
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/,
    );
  });

  it('changes nothing when run again, keeping the expiry unless extended', async () => {
    const input = {
      cluster: 'test',
      name: 'pr-8',
      owner: 'group:default/team-a',
    };
    const first = await run(input);
    const written = versions('pr-8');

    const again = await run({ ...input, ttl: '5d' });
    expect(again.expiresAt).toBe(first.expiresAt);
    expect(again.objects.map(o => o.outcome)).toEqual([
      'unchanged',
      'unchanged',
      'unchanged',
    ]);
    expect(versions('pr-8')).toEqual(written);

    const extended = await run({ ...input, ttl: '5d', extend: true });
    expect(Date.parse(extended.expiresAt)).toBeGreaterThan(
      Date.parse(first.expiresAt) + 47 * HOUR,
    );
    expect(extended.objects.map(o => o.outcome)).toEqual([
      'configured',
      'unchanged',
      'unchanged',
    ]);
    expect(
      metadataOf(stored('pr-8').namespace).annotations?.[ANNOTATION_EXPIRES_AT],
    ).toBe(extended.expiresAt);
  });

  it('gives an environment past its expiry a new one', async () => {
    // As the action would have written it, 72 hours before.
    const expired = buildEnvironmentObjects({
      name: 'pr-9',
      owner: 'team-a',
      expiresAt: new Date('2020-01-01T00:00:00Z'),
    });
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromString(emulator.kubeconfig());
    await applyObjects({ kubeConfig, objects: expired.objects });
    const again = await run({ cluster: 'test', name: 'pr-9', owner: 'team-a' });
    expect(Date.parse(again.expiresAt)).toBeGreaterThan(Date.now() + 71 * HOUR);
    expect(again.objects.map(o => o.outcome)).toEqual([
      'configured',
      'unchanged',
      'unchanged',
    ]);
    expect(
      metadataOf(stored('pr-9').namespace).annotations?.[ANNOTATION_EXPIRES_AT],
    ).toBe(again.expiresAt);
  });

  it.each([
    ['the dryRun input', { dryRun: true }, {}],
    ['a scaffolder dry run', {}, { isDryRun: true }],
  ])('creates nothing in %s', async (_what, extra, options) => {
    const result = await run(
      { cluster: 'test', name: 'pr-10', owner: 'team-a', ...extra },
      options,
    );
    expect(result.objects.map(o => `${o.kind} ${o.outcome}`)).toEqual([
      'Namespace created',
      'NetworkPolicy created',
      'ResourceQuota created',
    ]);
    expect(stored('pr-10')).toEqual({
      namespace: undefined,
      policy: undefined,
      quota: undefined,
    });
    expect(
      emulator.calls.count(
        c =>
          ['create', 'update', 'delete'].includes(c.verb) ||
          (c.verb === 'patch' && c.query.dryRun !== 'All'),
      ),
    ).toBe(0);
  });

  it('asks the permission policy for the user who runs the template', async () => {
    const permissions = mockServices.permissions.mock({
      authorize: async () => [{ result: AuthorizeResult.DENY }],
    });
    const ctx = createMockActionContext({
      input: { cluster: 'test', name: 'team-a-denied', owner: 'team-a' },
    });
    await expect(action(permissions).handler(ctx)).rejects.toThrow(
      NotAllowedError,
    );
    expect(permissions.authorize).toHaveBeenCalledWith(
      [{ permission: meshEnvironmentCreatePermission }],
      { credentials: expect.anything() },
    );
    expect(
      emulator.get('v1', 'Namespace', undefined, 'team-a-denied'),
    ).toBeUndefined();
    expect(emulator.calls.count({ verb: 'patch' })).toBe(0);
  });

  it('refuses a namespace that is not a test environment, writing nothing', async () => {
    const before = emulator.get('v1', 'Namespace', undefined, 'shop');
    await expect(
      run({ cluster: 'test', name: 'shop', owner: 'team-a' }),
    ).rejects.toThrow(ConflictError);
    await expect(
      run({ cluster: 'test', name: 'shop', owner: 'team-a' }),
    ).rejects.toThrow(
      'Namespace shop exists on cluster test and is not a Mesh Lifecycle test environment',
    );
    expect(emulator.get('v1', 'Namespace', undefined, 'shop')).toEqual(before);
    expect(emulator.list('networking.k8s.io/v1', 'NetworkPolicy')).toEqual([]);
    expect(emulator.calls.count({ verb: 'patch' })).toBe(0);
  });

  it("refuses another owner's test environment", async () => {
    await run({ cluster: 'test', name: 'pr-11', owner: 'team-a' });
    const written = versions('pr-11');
    await expect(
      run({ cluster: 'test', name: 'pr-11', owner: 'user:default/mallory' }),
    ).rejects.toThrow(/belongs to group:default\/team-a/);
    expect(versions('pr-11')).toEqual(written);
  });

  it('loses a race for a new namespace with a ConflictError, writing nothing else', async () => {
    // Someone creates the namespace between this run's check and its create.
    emulator.faults.add({
      method: 'POST',
      path: '/api/v1/namespaces',
      status: 409,
      times: 1,
    });
    await expect(
      run({ cluster: 'test', name: 'pr-13', owner: 'team-a' }),
    ).rejects.toThrow(
      'Namespace pr-13 was created on cluster test by someone else while this ran',
    );
    expect(emulator.calls.count({ verb: 'patch' })).toBe(0);
    expect(emulator.list('networking.k8s.io/v1', 'NetworkPolicy')).toEqual([]);
  });

  it.each([
    [{ cluster: 'staging' }, /^Input cluster .*\(test, prod\), got "staging"$/],
    [{ name: 'PR_12' }, /^Input name /],
    [{ ttl: '31d' }, /^Input ttl /],
    [{ ttl: 'forever' }, /^Input ttl /],
    [{ owner: 'component:default/x' }, /^Input owner /],
    [{ quota: { pods: -1 } }, /^Input quota\.pods /],
    [{ allowFromNamespaces: ['a b'] }, /^Input allowFromNamespaces\[0\] /],
  ])('refuses %j before asking the cluster', async (bad, message) => {
    const input = { cluster: 'test', name: 'pr-12', owner: 'team-a', ...bad };
    const error = await run(input as CreateInput).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(message);
    expect(emulator.calls.count()).toBe(0);
  });

  it('reports an unreachable cluster without its credentials', async () => {
    const error = await run({
      cluster: 'prod',
      name: 'pr-13',
      owner: 'team-a',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain('on cluster prod');
    expect((error as Error).message).not.toContain('prod-token-77e1');
  });
});
