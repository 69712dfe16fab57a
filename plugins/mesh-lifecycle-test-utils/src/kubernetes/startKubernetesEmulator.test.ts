import {
  ApisApi,
  ApiException,
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
  V1ConfigMap,
  V1Deployment,
  Watch,
  makeInformer,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { connect as connectHttp2 } from 'node:http2';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  KubernetesEmulator,
  startKubernetesEmulator,
} from './startKubernetesEmulator';

interface StatusBody {
  /** HTTP status code of the answer. */
  httpCode: number;
  kind: string;
  metadata?: { continue?: string };
  status: string;
  code: number;
  reason: string;
  message: string;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    causes?: Array<{ reason: string; field?: string; message: string }>;
  };
}

/** Runs a client call that must fail and returns the parsed Status body. */
async function failure(call: Promise<unknown>): Promise<StatusBody> {
  try {
    await call;
  } catch (error) {
    if (error instanceof ApiException) {
      const body: unknown =
        typeof error.body === 'string' ? JSON.parse(error.body) : error.body;
      return { ...(body as StatusBody), httpCode: error.code };
    }
    throw error;
  }
  throw new Error('the call was expected to fail');
}

async function waitFor(
  check: () => boolean,
  what: string,
  timeoutMs = 4000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise(resolve => setTimeout(resolve, 20));
  }
}

interface WatchedEvent {
  type: string;
  object: {
    kind?: string;
    metadata?: { name?: string };
    code?: number;
    reason?: string;
    message?: string;
  };
}

/**
 * The events of a client-node watch from a resourceVersion, until the server
 * ends it or `count` events have come. The callback only hears answers with
 * HTTP 200: any other status ends the watch with an error instead.
 */
async function watchEvents(
  kc: KubeConfig,
  path: string,
  resourceVersion: string,
  count = Infinity,
): Promise<WatchedEvent[]> {
  const events: WatchedEvent[] = [];
  let controller: AbortController | undefined;
  await new Promise<void>((resolve, reject) => {
    new Watch(kc)
      .watch(
        path,
        { resourceVersion },
        (type: string, object: WatchedEvent['object']) => {
          events.push({ type, object });
          if (events.length >= count) {
            controller?.abort();
            resolve();
          }
        },
        err => (err && events.length < count ? reject(err) : resolve()),
      )
      .then(started => {
        controller = started;
      })
      .catch(reject);
  });
  return events;
}

function clientFor(emulator: KubernetesEmulator, token?: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(emulator.kubeconfig(token ? { token } : {}));
  return kc;
}

function deployment(
  name: string,
  extra: Partial<V1Deployment['spec']> = {},
): V1Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'shop', labels: { app: name } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [
            {
              name: 'app',
              image: 'nginx:1.27',
              ports: [{ containerPort: 80 }],
            },
          ],
        },
      },
      ...extra,
    },
  };
}

function namespaceObject(name: string) {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
}

const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const strategic = setHeaderOptions(
  'Content-Type',
  PatchStrategy.StrategicMergePatch,
);

