import { LoggerService } from '@backstage/backend-plugin-api';
import { ConfigReader } from '@backstage/config';
import { JsonObject } from '@backstage/types';
import { ServiceDeclaration } from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import {
  createKubeConfig,
  readMeshLifecycleConfig,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-node';
import {
  KubernetesEmulator,
  startKubernetesEmulator,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-test-utils';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClusterMeshReader } from '../service/ClusterMeshReader';
import { ClusterObjectCache } from './ClusterObjectCache';
import { rememberServedApis } from './discoverServedVersion';

jest.setTimeout(30_000);

const WRONG_TOKEN = 'wrong-token-0f9e8d7c6b5a';

const declaration: ServiceDeclaration = {
  entityRef: 'component:default/cart',
  target: { kubernetesId: 'cart', namespace: 'shop' },
  thresholds: {},
};

/** A logger keeping every line it is given, with its level. */
function capturingLogger() {
  const lines: Array<{ level: string; text: string }> = [];
  const record =
    (level: string) => (message: string, meta?: Error | object) => {
      lines.push({
        level,
        text: meta ? `${message} ${JSON.stringify(meta)}` : message,
      });
    };
  const logger: LoggerService = {
    error: record('error'),
    warn: record('warn'),
    info: record('info'),
    debug: record('debug'),
    child: () => logger,
  };
  return { logger, lines };
}

/**
 * The mesh answer for one cluster configured as `entry` (a
 * `meshLifecycle.clusters` entry), read through the real config reader,
 * client-node and the emulator; with everything that was logged.
 */
async function meshAnswer(
  entry: JsonObject,
  options: { syncTimeoutMs?: number } = {},
) {
  const { logger, lines } = capturingLogger();
  const config = readMeshLifecycleConfig(
    new ConfigReader({ meshLifecycle: { clusters: [entry] } }),
  );
  const [cluster] = config.clusters;
  const kubeConfig = createKubeConfig(cluster);
  const objects = new ClusterObjectCache({
    kubeConfig,
    clusterName: cluster.name,
    config: cluster,
    logger,
    syncTimeoutMs: options.syncTimeoutMs ?? 5_000,
  });
  try {
    const reader = new ClusterMeshReader({
      clusters: [
        {
          name: cluster.name,
          objects,
          servedApis: rememberServedApis(kubeConfig),
        },
      ],
      logger,
    });
    const [answer] = (await reader.read(declaration)).clusters;
    return { answer, lines };
  } finally {
    await objects.stop();
  }
}

describe('a failing cluster, as answers and logs say it', () => {
  let emulator: KubernetesEmulator;

  beforeAll(async () => {
    emulator = await startKubernetesEmulator({
      name: 'locked',
      tokens: {
        'admin-token-1a2b3c4d': { user: 'admin' },
        'reader-token-5e6f7a8b': {
          user: 'system:serviceaccount:mesh:reader',
          rules: [{ verbs: ['list', 'watch'], resources: ['namespaces'] }],
        },
      },
    });
  });
  afterAll(() => emulator.stop());

  const entry = (token: string) => ({
    name: 'locked',
    url: emulator.url,
    serviceAccountToken: token,
    allowInsecureHttp: true,
  });

  it('says in one line that a wrong token was refused, and logs the Status without the token', async () => {
    const { answer, lines } = await meshAnswer(entry(WRONG_TOKEN));
    expect(answer).toEqual({
      source: 'locked',
      status: 'error',
      error: {
        name: 'ClusterError',
        message:
          "cluster locked: HTTP 401 Unauthorized — the API server rejected the credentials; check the serviceAccountToken of the meshLifecycle.clusters entry 'locked'",
      },
    });
    // Four kinds are listed at once; the failure is warned about once.
    const warnings = lines.filter(line => line.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0].text).toMatch(
      /^cluster locked: HTTP 401 Unauthorized — .* \| resource \S+; Status 401 Unauthorized: Unauthorized$/,
    );
    const everything = JSON.stringify({ answer, lines });
    expect(everything).not.toContain(WRONG_TOKEN);
    expect(everything).not.toMatch(/content-length|Headers|Bearer/i);
  });

  it('names the resource and the RBAC to check on a 403, and logs who was refused', async () => {
    const { answer, lines } = await meshAnswer(entry('reader-token-5e6f7a8b'));
    expect(answer.status).toBe('error');
    const { message } =
      answer.status === 'error' ? answer.error : { message: '' };
    expect(message).toMatch(
      /^cluster locked: HTTP 403 Forbidden — the credentials may not list\/watch (deployments\.apps|services|pods); check the RBAC of the serviceAccountToken of the meshLifecycle\.clusters entry 'locked': it needs list and watch on \1$/,
    );
    expect(
      lines.some(
        line =>
          line.level === 'warn' &&
          line.text.includes(
            'User "system:serviceaccount:mesh:reader" cannot list resource',
          ),
      ),
    ).toBe(true);
    expect(JSON.stringify({ answer, lines })).not.toContain(
      'reader-token-5e6f7a8b',
    );
  });

  it('names the kubeconfig context to check when the credentials come from a kubeconfig file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cluster-failures-'));
    try {
      const path = await emulator.writeKubeconfig(join(dir, 'config'), {
        token: WRONG_TOKEN,
      });
      const { answer, lines } = await meshAnswer({
        name: 'locked',
        kubeconfig: { path, context: 'locked' },
        allowInsecureHttp: true,
      });
      expect(answer).toMatchObject({
        status: 'error',
        error: {
          message:
            "cluster locked: HTTP 401 Unauthorized — the API server rejected the credentials; check the user of context 'locked' in the kubeconfig file of the meshLifecycle.clusters entry 'locked'",
        },
      });
      expect(JSON.stringify({ answer, lines })).not.toContain(WRONG_TOKEN);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('points at the url and the network when nothing listens there', async () => {
    const { answer, lines } = await meshAnswer({
      ...entry('admin-token-1a2b3c4d'),
      url: 'http://127.0.0.1:1',
    });
    expect(answer).toMatchObject({
      status: 'error',
      error: {
        message:
          "cluster locked: connection refused (ECONNREFUSED) — check the url of the meshLifecycle.clusters entry 'locked' and the network between the backend and the API server",
      },
    });
    expect(lines.filter(line => line.level === 'warn')[0].text).toMatch(
      /\| resource \S+; ECONNREFUSED: .*connect ECONNREFUSED 127\.0\.0\.1:1$/,
    );
  });

  it('points at the url and the network when the cluster does not answer in time', async () => {
    const fault = emulator.faults.add({ path: /./, latencyMs: 3_000 });
    try {
      const { answer } = await meshAnswer(entry('admin-token-1a2b3c4d'), {
        syncTimeoutMs: 300,
      });
      expect(answer).toMatchObject({
        status: 'error',
        error: {
          message:
            "cluster locked: no answer within 300 ms — check the url of the meshLifecycle.clusters entry 'locked' and the network between the backend and the API server",
        },
      });
    } finally {
      fault.remove();
    }
  });

  it('says a broken watch was refused, once in the log however often it restarts', async () => {
    const { logger, lines } = capturingLogger();
    const config = readMeshLifecycleConfig(
      new ConfigReader({
        meshLifecycle: { clusters: [entry('admin-token-1a2b3c4d')] },
      }),
    );
    const [cluster] = config.clusters;
    const objects = new ClusterObjectCache({
      kubeConfig: createKubeConfig(cluster),
      clusterName: 'locked',
      config: cluster,
      logger,
      restartDelayMs: 50,
    });
    const pods = { apiVersion: 'v1', kind: 'Pod', plural: 'pods' };
    let fault: { remove(): void } | undefined;
    try {
      await objects.list(pods);
      // The token is revoked while the watch runs.
      fault = emulator.faults.add({ path: /\/pods/, status: 401 });
      emulator.closeWatches();
      let message = '';
      const deadline = Date.now() + 5_000;
      while (!message && Date.now() < deadline) {
        message = await objects.list(pods).then(
          () => '',
          (error: Error) => error.message,
        );
        await new Promise(resolve => setTimeout(resolve, 50));
      }
      expect(message).toMatch(
        /^cluster locked: HTTP 401 Unauthorized — the API server rejected the credentials; check the serviceAccountToken of the meshLifecycle\.clusters entry 'locked' \(Pod watch broken since \d{4}-\d\d-\d\dT[\d:.]+Z\)$/,
      );
      // Let it restart and fail a few more times.
      await new Promise(resolve => setTimeout(resolve, 400));
      expect(
        lines.filter(
          line => line.level === 'debug' && line.text.includes('HTTP 401'),
        ).length,
      ).toBeGreaterThan(1);
      expect(
        lines.filter(
          line => line.level === 'warn' && line.text.includes('HTTP 401'),
        ),
      ).toHaveLength(1);
    } finally {
      fault?.remove();
      await objects.stop();
    }
  });
});

describe('a cluster whose certificate is not trusted', () => {
  let emulator: KubernetesEmulator;

  beforeAll(async () => {
    emulator = await startKubernetesEmulator({ name: 'tls', tls: true });
  });
  afterAll(() => emulator.stop());

  it('points at the TLS settings', async () => {
    const { answer } = await meshAnswer({
      name: 'tls',
      url: emulator.url,
      serviceAccountToken: emulator.token,
    });
    expect(answer).toMatchObject({
      status: 'error',
      error: {
        message:
          "cluster tls: the API server certificate is not trusted (DEPTH_ZERO_SELF_SIGNED_CERT) — check caData / caFile / skipTLSVerify of the meshLifecycle.clusters entry 'tls'",
      },
    });
  });
});
