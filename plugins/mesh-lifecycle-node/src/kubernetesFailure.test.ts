import { CoreV1Api, KubeConfig, Watch } from '@kubernetes/client-node';
import {
  KubernetesEmulator,
  startKubernetesEmulator,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-test-utils';
import {
  describeClusterFailure,
  describeKubernetesFailure,
  kubernetesFailure,
  redactCredentials,
} from './kubernetesFailure';

describe('kubernetesFailure', () => {
  let emulator: KubernetesEmulator;
  let core: CoreV1Api;
  const emulatorKubeConfig = () => {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromString(emulator.kubeconfig());
    return kubeConfig;
  };

  beforeAll(async () => {
    emulator = await startKubernetesEmulator();
    core = emulatorKubeConfig().makeApiClient(CoreV1Api);
  });
  afterAll(() => emulator.stop());

  it("reads the server's Status out of a refused call", async () => {
    const error = await core
      .readNamespace({ name: 'nowhere' })
      .catch((e: unknown) => e);
    expect(kubernetesFailure(error)).toEqual({
      code: 404,
      message: 'namespaces "nowhere" not found',
      reason: 'NotFound',
      causes: [],
    });
    expect(describeKubernetesFailure(error)).toBe(
      'HTTP 404: namespaces "nowhere" not found',
    );
  });

  it('keeps field causes, and never the credentials', async () => {
    const error = await core
      .createNamespace({ body: { metadata: { name: 'Not Valid' } } })
      .catch((e: unknown) => e);
    const failure = kubernetesFailure(error);
    expect(failure.code).toBe(422);
    expect(failure.causes).toContainEqual(
      expect.objectContaining({ field: 'metadata.name' }),
    );
    expect(JSON.stringify(failure)).not.toContain(emulator.token);
  });

  it('reads the status of a refused watch and the code of a refused connection', async () => {
    const fault = emulator.faults.add({ path: /namespaces/, status: 403 });
    try {
      const watchError = await new Promise<unknown>(resolve => {
        new Watch(emulatorKubeConfig())
          .watch('/api/v1/namespaces', {}, () => {}, resolve)
          .catch(resolve);
      });
      expect(kubernetesFailure(watchError)).toEqual({
        code: 403,
        message: 'Forbidden',
        causes: [],
      });
    } finally {
      fault.remove();
    }
    const nowhere = new KubeConfig();
    nowhere.loadFromString(
      emulator.kubeconfig().replace(emulator.url, 'http://127.0.0.1:1'),
    );
    const refused = await nowhere
      .makeApiClient(CoreV1Api)
      .listNamespace()
      .catch((e: unknown) => e);
    expect(kubernetesFailure(refused)).toMatchObject({
      systemCode: 'ECONNREFUSED',
    });
  });

  it('gives the message of other errors', () => {
    expect(kubernetesFailure(new Error('connect ECONNREFUSED'))).toEqual({
      message: 'connect ECONNREFUSED',
      causes: [],
    });
    expect(describeKubernetesFailure('odd')).toBe('odd');
  });
});

describe('describeClusterFailure', () => {
  let emulator: KubernetesEmulator;
  const TOKEN = 'configured-token-4c3b2a19';

  beforeAll(async () => {
    emulator = await startKubernetesEmulator({
      tokens: { [TOKEN]: { user: 'mesh' } },
    });
  });
  afterAll(() => emulator.stop());

  const core = (token: string) => {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromString(emulator.kubeconfig({ token }));
    return kubeConfig.makeApiClient(CoreV1Api);
  };

  it('says a refused token in one line naming the setting, and never the token', async () => {
    const wrong = 'wrong-token-77aa66bb';
    const error = await core(wrong)
      .listNamespacedPod({ namespace: 'shop' })
      .catch((e: unknown) => e);
    // client-node's own message dumps the response headers (and drops the
    // body of a 401 to a typed API).
    expect(String(error)).toContain('Headers');
    const described = describeClusterFailure(error, {
      cluster: 'prod',
      config: {
        auth: { type: 'serviceAccountToken', token: wrong },
        source: 'kubernetes',
      },
      resource: 'pods',
    });
    expect(described).toEqual({
      code: 401,
      summary:
        "cluster prod: HTTP 401 Unauthorized — the API server rejected the credentials; check the serviceAccountToken of the kubernetes.clusterLocatorMethods cluster 'prod'",
      detail: expect.stringMatching(
        /^cluster prod: HTTP 401 .* \| resource pods; HTTP 401, no Status in the body$/,
      ),
    });
    expect(JSON.stringify(described)).not.toMatch(/Headers|content-type/i);
    expect(JSON.stringify(described)).not.toContain(wrong);
  });

  it('gives generic hints without the config, and the Status message of other failures', async () => {
    expect(
      describeClusterFailure(
        Object.assign(new Error('Unauthorized'), { statusCode: 401 }),
        { cluster: 'dev' },
      ).summary,
    ).toBe(
      "cluster dev: HTTP 401 Unauthorized — the API server rejected the credentials; check the token / serviceAccountToken (or the kubeconfig context) of cluster 'dev' in meshLifecycle.clusters",
    );
    const fault = emulator.faults.add({ path: /pods/, status: 500 });
    try {
      const error = await core(TOKEN)
        .listNamespacedPod({ namespace: 'shop' })
        .catch((e: unknown) => e);
      const { summary } = describeClusterFailure(error, {
        cluster: 'dev',
        config: { auth: { type: 'inCluster' }, source: 'meshLifecycle' },
      });
      expect(summary).toMatch(/^cluster dev: HTTP 500 \S+: \S.*$/);
      expect(summary).toBe(
        `cluster dev: HTTP 500 ${kubernetesFailure(error).reason}: ${
          kubernetesFailure(error).message
        }`,
      );
    } finally {
      fault.remove();
    }
    expect(
      describeClusterFailure(
        Object.assign(new Error('Forbidden'), { statusCode: 403 }),
        {
          cluster: 'dev',
          config: { auth: { type: 'inCluster' }, source: 'meshLifecycle' },
        },
      ).summary,
    ).toBe(
      "cluster dev: HTTP 403 Forbidden — the credentials may not read what was asked; check the RBAC of the service account of the backend's pod (inCluster auth of the meshLifecycle.clusters entry 'dev'): it needs list and watch on what Mesh Lifecycle reads",
    );
  });

  it('points unknown hosts at the url and certificate errors at the TLS settings', () => {
    const context = {
      cluster: 'edge',
      config: {
        auth: { type: 'kubeconfig', path: '/kube/config' },
        source: 'meshLifecycle',
      },
    } as const;
    const withCode = (code: string) =>
      Object.assign(new Error(`request failed, reason: ${code}`), { code });
    expect(describeClusterFailure(withCode('ENOTFOUND'), context).summary).toBe(
      "cluster edge: host not found (ENOTFOUND) — check the url of the meshLifecycle.clusters entry 'edge' and the network between the backend and the API server",
    );
    expect(
      describeClusterFailure(withCode('CERT_HAS_EXPIRED'), context).summary,
    ).toBe(
      "cluster edge: the API server certificate has expired (CERT_HAS_EXPIRED) — check the certificate-authority of the kubeconfig file, or caData / caFile / skipTLSVerify of the meshLifecycle.clusters entry 'edge'",
    );
    // fetch reports the code on the cause.
    const fetchError = new TypeError('fetch failed', {
      cause: withCode('ERR_TLS_CERT_ALTNAME_INVALID'),
    });
    expect(describeClusterFailure(fetchError, context).summary).toMatch(
      /^cluster edge: the API server certificate does not name the host of the url \(ERR_TLS_CERT_ALTNAME_INVALID\) — check the host in the url of/,
    );
  });
});

describe('redactCredentials', () => {
  it('redacts bearer and basic credentials, JWTs, token fields, URL user info and given secrets', () => {
    const jwt =
      'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2EifQ.c2lnbmF0dXJlLXBhcnQ';
    const text = [
      'Authorization: Bearer abc.def-123',
      'basic dXNlcjpwYXNz',
      jwt,
      '"token":"t0k3n-value"',
      'serviceAccountToken=plain-value',
      'https://user:pa55@example.com/x',
      'opaque-secret-value here',
    ].join(' ');
    const redacted = redactCredentials(text, ['opaque-secret-value']);
    for (const secret of [
      'abc.def-123',
      'dXNlcjpwYXNz',
      'eyJ',
      't0k3n-value',
      'plain-value',
      'pa55',
      'opaque-secret-value',
    ]) {
      expect(redacted).not.toContain(secret);
    }
    expect(redacted).toContain('https://<redacted>@example.com/x');
    expect(redactCredentials('namespaces "shop" not found')).toBe(
      'namespaces "shop" not found',
    );
  });
});