describe('startKubernetesEmulator', () => {
  let emulator: KubernetesEmulator;
  let core: CoreV1Api;
  let apps: AppsV1Api;

  beforeEach(async () => {
    emulator = await startKubernetesEmulator({
      objects: [namespaceObject('shop')],
    });
    const kc = clientFor(emulator);
    core = kc.makeApiClient(CoreV1Api);
    apps = kc.makeApiClient(AppsV1Api);
  });

  afterEach(async () => {
    await emulator.stop();
  });

  it('creates, reads and replaces objects with resourceVersion conflicts', async () => {
    const created = await core.createNamespacedConfigMap({
      namespace: 'shop',
      body: { metadata: { name: 'settings' }, data: { mode: 'a' } },
    });
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata?.creationTimestamp).toBeInstanceOf(Date);
    const again = await failure(
      core.createNamespacedConfigMap({
        namespace: 'shop',
        body: { metadata: { name: 'settings' } },
      }),
    );
    expect(again).toMatchObject({
      code: 409,
      reason: 'AlreadyExists',
      details: { name: 'settings', kind: 'configmaps' },
    });

    const generated = await core.createNamespacedConfigMap({
      namespace: 'shop',
      body: { metadata: { generateName: 'gen-' } },
    });
    expect(generated.metadata?.name).toMatch(/^gen-[a-z0-9]{5}$/);

    const updated = await core.replaceNamespacedConfigMap({
      name: 'settings',
      namespace: 'shop',
      body: { ...created, data: { mode: 'b' } },
    });
    expect(Number(updated.metadata?.resourceVersion)).toBeGreaterThan(
      Number(created.metadata?.resourceVersion),
    );
    const stale = await failure(
      core.replaceNamespacedConfigMap({
        name: 'settings',
        namespace: 'shop',
        body: { ...created, data: { mode: 'c' } },
      }),
    );
    expect(stale).toMatchObject({ code: 409, reason: 'Conflict' });
    expect(stale.message).toContain('the object has been modified');

    const missing = await failure(
      core.readNamespacedConfigMap({ name: 'nope', namespace: 'shop' }),
    );
    expect(missing).toMatchObject({
      kind: 'Status',
      code: 404,
      reason: 'NotFound',
      message: 'configmaps "nope" not found',
    });
    // Like the API server, the core group is left out of the details.
    expect(missing.details).toEqual({ name: 'nope', kind: 'configmaps' });
  });

  it('lists with label selectors, field selectors, paging and across namespaces', async () => {
    const pods: Array<[string, string, Record<string, string>]> = [
      ['a', 'shop', { app: 'web', tier: 'front' }],
      ['b', 'shop', { app: 'api', tier: 'back' }],
      ['c', 'shop', { app: 'db' }],
      ['d', 'shop', { app: 'web', tier: 'back' }],
      ['e', 'other', { app: 'web' }],
    ];
    for (const [name, namespace, labels] of pods) {
      emulator.apply({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, namespace, labels },
        spec: { containers: [{ name: 'c', image: 'busybox' }] },
      });
    }
    const names = async (labelSelector?: string, fieldSelector?: string) =>
      (
        await core.listNamespacedPod({
          namespace: 'shop',
          labelSelector,
          fieldSelector,
        })
      ).items.map(p => p.metadata?.name);

    expect(await names('app=web')).toEqual(['a', 'd']);
    expect(await names('app==web,tier=back')).toEqual(['d']);
    expect(await names('app!=web')).toEqual(['b', 'c']);
    expect(await names('app in (api,db)')).toEqual(['b', 'c']);
    expect(await names('app notin (api,db)')).toEqual(['a', 'd']);
    expect(await names('tier')).toEqual(['a', 'b', 'd']);
    expect(await names('!tier')).toEqual(['c']);
    expect(await names(undefined, 'metadata.name=b')).toEqual(['b']);
    expect(
      await names(undefined, 'metadata.name!=b,metadata.namespace==shop'),
    ).toEqual(['a', 'c', 'd']);

    const all = await core.listPodForAllNamespaces({
      labelSelector: 'app=web',
    });
    expect(
      all.items.map(p => `${p.metadata?.namespace}/${p.metadata?.name}`),
    ).toEqual(['other/e', 'shop/a', 'shop/d']);
    expect(Number(all.metadata?.resourceVersion)).toBeGreaterThanOrEqual(5);

    const first = await core.listNamespacedPod({ namespace: 'shop', limit: 3 });
    expect(first.items.map(p => p.metadata?.name)).toEqual(['a', 'b', 'c']);
    expect(first.metadata?.remainingItemCount).toBe(1);
    const second = await core.listNamespacedPod({
      namespace: 'shop',
      limit: 3,
      _continue: first.metadata?._continue,
    });
    expect(second.items.map(p => p.metadata?.name)).toEqual(['d']);
    expect(second.metadata?._continue).toBeUndefined();

    const bad = await failure(
      core.listNamespacedPod({
        namespace: 'shop',
        labelSelector: 'app in web',
      }),
    );
    expect(bad).toMatchObject({ code: 400, reason: 'BadRequest' });

    await core.deleteCollectionNamespacedPod({
      namespace: 'shop',
      labelSelector: 'tier=back',
    });
    expect(await names()).toEqual(['a', 'c']);
  });

  it('tracks generation, patches (merge, JSON, strategic) and the scale and status subresources', async () => {
    const created = await apps.createNamespacedDeployment({
      namespace: 'shop',
      body: deployment('web'),
    });
    expect(created.metadata?.generation).toBe(1);

    const merged = await apps.patchNamespacedDeployment(
      {
        name: 'web',
        namespace: 'shop',
        body: { metadata: { labels: { team: 'blue' } } },
      },
      merge,
    );
    expect(merged.metadata?.labels).toEqual({ app: 'web', team: 'blue' });
    expect(merged.metadata?.generation).toBe(1);

    const patched = await apps.patchNamespacedDeployment(
      {
        name: 'web',
        namespace: 'shop',
        body: {
          spec: {
            template: {
              spec: {
                containers: [
                  { name: 'sidecar', image: 'envoy:1' },
                  { name: 'app', image: 'nginx:1.28' },
                ],
              },
            },
          },
        },
      },
      strategic,
    );
    expect(
      patched.spec?.template.spec?.containers.map(c => `${c.name}=${c.image}`),
    ).toEqual(['app=nginx:1.28', 'sidecar=envoy:1']);
    expect(patched.spec?.template.spec?.containers[0].ports).toEqual([
      { containerPort: 80 },
    ]);
    expect(patched.metadata?.generation).toBe(2);

    const jsonPatched = await apps.patchNamespacedDeployment(
      {
        name: 'web',
        namespace: 'shop',
        body: [{ op: 'replace', path: '/spec/replicas', value: 4 }],
      },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    );
    expect(jsonPatched.spec?.replicas).toBe(4);

    const scale = await apps.readNamespacedDeploymentScale({
      name: 'web',
      namespace: 'shop',
    });
    expect(scale).toMatchObject({
      kind: 'Scale',
      spec: { replicas: 4 },
      status: { selector: 'app=web' },
    });
    await apps.replaceNamespacedDeploymentScale({
      name: 'web',
      namespace: 'shop',
      body: { ...scale, spec: { replicas: 6 } },
    });
    expect(
      (await apps.readNamespacedDeployment({ name: 'web', namespace: 'shop' }))
        .spec?.replicas,
    ).toBe(6);
    await apps.patchNamespacedDeploymentScale(
      { name: 'web', namespace: 'shop', body: { spec: { replicas: 1 } } },
      merge,
    );
    expect(emulator.get('apps/v1', 'Deployment', 'shop', 'web')).toMatchObject({
      spec: { replicas: 1 },
    });

    const current = await apps.readNamespacedDeployment({
      name: 'web',
      namespace: 'shop',
    });
    const withStatus = await apps.replaceNamespacedDeploymentStatus({
      name: 'web',
      namespace: 'shop',
      body: {
        ...current,
        spec: { ...current.spec!, replicas: 9 },
        status: { replicas: 1, readyReplicas: 1 },
      },
    });
    expect(withStatus.status).toEqual({ replicas: 1, readyReplicas: 1 });
    expect(withStatus.spec?.replicas).toBe(1);
    const ignored = await apps.replaceNamespacedDeployment({
      name: 'web',
      namespace: 'shop',
      body: { ...withStatus, status: { replicas: 0 } },
    });
    expect(ignored.status).toEqual({ replicas: 1, readyReplicas: 1 });
  });

  it('answers dry runs without persisting anything or emitting events', async () => {
    const seen: string[] = [];
    const informer = makeInformer(
      clientFor(emulator),
      '/api/v1/namespaces/shop/configmaps',
      () => core.listNamespacedConfigMap({ namespace: 'shop' }),
    );
    informer.on('add', obj => seen.push(obj.metadata?.name ?? ''));
    await informer.start();
    const answer = await core.createNamespacedConfigMap({
      namespace: 'shop',
      body: { metadata: { name: 'dry' } },
      dryRun: 'All',
    });
    expect(answer.metadata?.name).toBe('dry');
    emulator.apply({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'real', namespace: 'shop' },
    });
    await core.deleteNamespacedConfigMap({
      name: 'real',
      namespace: 'shop',
      dryRun: 'All',
    });
    await waitFor(
      () => seen.includes('real'),
      'the informer to see the real object',
    );
    await informer.stop();
    expect(seen).toEqual(['real']);
    expect(emulator.get('v1', 'ConfigMap', 'shop', 'dry')).toBeUndefined();
    expect(emulator.get('v1', 'ConfigMap', 'shop', 'real')).toBeDefined();
  });

  it('keeps objects with finalizers until the finalizers are removed', async () => {
    await core.createNamespacedConfigMap({
      namespace: 'shop',
      body: { metadata: { name: 'held', finalizers: ['example.com/cleanup'] } },
    });
    await core.deleteNamespacedConfigMap({ name: 'held', namespace: 'shop' });
    const held = await core.readNamespacedConfigMap({
      name: 'held',
      namespace: 'shop',
    });
    expect(held.metadata?.deletionTimestamp).toBeInstanceOf(Date);
    await core.replaceNamespacedConfigMap({
      name: 'held',
      namespace: 'shop',
      body: { ...held, metadata: { ...held.metadata, finalizers: [] } },
    });
    const gone = await failure(
      core.readNamespacedConfigMap({ name: 'held', namespace: 'shop' }),
    );
    expect(gone.code).toBe(404);
  });

  it('refuses writes into a namespace that does not exist, and creates into one being deleted', async () => {
    const objects = KubernetesObjectApi.makeApiClient(clientFor(emulator));
    const notFound = {
      httpCode: 404,
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'namespaces "nowhere" not found',
      reason: 'NotFound',
      details: { name: 'nowhere', kind: 'namespaces' },
      code: 404,
    };
    const configMap = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cm', namespace: 'nowhere' },
      data: { a: '1' },
    };
    for (const dryRun of [undefined, 'All']) {
      expect(
        await failure(
          core.createNamespacedConfigMap({
            namespace: 'nowhere',
            body: configMap,
            dryRun,
          }),
        ),
      ).toEqual(notFound);
      expect(
        await failure(
          objects.patch(
            configMap,
            undefined,
            dryRun,
            'mesh-lifecycle',
            undefined,
            PatchStrategy.ServerSideApply,
          ),
        ),
      ).toEqual(notFound);
    }
    // Only a fixture can hold an object in a missing namespace; writing it is refused, deleting it is not.
    emulator.apply(configMap);
    const seeded = await core.readNamespacedConfigMap({
      name: 'cm',
      namespace: 'nowhere',
    });
    expect(
      await failure(
        core.replaceNamespacedConfigMap({
          name: 'cm',
          namespace: 'nowhere',
          body: { ...seeded, data: { a: '2' } },
        }),
      ),
    ).toEqual(notFound);
    expect(
      await failure(
        core.patchNamespacedConfigMap(
          { name: 'cm', namespace: 'nowhere', body: { data: { a: '3' } } },
          merge,
        ),
      ),
    ).toEqual(notFound);
    await core.deleteNamespacedConfigMap({ name: 'cm', namespace: 'nowhere' });
    expect(emulator.get('v1', 'ConfigMap', 'nowhere', 'cm')).toBeUndefined();
    await core.createNamespace({ body: { metadata: { name: 'nowhere' } } });
    const applied = await objects.patch<V1ConfigMap>(
      configMap,
      undefined,
      undefined,
      'mesh-lifecycle',
      undefined,
      PatchStrategy.ServerSideApply,
    );
    expect(applied.metadata?.uid).toBeDefined();

    await core.createNamespace({
      body: { metadata: { name: 'closing', finalizers: ['example.com/hold'] } },
    });
    emulator.apply({
      ...configMap,
      metadata: { name: 'old', namespace: 'closing' },
    });
    await core.deleteNamespace({ name: 'closing' });
    const terminating = await failure(
      core.createNamespacedConfigMap({
        namespace: 'closing',
        body: { metadata: { name: 'new' } },
        dryRun: 'All',
      }),
    );
    expect(terminating).toEqual({
      httpCode: 403,
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message:
        'configmaps "new" is forbidden: unable to create new content in namespace closing because it is being terminated',
      reason: 'Forbidden',
      details: {
        name: 'new',
        kind: 'configmaps',
        causes: [
          {
            reason: 'NamespaceTerminating',
            message: 'namespace closing is being terminated',
            field: 'metadata.namespace',
          },
        ],
      },
      code: 403,
    });
    // Objects already there may still be changed while the namespace goes.
    const changed = await core.patchNamespacedConfigMap(
      { name: 'old', namespace: 'closing', body: { data: { a: '4' } } },
      merge,
    );
    expect(changed.data).toEqual({ a: '4' });
  });

  it('does not write a server-side apply that changes nothing', async () => {
    const objects = KubernetesObjectApi.makeApiClient(clientFor(emulator));
    const apply = (manager: string, data: Record<string, string>) =>
      objects.patch<V1ConfigMap>(
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'applied', namespace: 'shop' },
          data,
        } as KubernetesObject,
        undefined,
        undefined,
        manager,
        undefined,
        PatchStrategy.ServerSideApply,
      );
    const first = await apply('mesh-lifecycle', { a: '1' });
    const firstVersion = first.metadata?.resourceVersion;
    const firstTime = first.metadata?.managedFields?.[0].time;
    expect(firstTime).toBeInstanceOf(Date);
    // managedFields times have a precision of seconds: let the clock pass the first one.
    await waitFor(
      () => Date.now() >= (firstTime?.getTime() ?? 0) + 1000,
      'the next second',
      2000,
    );
    const watch = await fetch(
      `${emulator.url}/api/v1/namespaces/shop/configmaps?watch=true&timeoutSeconds=1&resourceVersion=${firstVersion}`,
      { headers: { authorization: `Bearer ${emulator.token}` } },
    );

    const again = await apply('mesh-lifecycle', { a: '1' });
    expect(again.metadata?.resourceVersion).toBe(firstVersion);
    expect(again.metadata?.managedFields).toEqual(
      first.metadata?.managedFields,
    );
    // Another manager taking shared ownership changes managedFields: that is written.
    const shared = await apply('other', { a: '1' });
    expect(Number(shared.metadata?.resourceVersion)).toBeGreaterThan(
      Number(firstVersion),
    );
    expect(shared.metadata?.managedFields?.map(f => f.manager)).toEqual([
      'mesh-lifecycle',
      'other',
    ]);

    const events = (await watch.text())
      .trim()
      .split('\n')
      .map(line => JSON.parse(line));
    expect(
      events.map(e => `${e.type} ${e.object.metadata.resourceVersion}`),
    ).toEqual([`MODIFIED ${shared.metadata?.resourceVersion}`]);
  });

  it('deletes only when the DeleteOptions preconditions match', async () => {
    const created = await core.createNamespace({
      body: { metadata: { name: 'env' } },
    });
    const uid = created.metadata?.uid ?? '';
    const resourceVersion = created.metadata?.resourceVersion ?? '';
    const deleteEnv = (preconditions: {
      uid?: string;
      resourceVersion?: string;
    }) =>
      core.deleteNamespace({
        name: 'env',
        body: { kind: 'DeleteOptions', apiVersion: 'v1', preconditions },
      });

    expect(
      await failure(deleteEnv({ uid: 'other-uid', resourceVersion })),
    ).toEqual({
      httpCode: 409,
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: `Operation cannot be fulfilled on namespaces "env": Precondition failed: UID in precondition: other-uid, UID in object meta: ${uid}`,
      reason: 'Conflict',
      details: { name: 'env', kind: 'namespaces' },
      code: 409,
    });
    const stale = await failure(deleteEnv({ uid, resourceVersion: '1' }));
    expect(stale).toMatchObject({ code: 409, reason: 'Conflict' });
    expect(stale.message).toBe(
      `Operation cannot be fulfilled on namespaces "env": Precondition failed: ResourceVersion in precondition: 1, ResourceVersion in object meta: ${resourceVersion}`,
    );
    expect(emulator.get('v1', 'Namespace', undefined, 'env')).toBeDefined();
    await deleteEnv({ uid, resourceVersion });
    expect(emulator.get('v1', 'Namespace', undefined, 'env')).toBeUndefined();

    // Other resources answer with the generic registry's message, naming the kind.
    const deployed = await apps.createNamespacedDeployment({
      namespace: 'shop',
      body: deployment('web'),
    });
    const replaced = await failure(
      apps.deleteNamespacedDeployment({
        name: 'web',
        namespace: 'shop',
        body: { preconditions: { uid: 'old-uid' } },
      }),
    );
    expect(replaced).toMatchObject({
      code: 409,
      reason: 'Conflict',
      message: `Operation cannot be fulfilled on Deployment.apps "web": the UID in the precondition (old-uid) does not match the UID in record (${deployed.metadata?.uid}). The object might have been deleted and then recreated`,
      details: { name: 'web', group: 'apps', kind: 'Deployment' },
    });
    const modified = await failure(
      apps.deleteNamespacedDeployment({
        name: 'web',
        namespace: 'shop',
        body: { preconditions: { resourceVersion: '1' } },
      }),
    );
    expect(modified.message).toBe(
      `Operation cannot be fulfilled on Deployment.apps "web": the ResourceVersion in the precondition (1) does not match the ResourceVersion in record (${deployed.metadata?.resourceVersion}). The object might have been modified`,
    );
    // dryRun in the body is honoured as in the query.
    await apps.deleteNamespacedDeployment({
      name: 'web',
      namespace: 'shop',
      body: {
        dryRun: ['All'],
        preconditions: { uid: deployed.metadata?.uid },
      },
    });
    expect(emulator.get('apps/v1', 'Deployment', 'shop', 'web')).toBeDefined();
  });

  it('rejects invalid objects with 422 Status bodies naming the field', async () => {
    const noName = deployment('web');
    noName.spec!.template.spec!.containers = [{ image: 'nginx' } as never];
    const invalid = await failure(
      apps.createNamespacedDeployment({ namespace: 'shop', body: noName }),
    );
    expect(invalid).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      code: 422,
      reason: 'Invalid',
      message:
        'Deployment.apps "web" is invalid: spec.template.spec.containers[0].name: Required value',
      details: { name: 'web', group: 'apps', kind: 'Deployment' },
    });
    expect(invalid.details?.causes?.[0]).toEqual({
      reason: 'FieldValueRequired',
      message: 'Required value',
      field: 'spec.template.spec.containers[0].name',
    });

    const badPort = deployment('web');
    badPort.spec!.template.spec!.containers[0].ports = [
      { containerPort: 'http' as never },
    ];
    const typeError = await failure(
      apps.createNamespacedDeployment({ namespace: 'shop', body: badPort }),
    );
    expect(typeError.details?.causes?.[0]).toMatchObject({
      reason: 'FieldValueInvalid',
      field: 'spec.template.spec.containers[0].ports[0].containerPort',
    });

    const badName = await failure(
      core.createNamespacedConfigMap({
        namespace: 'shop',
        body: { metadata: { name: 'Bad_Name' } },
      }),
    );
    expect(badName).toMatchObject({
      code: 422,
      reason: 'Invalid',
      details: { causes: [{ field: 'metadata.name' }] },
    });
    expect(emulator.list('apps/v1', 'Deployment')).toEqual([]);
  });

  it('serves Istio VirtualServices in v1 and v1beta1 from one storage', async () => {
    const custom = clientFor(emulator).makeApiClient(CustomObjectsApi);
    const target = {
      group: 'networking.istio.io',
      namespace: 'shop',
      plural: 'virtualservices',
    };
    await custom.createNamespacedCustomObject({
      ...target,
      version: 'v1',
      body: {
        apiVersion: 'networking.istio.io/v1',
        kind: 'VirtualService',
        metadata: { name: 'reviews' },
        spec: {
          hosts: ['reviews'],
          http: [
            { route: [{ destination: { host: 'reviews', subset: 'v1' } }] },
          ],
        },
      },
    });
    const beta = await custom.listNamespacedCustomObject({
      ...target,
      version: 'v1beta1',
    });
    expect(beta.items).toHaveLength(1);
    expect(beta.items[0].apiVersion).toBe('networking.istio.io/v1beta1');
    const patched = await custom.patchNamespacedCustomObject(
      {
        ...target,
        version: 'v1beta1',
        name: 'reviews',
        body: { spec: { hosts: ['reviews', 'reviews.shop'] } },
      },
      merge,
    );
    expect(patched.spec.hosts).toEqual(['reviews', 'reviews.shop']);
    const v1 = await custom.getNamespacedCustomObject({
      ...target,
      version: 'v1',
      name: 'reviews',
    });
    expect(v1).toMatchObject({
      apiVersion: 'networking.istio.io/v1',
      spec: { hosts: ['reviews', 'reviews.shop'] },
    });

    const invalid = await failure(
      custom.createNamespacedCustomObject({
        ...target,
        version: 'v1',
        body: {
          apiVersion: 'networking.istio.io/v1',
          kind: 'VirtualService',
          metadata: { name: 'bad' },
          spec: { hosts: 'x' },
        },
      }),
    );
    expect(invalid).toMatchObject({
      code: 422,
      details: { kind: 'VirtualService', causes: [{ field: 'spec.hosts' }] },
    });
  });

  it('serves only the v1beta1 Istio APIs when asked to (Istio before 1.22)', async () => {
    const old = await startKubernetesEmulator({
      istioNetworkingVersions: ['v1beta1'],
      istioSecurityVersions: ['v1beta1'],
      tls: true,
    });
    try {
      const custom = clientFor(old).makeApiClient(CustomObjectsApi);
      for (const [group, plural] of [
        ['networking.istio.io', 'virtualservices'],
        ['security.istio.io', 'peerauthentications'],
      ]) {
        const target = { group, namespace: 'shop', plural };
        expect(
          (
            await custom.listNamespacedCustomObject({
              ...target,
              version: 'v1beta1',
            })
          ).items,
        ).toEqual([]);
        expect(
          await failure(
            custom.listNamespacedCustomObject({ ...target, version: 'v1' }),
          ),
        ).toMatchObject({ code: 404, reason: 'NotFound' });
      }
    } finally {
      await old.stop();
    }
  });

  it('serves HTTP/2 over TLS to clients that offer it: lists and watches as streams of one connection', async () => {
    const served = await startKubernetesEmulator({ tls: true });
    const session = connectHttp2(served.url, { rejectUnauthorized: false });
    try {
      const get = (path: string) =>
        session.request({
          ':path': path,
          authorization: `Bearer ${served.token}`,
        });
      const answer = (path: string) =>
        new Promise<{ status: unknown; body: string }>((resolve, reject) => {
          const stream = get(path);
          let status: unknown;
          let body = '';
          stream.setEncoding('utf8');
          stream.on('response', headers => {
            status = headers[':status'];
          });
          stream.on('data', (piece: string) => {
            body += piece;
          });
          stream.on('end', () => resolve({ status, body }));
          stream.on('error', reject);
        });
      const listed = await answer('/api/v1/namespaces');
      expect(listed.status).toBe(200);
      const { metadata } = JSON.parse(listed.body) as {
        metadata: { resourceVersion: string };
      };

      const events: string[] = [];
      const watch = get(
        `/api/v1/namespaces?watch=true&resourceVersion=${metadata.resourceVersion}`,
      );
      watch.setEncoding('utf8');
      watch.on('data', (piece: string) => {
        for (const line of piece.split('\n').filter(Boolean)) {
          const event = JSON.parse(line) as {
            type: string;
            object: { metadata: { name: string } };
          };
          events.push(`${event.type} ${event.object.metadata.name}`);
        }
      });
      served.apply({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'shop' },
      });
      await waitFor(() => events.includes('ADDED shop'), 'the watch event');
      expect((await answer('/api/v1/namespaces/shop')).status).toBe(200);
      // Another watch, and an unauthenticated request: same connection.
      const refused = await new Promise<unknown>(resolve => {
        const stream = session.request({ ':path': '/api/v1/pods' });
        stream.on('response', headers => resolve(headers[':status']));
        stream.resume();
      });
      expect(refused).toBe(401);
      expect(served.connections).toEqual({ opened: 1, open: 1 });

      // The server ending its watches ends the streams, not the connection.
      const ended = new Promise(resolve => watch.on('end', resolve));
      watch.resume();
      served.closeWatches();
      await ended;
      expect(session.closed).toBe(false);
      expect((await answer('/api/v1/namespaces')).status).toBe(200);
    } finally {
      session.close();
      await served.stop();
    }
    // HTTP/1.1 only when asked: no HTTP/2 for a client that offers it.
    const http1 = await startKubernetesEmulator({ tls: true, http2: false });
    try {
      const refusedSession = connectHttp2(http1.url, {
        rejectUnauthorized: false,
      });
      const refusal = await new Promise<unknown>(resolve => {
        refusedSession.on('error', resolve);
        refusedSession.on('connect', () => resolve(undefined));
      });
      refusedSession.destroy();
      expect(String(refusal)).toMatch(/no application protocol/);
    } finally {
      await http1.stop();
    }
  });

  it('counts the connections clients open, and those still open', async () => {
    const counted = await startKubernetesEmulator({ tls: true });
    try {
      expect(counted.connections).toEqual({ opened: 0, open: 0 });
      // The client makes a new connection for every request.
      const perRequest = clientFor(counted).makeApiClient(CoreV1Api);
      await perRequest.listNamespace();
      await perRequest.listNamespace();
      expect(counted.connections.opened).toBe(2);
      // Requests on one kept-alive connection count once.
      const agent = new Agent({ keepAlive: true, rejectUnauthorized: false });
      const get = () =>
        new Promise<number | undefined>((resolve, reject) => {
          request(
            `${counted.url}/api/v1/namespaces`,
            { agent, headers: { Authorization: `Bearer ${counted.token}` } },
            response => {
              response.resume();
              response.on('end', () => resolve(response.statusCode));
            },
          )
            .on('error', reject)
            .end();
        });
      expect([await get(), await get(), await get()]).toEqual([200, 200, 200]);
      expect(counted.connections.opened).toBe(3);
      expect(counted.connections.open).toBeGreaterThanOrEqual(1);
      agent.destroy();
      await waitFor(() => counted.connections.open === 0, 'connections closed');
      expect(counted.connections).toEqual({ opened: 3, open: 0 });
    } finally {
      await counted.stop();
    }
  });

  it('serves no monitoring.coreos.com when asked to (a cluster without prometheus-operator)', async () => {
    const bare = await startKubernetesEmulator({ prometheusOperator: false });
    try {
      const { groups } = await clientFor(bare)
        .makeApiClient(ApisApi)
        .getAPIVersions();
      const names = groups.map(g => g.name);
      expect(names).toContain('networking.istio.io');
      expect(names).not.toContain('monitoring.coreos.com');
      expect(
        await failure(
          clientFor(bare)
            .makeApiClient(CustomObjectsApi)
            .listNamespacedCustomObject({
              group: 'monitoring.coreos.com',
              version: 'v1',
              namespace: 'shop',
              plural: 'servicemonitors',
            }),
        ),
      ).toMatchObject({ code: 404 });
      expect(() =>
        bare.apply({
          apiVersion: 'monitoring.coreos.com/v1',
          kind: 'ServiceMonitor',
          metadata: { name: 'web', namespace: 'shop' },
          spec: { selector: {}, endpoints: [] },
        }),
      ).toThrow(/no resource is served/);
    } finally {
      await bare.stop();
    }
  });

  it('supports the generic object API with server-side apply and field manager conflicts', async () => {
    const objects = KubernetesObjectApi.makeApiClient(clientFor(emulator));
    await objects.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'plain', namespace: 'shop' },
      data: { a: '1' },
    });
    const read = await objects.read<V1ConfigMap>({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'plain', namespace: 'shop' },
    });
    expect(read.data).toEqual({ a: '1' });
    const mergePatched = await objects.patch<V1ConfigMap>(
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'plain', namespace: 'shop' },
        data: { b: '2' },
      } as KubernetesObject,
      undefined,
      undefined,
      undefined,
      undefined,
      PatchStrategy.MergePatch,
    );
    expect(mergePatched.data).toEqual({ a: '1', b: '2' });

    const apply = (
      manager: string | undefined,
      replicas: number,
      force?: boolean,
    ) =>
      objects.patch<V1Deployment>(
        {
          ...deployment('api'),
          spec: { ...deployment('api').spec!, replicas },
        },
        undefined,
        undefined,
        manager,
        force,
        PatchStrategy.ServerSideApply,
      );
    const applied = await apply('mesh-lifecycle', 3);
    expect(applied.spec?.replicas).toBe(3);
    expect(applied.metadata?.uid).toBeDefined();
    expect(
      applied.metadata?.managedFields?.map(f => `${f.manager}:${f.operation}`),
    ).toEqual(['mesh-lifecycle:Apply']);
    expect(applied.metadata?.managedFields?.[0].fieldsV1).toMatchObject({
      'f:spec': { 'f:replicas': {} },
    });
    expect((await apply('mesh-lifecycle', 4)).spec?.replicas).toBe(4);
    expect((await apply('other-controller', 4)).spec?.replicas).toBe(4);

    const conflict = await failure(apply('other-controller', 5));
    expect(conflict).toMatchObject({
      code: 409,
      reason: 'Conflict',
      details: { causes: [{ field: '.spec.replicas' }] },
    });
    expect(conflict.message).toBe(
      'Apply failed with 1 conflict: conflict with "mesh-lifecycle": .spec.replicas',
    );
    expect((await apply('other-controller', 5, true)).spec?.replicas).toBe(5);
    const lostOwnership = await failure(apply('mesh-lifecycle', 6));
    expect(lostOwnership.message).toContain('conflict with "other-controller"');

    const noManager = await failure(apply(undefined, 1));
    expect(noManager).toMatchObject({
      code: 422,
      details: { causes: [{ field: 'fieldManager' }] },
    });

    const listed = await objects.list('apps/v1', 'Deployment', 'shop');
    expect(listed.items.map(i => i.metadata?.name)).toEqual(['api']);
    await objects.delete({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'api', namespace: 'shop' },
    });
    expect(
      emulator.get('apps/v1', 'Deployment', 'shop', 'api'),
    ).toBeUndefined();
  });

  it('feeds informers with ADDED, MODIFIED and DELETED events', async () => {
    const kc = clientFor(emulator);
    const informer = makeInformer(
      kc,
      '/apis/apps/v1/namespaces/shop/deployments',
      () => apps.listNamespacedDeployment({ namespace: 'shop' }),
    );
    const events: string[] = [];
    informer.on('add', d => events.push(`add:${d.metadata?.name}`));
    informer.on('update', d =>
      events.push(`update:${d.metadata?.name}:${d.spec?.replicas}`),
    );
    informer.on('delete', d => events.push(`delete:${d.metadata?.name}`));
    emulator.apply(deployment('seeded'));
    await informer.start();
    await apps.createNamespacedDeployment({
      namespace: 'shop',
      body: deployment('web'),
    });
    await apps.patchNamespacedDeployment(
      { name: 'web', namespace: 'shop', body: { spec: { replicas: 7 } } },
      merge,
    );
    await apps.deleteNamespacedDeployment({ name: 'web', namespace: 'shop' });
    await waitFor(() => events.length >= 4, 'informer events');
    await informer.stop();
    expect(events).toEqual([
      'add:seeded',
      'add:web',
      'update:web:7',
      'delete:web',
    ]);
  });

  it('answers 410 Expired to watches older than the history, which makes informers relist', async () => {
    const kc = clientFor(emulator);
    const path = '/api/v1/namespaces/shop/configmaps';
    const zero = await core.createNamespacedConfigMap({
      namespace: 'shop',
      body: { metadata: { name: 'zero' } },
    });
    const one = await core.createNamespacedConfigMap({
      namespace: 'shop',
      body: { metadata: { name: 'one' } },
    });
    emulator.compactHistory();
    // HTTP 200, one ERROR event, then the end of the stream: what
    // kube-apiserver's watch cache answers.
    expect(
      await watchEvents(kc, path, zero.metadata?.resourceVersion ?? ''),
    ).toEqual([
      {
        type: 'ERROR',
        object: {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          message: `too old resource version: ${zero.metadata?.resourceVersion} (${one.metadata?.resourceVersion})`,
          reason: 'Expired',
          code: 410,
        },
      },
    ]);

    const informer = makeInformer(kc, path, () =>
      core.listNamespacedConfigMap({ namespace: 'shop' }),
    );
    const added: string[] = [];
    const deleted: string[] = [];
    informer.on('add', cm => added.push(cm.metadata?.name ?? ''));
    informer.on('delete', cm => deleted.push(cm.metadata?.name ?? ''));
    await informer.start();
    await waitFor(() => added.includes('one'), 'the initial list');
    // The next watch opens but hears nothing: 'two' and the delete of 'zero'
    // are missed, then the history is compacted.
    emulator.faults.add({ path, stallWatch: true, times: 1 });
    emulator.closeWatches();
    await waitFor(
      () => emulator.calls.count({ verb: 'watch' }) >= 3,
      'the stalled watch',
    );
    emulator.apply({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'two', namespace: 'shop' },
    });
    emulator.remove('v1', 'ConfigMap', 'shop', 'zero');
    emulator.compactHistory();
    const listsBefore = emulator.calls.count({
      verb: 'list',
      resource: 'configmaps',
    });
    emulator.closeWatches();
    await waitFor(
      () => added.includes('two') && deleted.includes('zero'),
      'the relist after 410',
    );
    await informer.stop();
    expect(emulator.calls.count({ verb: 'list', resource: 'configmaps' })).toBe(
      listsBefore + 1,
    );
    expect(informer.list('shop').map(cm => cm.metadata?.name)).toEqual(
      expect.arrayContaining(['one', 'two']),
    );
    expect(informer.list('shop')).toHaveLength(2);
  });

  it('keeps a bounded event history per resource type, like the watch cache', async () => {
    const small = await startKubernetesEmulator({
      objects: [namespaceObject('shop')],
      watchHistorySize: 2,
    });
    try {
      const kc = clientFor(small);
      const smallCore = kc.makeApiClient(CoreV1Api);
      const path = '/api/v1/namespaces/shop/configmaps';
      const revisions: number[] = [];
      for (const name of ['a', 'b', 'c']) {
        const created = await smallCore.createNamespacedConfigMap({
          namespace: 'shop',
          body: { metadata: { name } },
        });
        revisions.push(Number(created.metadata?.resourceVersion));
      }
      const [a, b] = revisions;
      // Writes of another kind do not push ConfigMap events out.
      for (const name of ['x', 'y', 'z']) small.apply(deployment(name));
      const seen = (events: WatchedEvent[]) =>
        events.map(e => `${e.type} ${e.object.metadata?.name}`);
      // Only b and c are kept: a watch from a still misses nothing...
      expect(seen(await watchEvents(kc, path, String(a), 2))).toEqual([
        'ADDED b',
        'ADDED c',
      ]);
      // ...but one from before a would miss a: the oldest kept event is b.
      expect(await watchEvents(kc, path, String(a - 1))).toEqual([
        {
          type: 'ERROR',
          object: expect.objectContaining({
            code: 410,
            reason: 'Expired',
            message: `too old resource version: ${a - 1} (${b - 1})`,
          }),
        },
      ]);

      // An informer resuming from before the window relists.
      const informer = makeInformer(kc, path, () =>
        smallCore.listNamespacedConfigMap({ namespace: 'shop' }),
      );
      const names: string[] = [];
      informer.on('add', cm => names.push(cm.metadata?.name ?? ''));
      await informer.start();
      const watches = small.calls.count({ verb: 'watch' });
      small.faults.add({ path, stallWatch: true, times: 1 });
      small.closeWatches();
      await waitFor(
        () => small.calls.count({ verb: 'watch' }) > watches,
        'the stalled watch',
      );
      for (const name of ['d', 'e', 'f']) {
        small.apply({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name, namespace: 'shop' },
        });
      }
      small.closeWatches();
      await waitFor(() => names.includes('f'), 'the relist');
      await informer.stop();
      expect(names).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
      expect(small.calls.count({ verb: 'list', resource: 'configmaps' })).toBe(
        2,
      );
    } finally {
      await small.stop();
    }
  });

  it('lists at an exact resourceVersion until it is compacted, and validates list resourceVersions', async () => {
    const first = await core.createNamespacedConfigMap({
      namespace: 'shop',
      body: { metadata: { name: 'first' }, data: { v: '1' } },
    });
    const at = first.metadata?.resourceVersion ?? '';
    await core.patchNamespacedConfigMap(
      { name: 'first', namespace: 'shop', body: { data: { v: '2' } } },
      merge,
    );
    await core.createNamespacedConfigMap({
      namespace: 'shop',
      body: { metadata: { name: 'second' }, data: { v: '1' } },
    });
    const seen = (list: { items: V1ConfigMap[] }) =>
      list.items.map(cm => `${cm.metadata?.name}=${cm.data?.v}`);

    const exact = await core.listNamespacedConfigMap({
      namespace: 'shop',
      resourceVersion: at,
      resourceVersionMatch: 'Exact',
    });
    expect(exact.metadata?.resourceVersion).toBe(at);
    expect(seen(exact)).toEqual(['first=1']);
    // The legacy form: a resourceVersion with a limit is exact too.
    expect(
      seen(
        await core.listNamespacedConfigMap({
          namespace: 'shop',
          resourceVersion: at,
          limit: 10,
        }),
      ),
    ).toEqual(['first=1']);
    const notOlder = await core.listNamespacedConfigMap({
      namespace: 'shop',
      resourceVersion: at,
      resourceVersionMatch: 'NotOlderThan',
    });
    expect(seen(notOlder)).toEqual(['first=2', 'second=1']);
    const current = Number(notOlder.metadata?.resourceVersion);
    expect(
      await failure(
        core.listNamespacedConfigMap({
          namespace: 'shop',
          resourceVersion: String(current + 5),
        }),
      ),
    ).toMatchObject({
      httpCode: 504,
      reason: 'Timeout',
      message: `Timeout: Too large resource version: ${
        current + 5
      }, current: ${current}`,
    });

    emulator.compactHistory();
    expect(
      await failure(
        core.listNamespacedConfigMap({
          namespace: 'shop',
          resourceVersion: at,
          resourceVersionMatch: 'Exact',
        }),
      ),
    ).toEqual({
      httpCode: 410,
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'The resourceVersion for the provided list is too old.',
      reason: 'Expired',
      code: 410,
    });
    expect(
      seen(
        await core.listNamespacedConfigMap({
          namespace: 'shop',
          resourceVersion: String(current),
          resourceVersionMatch: 'Exact',
        }),
      ),
    ).toEqual(['first=2', 'second=1']);

    expect(
      await failure(
        core.listNamespacedConfigMap({
          namespace: 'shop',
          resourceVersionMatch: 'Exact',
        }),
      ),
    ).toMatchObject({
      httpCode: 422,
      reason: 'Invalid',
      message:
        'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided',
    });
    expect(
      await failure(
        core.listNamespacedConfigMap({
          namespace: 'shop',
          resourceVersion: '0',
          resourceVersionMatch: 'Exact',
        }),
      ),
    ).toMatchObject({
      httpCode: 422,
      details: {
        causes: [
          {
            reason: 'FieldValueForbidden',
            field: 'resourceVersionMatch',
            message:
              'Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"',
          },
        ],
      },
    });
  });

  it('pages through the state the first page read, until it is compacted', async () => {
    const configMap = (name: string) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name, namespace: 'shop' },
    });
    for (const name of ['a', 'b', 'c']) emulator.apply(configMap(name));
    const seen = (list: { items: V1ConfigMap[] }) =>
      list.items.map(cm => cm.metadata?.name);
    const page = (continueToken: string | undefined) =>
      core.listNamespacedConfigMap({
        namespace: 'shop',
        limit: 2,
        _continue: continueToken,
      });
    const first = await page(undefined);
    expect(seen(first)).toEqual(['a', 'b']);
    emulator.remove('v1', 'ConfigMap', 'shop', 'c');
    emulator.apply(configMap('d'));
    const second = await page(first.metadata?._continue);
    expect(seen(second)).toEqual(['c']);
    expect(second.metadata?.resourceVersion).toBe(
      first.metadata?.resourceVersion,
    );

    emulator.compactHistory();
    const expiredPage = await failure(page(first.metadata?._continue));
    expect(expiredPage).toMatchObject({
      httpCode: 410,
      reason: 'Expired',
      message: expect.stringMatching(
        /^The provided continue parameter is too old .* or use the continue token in this response/,
      ),
    });
    // The token in the 410 continues at the latest state.
    expect(seen(await page(expiredPage.metadata?.continue))).toEqual(['d']);

    expect(
      await failure(
        core.listNamespacedConfigMap({
          namespace: 'shop',
          resourceVersion: '1',
          _continue: first.metadata?._continue,
        }),
      ),
    ).toMatchObject({
      httpCode: 400,
      message: 'specifying resource version is not allowed when using continue',
    });
  });

  it('answers a JSON patch whose test fails with 422 Invalid and changes nothing', async () => {
    await core.createNamespacedConfigMap({
      namespace: 'shop',
      body: { metadata: { name: 'flags' }, data: { mode: 'a' } },
    });
    const jsonPatch = setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);
    const guarded = (expected: string) =>
      core.patchNamespacedConfigMap(
        {
          name: 'flags',
          namespace: 'shop',
          body: [
            { op: 'test', path: '/data/mode', value: expected },
            { op: 'replace', path: '/data/mode', value: 'b' },
          ],
        },
        jsonPatch,
      );
    const before = emulator.get('v1', 'ConfigMap', 'shop', 'flags');
    expect(await failure(guarded('z'))).toEqual({
      httpCode: 422,
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'the server rejected our request due to an error in our request',
      reason: 'Invalid',
      details: {},
      code: 422,
    });
    expect(emulator.get('v1', 'ConfigMap', 'shop', 'flags')).toEqual(before);
    expect((await guarded('a')).data).toEqual({ mode: 'b' });
    expect(
      await failure(
        core.patchNamespacedConfigMap(
          { name: 'flags', namespace: 'shop', body: { op: 'test' } },
          jsonPatch,
        ),
      ),
    ).toMatchObject({ httpCode: 400, reason: 'BadRequest' });
  });

  it('answers 401 without a valid token and 403 outside the granted rules', async () => {
    const secured = await startKubernetesEmulator({
      tokens: {
        admin: { user: 'admin' },
        reader: {
          user: 'jane',
          rules: [
            {
              verbs: ['get', 'list'],
              resources: ['deployments'],
              apiGroups: ['apps'],
              namespaces: ['shop'],
            },
          ],
        },
      },
    });
    try {
      expect(secured.token).toBe('admin');
      // The client drops the body of 401 answers, so the body is read with fetch.
      const unknown = await failure(
        clientFor(secured, 'wrong')
          .makeApiClient(CoreV1Api)
          .listNamespacedPod({ namespace: 'shop' }),
      );
      expect(unknown.httpCode).toBe(401);
      const anonymous = await fetch(
        `${secured.url}/api/v1/namespaces/shop/pods`,
      );
      expect(anonymous.status).toBe(401);
      expect(await anonymous.json()).toEqual({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'Unauthorized',
        reason: 'Unauthorized',
        code: 401,
      });

      const reader = clientFor(secured, 'reader').makeApiClient(AppsV1Api);
      expect(
        (await reader.listNamespacedDeployment({ namespace: 'shop' })).items,
      ).toEqual([]);
      const denied = await failure(
        reader.createNamespacedDeployment({
          namespace: 'shop',
          body: deployment('web'),
        }),
      );
      expect(denied).toMatchObject({
        code: 403,
        reason: 'Forbidden',
        message:
          'deployments.apps is forbidden: User "jane" cannot create resource "deployments" in API group "apps" in the namespace "shop"',
        details: { group: 'apps', kind: 'deployments' },
      });
      const otherNamespace = await failure(
        reader.readNamespacedDeployment({ name: 'web', namespace: 'prod' }),
      );
      expect(otherNamespace.message).toBe(
        'deployments.apps "web" is forbidden: User "jane" cannot get resource "deployments" in API group "apps" in the namespace "prod"',
      );
    } finally {
      await secured.stop();
    }
  });

  it('injects faults per route', async () => {
    const handle = emulator.faults.add({
      method: 'GET',
      path: /\/configmaps$/,
      status: 503,
      times: 1,
    });
    const unavailable = await failure(
      core.listNamespacedConfigMap({ namespace: 'shop' }),
    );
    expect(unavailable.code).toBe(503);
    expect(
      (await core.listNamespacedConfigMap({ namespace: 'shop' })).items,
    ).toEqual([]);
    expect(handle.hits).toBe(1);

    const slow = emulator.faults.add({
      path: '/api/v1/namespaces/shop/secrets',
      latencyMs: 300,
    });
    const started = Date.now();
    await core.listNamespacedSecret({ namespace: 'shop' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    slow.remove();

    emulator.faults.add({
      path: '/api/v1/namespaces/shop/services',
      reset: true,
    });
    await expect(
      core.listNamespacedService({ namespace: 'shop' }),
    ).rejects.toThrow();
    emulator.faults.clear();
    expect(
      (await core.listNamespacedService({ namespace: 'shop' })).items,
    ).toEqual([]);
  });

  it('counts calls by verb, resource, namespace and name', async () => {
    emulator.calls.reset();
    await core.createNamespacedConfigMap({
      namespace: 'shop',
      body: { metadata: { name: 'x' } },
    });
    await core.readNamespacedConfigMap({ name: 'x', namespace: 'shop' });
    await core.readNamespacedConfigMap({ name: 'x', namespace: 'shop' });
    await core.listConfigMapForAllNamespaces();
    expect(emulator.calls.count()).toBe(4);
    expect(
      emulator.calls.count({
        verb: 'get',
        resource: 'configmaps',
        namespace: 'shop',
        name: 'x',
      }),
    ).toBe(2);
    expect(
      emulator.calls.count(
        call => call.verb === 'list' && call.namespace === undefined,
      ),
    ).toBe(1);
    expect(emulator.calls.list({ verb: 'create' })[0]).toMatchObject({
      method: 'POST',
      path: '/api/v1/namespaces/shop/configmaps',
      group: '',
      version: 'v1',
    });
    emulator.calls.reset();
    expect(emulator.calls.count()).toBe(0);
  });

  it('seeds objects from manifest folders and object lists', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'manifests-'));
    await writeFile(
      join(dir, '01-app.yaml'),
      [
        'apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec: {ports: [{port: 80}]}',
        'apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata: {name: web, namespace: shop}\nspec: {selector: {}, endpoints: [{port: http}]}',
      ].join('\n---\n'),
    );
    const seeded = await startKubernetesEmulator({
      manifests: dir,
      objects: [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
      ],
      customResources: [
        {
          group: 'mesh.example.com',
          version: 'v1alpha1',
          kind: 'MeshPolicy',
          plural: 'meshpolicies',
          namespaced: true,
        },
      ],
    });
    try {
      expect(seeded.list('v1', 'Service', 'shop')).toHaveLength(1);
      expect(
        seeded.list('monitoring.coreos.com/v1', 'ServiceMonitor'),
      ).toHaveLength(1);
      expect(seeded.get('v1', 'Namespace', undefined, 'shop')).toBeDefined();
      seeded.apply({
        apiVersion: 'mesh.example.com/v1alpha1',
        kind: 'MeshPolicy',
        metadata: { name: 'p', namespace: 'shop' },
        spec: { x: 1 },
      });
      expect(
        seeded.remove('mesh.example.com/v1alpha1', 'MeshPolicy', 'shop', 'p'),
      ).toBe(true);
      expect(
        seeded.remove('mesh.example.com/v1alpha1', 'MeshPolicy', 'shop', 'p'),
      ).toBe(false);
    } finally {
      await seeded.stop();
    }
    await expect(
      startKubernetesEmulator({
        objects: [
          {
            apiVersion: 'v1',
            kind: 'Service',
            metadata: { name: 'Bad' },
            spec: {},
          },
        ],
      }),
    ).rejects.toThrow('Service "Bad" is invalid');
  });
});
