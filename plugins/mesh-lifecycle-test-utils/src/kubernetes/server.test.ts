import {
  KubernetesEmulator,
  startKubernetesEmulator,
} from './startKubernetesEmulator';

describe('the emulator HTTP protocol', () => {
  let emulator: KubernetesEmulator;
  const get = (path: string, init: RequestInit = {}) =>
    fetch(`${emulator.url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${emulator.token}`, ...init.headers },
    });
  const json = async (path: string): Promise<Record<string, unknown>> =>
    (await get(path)).json();

  beforeEach(async () => {
    emulator = await startKubernetesEmulator({
      customResources: [
        {
          group: 'mesh.example.com',
          version: 'v1',
          kind: 'Mesh',
          plural: 'meshes',
          namespaced: false,
        },
      ],
    });
  });

  afterEach(async () => {
    await emulator.stop();
  });

  it('serves discovery documents', async () => {
    expect(await (await fetch(`${emulator.url}/version`)).json()).toMatchObject(
      { major: '1', gitVersion: 'v1.31.0' },
    );
    expect(await json('/api')).toMatchObject({
      kind: 'APIVersions',
      versions: ['v1'],
    });
    const core = await json('/api/v1');
    expect(core.resources).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          name: 'pods',
          singularName: 'pod',
          namespaced: true,
          kind: 'Pod',
          shortNames: ['po'],
        }),
        expect.objectContaining({ name: 'namespaces', namespaced: false }),
      ]),
    );
    const apps = await json('/apis/apps/v1');
    expect(apps.resources).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          name: 'deployments',
          verbs: expect.arrayContaining(['watch', 'deletecollection']),
        }),
        expect.objectContaining({
          name: 'deployments/scale',
          kind: 'Scale',
          group: 'autoscaling',
          version: 'v1',
        }),
        expect.objectContaining({
          name: 'deployments/status',
          kind: 'Deployment',
        }),
      ]),
    );
    const groups = await json('/apis');
    expect(groups.groups).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          name: 'networking.istio.io',
          preferredVersion: {
            groupVersion: 'networking.istio.io/v1',
            version: 'v1',
          },
        }),
        expect.objectContaining({ name: 'monitoring.coreos.com' }),
        expect.objectContaining({ name: 'mesh.example.com' }),
      ]),
    );
    expect((await json('/apis/security.istio.io')).versions).toHaveLength(2);
    expect(await json('/apis/mesh.example.com/v1')).toMatchObject({
      resources: [{ name: 'meshes', namespaced: false, kind: 'Mesh' }],
    });
  });

  it('answers unknown URLs and methods with Status bodies', async () => {
    const missing = await get('/apis/unknown.example.com/v1/things');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({
      kind: 'Status',
      code: 404,
      reason: 'NotFound',
    });
    const notAllowed = await get('/api/v1/namespaces/shop/configmaps/x', {
      method: 'POST',
      body: '{}',
    });
    expect(notAllowed.status).toBe(405);
    expect(await notAllowed.json()).toMatchObject({
      kind: 'Status',
      code: 405,
      reason: 'MethodNotAllowed',
    });
  });

  it('streams watch events honouring selectors, bookmarks and timeoutSeconds', async () => {
    const cm = (name: string, labels: Record<string, string>) =>
      emulator.apply({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name, namespace: 'shop', labels },
      });
    const start = cm('before', { watched: 'yes' });
    const response = await get(
      `/api/v1/namespaces/shop/configmaps?watch=1&labelSelector=watched%3Dyes&allowWatchBookmarks=true&timeoutSeconds=1&resourceVersion=${
        (start.metadata as { resourceVersion: string }).resourceVersion
      }`,
    );
    expect(response.headers.get('content-type')).toBe('application/json');
    cm('ignored', { watched: 'no' });
    cm('ignored', { watched: 'yes' });
    cm('ignored', { watched: 'no' });
    emulator.remove('v1', 'ConfigMap', 'shop', 'before');
    const started = Date.now();
    const lines = (await response.text())
      .trim()
      .split('\n')
      .map(line => JSON.parse(line));
    expect(Date.now() - started).toBeLessThan(2000);
    expect(lines.map(e => `${e.type} ${e.object.metadata.name ?? ''}`)).toEqual(
      ['BOOKMARK ', 'ADDED ignored', 'DELETED ignored', 'DELETED before'],
    );
  });

  it('replays current objects to watches without a resourceVersion and ends watches on stop', async () => {
    emulator.apply({
      apiVersion: 'mesh.example.com/v1',
      kind: 'Mesh',
      metadata: { name: 'm' },
      spec: {},
    });
    const response = await get('/apis/mesh.example.com/v1/meshes?watch=true');
    const text = response.text();
    await emulator.stop();
    const events = (await text)
      .trim()
      .split('\n')
      .map(line => JSON.parse(line));
    expect(events).toEqual([
      {
        type: 'ADDED',
        object: expect.objectContaining({
          kind: 'Mesh',
          apiVersion: 'mesh.example.com/v1',
        }),
      },
    ]);
    emulator = await startKubernetesEmulator();
  });
});
