/* eslint jest/expect-expect: ["warn", { "assertFunctionNames": ["expect", "expectRejected"] }] */
import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import {
  DEFAULT_ENVIRONMENTS_CLEANUP_FREQUENCY_MS,
  DEFAULT_HISTORY_FREQUENCY_MS,
  DEFAULT_TIMEOUT_MS,
  IN_CLUSTER_CA_FILE,
  readMeshLifecycleConfig,
  readMeshLifecycleThresholds,
} from './readMeshLifecycleConfig';

const TOKEN = 'sekret-token-3f9a1c';
const PROM_TOKEN = 'prom-sekret-77b2';

function read(data: object, logger = mockServices.logger.mock()) {
  return readMeshLifecycleConfig(new ConfigReader(data), { logger });
}

/** The error `read(data)` throws. */
function failure(data: object): Error {
  try {
    read(data);
  } catch (error) {
    if (error instanceof Error) return error;
    throw error;
  }
  throw new Error('expected readMeshLifecycleConfig to throw');
}

function cluster(extra: object = {}) {
  return {
    name: 'prod',
    url: 'https://k8s.example.com:6443',
    serviceAccountToken: TOKEN,
    ...extra,
  };
}

describe('readMeshLifecycleConfig', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mesh-lifecycle-config-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads an empty config', () => {
    expect(read({})).toEqual({
      clusters: [],
      timeouts: {
        clusterMs: DEFAULT_TIMEOUT_MS,
        prometheusMs: DEFAULT_TIMEOUT_MS,
      },
      history: { frequencyMs: DEFAULT_HISTORY_FREQUENCY_MS },
      caches: { warmOnStart: true, startupWaitMs: 10_000 },
      environments: {
        cleanupFrequencyMs: DEFAULT_ENVIRONMENTS_CLEANUP_FREQUENCY_MS,
      },
      thresholds: {},
      skipped: [],
    });
  });

  it('reads threshold overrides and rejects bad ones, naming the key', () => {
    expect(
      read({
        meshLifecycle: {
          thresholds: { p95LatencyMs: 500, health: { failing5xxPercent: 5 } },
        },
      }).thresholds,
    ).toEqual({ p95LatencyMs: 500, health: { failing5xxPercent: 5 } });
    expect(
      failure({ meshLifecycle: { thresholds: { errorRatioPercent: 140 } } })
        .message,
    ).toMatch(/meshLifecycle\.thresholds\.errorRatioPercent/);
    expect(
      failure({ meshLifecycle: { thresholds: { p99: 1 } } }).message,
    ).toMatch(/meshLifecycle\.thresholds/);
    // Read alone, as the scaffolder module does: the same, and the same refusal.
    expect(
      readMeshLifecycleThresholds(
        new ConfigReader({
          meshLifecycle: {
            thresholds: { p95LatencyMs: 500 },
            // A cluster entry is not looked at.
            clusters: [{ name: 'x', kubeconfig: { path: '/nowhere' } }],
          },
        }),
      ),
    ).toEqual({ p95LatencyMs: 500 });
    expect(() =>
      readMeshLifecycleThresholds(
        new ConfigReader({
          meshLifecycle: { thresholds: { errorRatioPercent: 140 } },
        }),
      ),
    ).toThrow(/meshLifecycle\.thresholds\.errorRatioPercent/);
  });

  it('reads phase rules and rejects an unknown fact, naming where', () => {
    const rules = [
      {
        phase: 'operate',
        description: 'anything called operates',
        when: [[{ fact: 'hasTraffic', equals: true }]],
      },
      {
        phase: 'design',
        description: 'the rest',
        when: [[]],
      },
    ];
    expect(read({ meshLifecycle: { phaseRules: rules } }).phaseRules).toEqual(
      rules,
    );
    expect(
      failure({
        meshLifecycle: {
          phaseRules: [
            {
              phase: 'operate',
              description: 'x',
              when: [[{ fact: 'isCool', equals: true }]],
            },
          ],
        },
      }).message,
    ).toMatch(/meshLifecycle\.phaseRules\[0\]\.when\[0\]\[0\]/);
  });

  it('reads the history frequency and rejects a bad one', () => {
    expect(
      read({ meshLifecycle: { history: { frequency: '90s' } } }).history,
    ).toEqual({ frequencyMs: 90_000 });
    expect(
      read({ meshLifecycle: { history: { frequency: { hours: 1 } } } }).history,
    ).toEqual({ frequencyMs: 3_600_000 });
    const error = failure({
      meshLifecycle: { history: { frequency: 'often' } },
    });
    expect(error.name).toBe('InputError');
    expect(error.message).toContain("'meshLifecycle.history.frequency'");
  });

  it('reads the namespaces a cluster is watched in, and rejects bad ones', () => {
    expect(
      read({
        meshLifecycle: {
          clusters: [cluster({ namespaces: ['shop', 'payments', 'shop'] })],
        },
      }).clusters[0].namespaces,
    ).toEqual(['shop', 'payments']);
    expect(
      read({ meshLifecycle: { clusters: [cluster()] } }).clusters[0],
    ).not.toHaveProperty('namespaces');
    expect(
      read({
        kubernetes: {
          clusterLocatorMethods: [
            {
              type: 'config',
              clusters: [
                {
                  name: 'plugin',
                  url: 'https://k8s.example.com:6443',
                  authProvider: 'serviceAccount',
                  serviceAccountToken: TOKEN,
                },
              ],
            },
          ],
        },
        meshLifecycle: {
          kubernetesPluginClusters: [{ name: 'plugin', namespaces: ['shop'] }],
        },
      }).clusters[0].namespaces,
    ).toEqual(['shop']);
    for (const [namespaces, message] of [
      [[], 'must name at least one namespace'],
      [['Shop'], "'Shop' is not a namespace name"],
      ['shop', 'must be a list of namespace names'],
    ] as const) {
      const error = failure({
        meshLifecycle: { clusters: [cluster({ namespaces })] },
      });
      expect(error.name).toBe('InputError');
      expect(error.message).toContain("'meshLifecycle.clusters[0].namespaces'");
      expect(error.message).toContain(message);
    }
  });

  it('reads how the caches start, and rejects a bad wait', () => {
    expect(
      read({
        meshLifecycle: {
          caches: { warmOnStart: false, startupWait: { seconds: 30 } },
        },
      }).caches,
    ).toEqual({ warmOnStart: false, startupWaitMs: 30_000 });
    const error = failure({
      meshLifecycle: { caches: { startupWait: '0s' } },
    });
    expect(error.name).toBe('InputError');
    expect(error.message).toContain("'meshLifecycle.caches.startupWait'");
    expect(() =>
      read({ meshLifecycle: { caches: { warmOnStart: 'sometimes' } } }),
    ).toThrow(/caches\.warmOnStart/);
  });

  it('reads the test environment clean-up frequency and rejects a bad one', () => {
    expect(
      read({ meshLifecycle: { environments: { cleanupFrequency: '2m' } } })
        .environments,
    ).toEqual({ cleanupFrequencyMs: 120_000 });
    expect(DEFAULT_ENVIRONMENTS_CLEANUP_FREQUENCY_MS).toBe(600_000);
    const error = failure({
      meshLifecycle: { environments: { cleanupFrequency: '0s' } },
    });
    expect(error.name).toBe('InputError');
    expect(error.message).toContain(
      "'meshLifecycle.environments.cleanupFrequency'",
    );
  });

  it('reads a token cluster with TLS settings, environment and Prometheus', () => {
    const config = read({
      meshLifecycle: {
        clusters: [
          cluster({
            url: 'https://k8s.example.com:6443/',
            environment: 'production',
            caData: 'Q0EgZGF0YQ==',
            prometheus: {
              url: 'https://prom.example.com/prometheus/',
              bearerToken: PROM_TOKEN,
              headers: { 'X-Scope-OrgID': 'tenant-1' },
              timeout: '30s',
            },
          }),
        ],
        timeouts: { cluster: { seconds: 5 }, prometheus: 'PT20S' },
      },
    });
    expect(config.timeouts).toEqual({ clusterMs: 5000, prometheusMs: 20000 });
    expect(config.clusters).toEqual([
      {
        name: 'prod',
        url: 'https://k8s.example.com:6443',
        environment: 'production',
        istioClusterId: 'prod',
        auth: { type: 'serviceAccountToken', token: TOKEN },
        tls: { caData: 'Q0EgZGF0YQ==', skipTLSVerify: false },
        prometheus: {
          url: 'https://prom.example.com/prometheus',
          bearerToken: PROM_TOKEN,
          headers: { 'X-Scope-OrgID': 'tenant-1' },
          timeoutMs: 30000,
        },
        source: 'meshLifecycle',
      },
    ]);
  });

  it('reads the Istio cluster ID of a cluster, its name by default', () => {
    const config = read({
      kubernetes: {
        clusterLocatorMethods: [
          {
            type: 'config',
            clusters: [
              {
                name: 'k8s-prod',
                url: 'https://k8s.example.com',
                authProvider: 'serviceAccount',
                serviceAccountToken: TOKEN,
              },
            ],
          },
        ],
      },
      meshLifecycle: {
        clusters: [
          cluster({ name: 'a', istioClusterId: 'cluster-east.1' }),
          cluster({ name: 'b' }),
        ],
        kubernetesPluginClusters: [
          { name: 'k8s-prod', istioClusterId: 'Kubernetes' },
        ],
      },
    });
    expect(config.clusters.map(c => [c.name, c.istioClusterId])).toEqual([
      ['a', 'cluster-east.1'],
      ['b', 'b'],
      ['k8s-prod', 'Kubernetes'],
    ]);
    expect(
      failure({
        meshLifecycle: {
          clusters: [cluster({ istioClusterId: 'east"} or vector(1)' })],
        },
      }).message,
    ).toMatch(/meshLifecycle\.clusters\[0\]\.istioClusterId/);
  });

  it('keeps secrets out of JSON, util.inspect and String()', () => {
    const config = read({
      meshLifecycle: {
        clusters: [cluster()],
        prometheus: {
          url: 'https://prom.example.com',
          bearerToken: PROM_TOKEN,
          headers: { 'X-Api-Key': 'header-sekret-9c1' },
        },
      },
    });
    const shown = [
      JSON.stringify(config),
      inspect(config, { depth: 10 }),
      String(config.clusters[0].auth),
      String(config.prometheus),
    ];
    for (const text of shown) {
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain(PROM_TOKEN);
      expect(text).not.toContain('header-sekret-9c1');
    }
    expect(JSON.parse(JSON.stringify(config.clusters[0]))).toEqual({
      name: 'prod',
      url: 'https://k8s.example.com:6443',
      istioClusterId: 'prod',
      auth: { type: 'serviceAccountToken', token: '<redacted>' },
      tls: { skipTLSVerify: false },
      prometheus: {
        url: 'https://prom.example.com',
        headers: { 'X-Api-Key': '<redacted>' },
        bearerToken: '<redacted>',
        timeoutMs: DEFAULT_TIMEOUT_MS,
      },
      source: 'meshLifecycle',
    });
    // The values themselves stay readable.
    const auth = config.clusters[0].auth;
    expect(auth.type === 'serviceAccountToken' && auth.token).toBe(TOKEN);
    expect(config.prometheus?.headers['X-Api-Key']).toBe('header-sekret-9c1');
  });

  it('uses the global Prometheus for clusters without their own', () => {
    const config = read({
      meshLifecycle: {
        prometheus: { url: 'http://127.0.0.1:9090' },
        clusters: [
          cluster(),
          cluster({
            name: 'dev',
            prometheus: { url: 'https://prom-dev.example.com', timeout: '2s' },
          }),
        ],
      },
    });
    expect(config.prometheus).toEqual({
      url: 'http://127.0.0.1:9090',
      headers: {},
      timeoutMs: DEFAULT_TIMEOUT_MS,
    });
    expect(config.clusters[0].prometheus).toBe(config.prometheus);
    expect(config.clusters[1].prometheus?.url).toBe(
      'https://prom-dev.example.com',
    );
    expect(config.clusters[1].prometheus?.timeoutMs).toBe(2000);
  });

  it('reads whether a Prometheus evaluates the recording rules', () => {
    const config = read({
      meshLifecycle: {
        prometheus: { url: 'http://127.0.0.1:9090', recordingRules: true },
        clusters: [
          cluster(),
          cluster({
            name: 'dev',
            prometheus: { url: 'https://prom-dev.example.com' },
          }),
        ],
      },
    });
    expect(config.clusters[0].prometheus?.recordingRules).toBe(true);
    expect(config.clusters[1].prometheus).not.toHaveProperty('recordingRules');
    expect(JSON.parse(JSON.stringify(config.prometheus))).toMatchObject({
      recordingRules: true,
    });
    expect(() =>
      read({
        meshLifecycle: {
          prometheus: {
            url: 'http://127.0.0.1:9090',
            recordingRules: 'sometimes',
          },
        },
      }),
    ).toThrow(/recordingRules/);
  });

  it('reads Alertmanagers, global and per cluster, keeping their secrets out of output', () => {
    const AM_TOKEN = 'am-sekret-41d0';
    const config = read({
      kubernetes: {
        clusterLocatorMethods: [
          {
            type: 'config',
            clusters: [
              {
                name: 'k8s-a',
                url: 'https://a.example.com',
                authProvider: 'serviceAccount',
                serviceAccountToken: TOKEN,
              },
              {
                name: 'k8s-b',
                url: 'https://b.example.com',
                authProvider: 'serviceAccount',
                serviceAccountToken: TOKEN,
              },
            ],
          },
        ],
      },
      meshLifecycle: {
        alertmanager: { url: 'http://127.0.0.1:9093/' },
        timeouts: { prometheus: '3s' },
        clusters: [
          cluster(),
          cluster({
            name: 'dev',
            alertmanager: {
              url: 'https://am-dev.example.com',
              bearerToken: AM_TOKEN,
              timeout: '1500ms',
            },
          }),
        ],
        kubernetesPluginClusters: [
          {
            name: 'k8s-b',
            alertmanager: {
              url: 'https://am-b.example.com',
              headers: { 'X-Scope-OrgID': 'tenant-b' },
            },
          },
        ],
      },
    });
    expect(config.alertmanager).toEqual({
      url: 'http://127.0.0.1:9093',
      headers: {},
      timeoutMs: 3000,
    });
    const byName = Object.fromEntries(
      config.clusters.map(c => [c.name, c.alertmanager]),
    );
    expect(byName.prod).toBe(config.alertmanager);
    expect(byName['k8s-a']).toBe(config.alertmanager);
    expect(byName.dev).toMatchObject({
      url: 'https://am-dev.example.com',
      bearerToken: AM_TOKEN,
      timeoutMs: 1500,
    });
    expect(byName['k8s-b']).toMatchObject({
      url: 'https://am-b.example.com',
      headers: { 'X-Scope-OrgID': 'tenant-b' },
    });
    for (const text of [
      JSON.stringify(config),
      inspect(config, { depth: 10 }),
    ]) {
      expect(text).not.toContain(AM_TOKEN);
      expect(text).not.toContain('tenant-b');
    }
    expect(read({}).alertmanager).toBeUndefined();
  });

  it('rejects an Alertmanager with a bad URL or sending credentials in clear text', () => {
    expect(
      failure({ meshLifecycle: { alertmanager: { url: 'ftp://am' } } }).message,
    ).toMatch(/meshLifecycle\.alertmanager\.url.*Alertmanager URL/);
    const error = failure({
      meshLifecycle: {
        clusters: [
          cluster({
            alertmanager: {
              url: 'http://am.example.com',
              bearerToken: 'am-sekret-41d0',
            },
          }),
        ],
      },
    });
    expect(error.message).toMatch(
      /meshLifecycle\.clusters\[0\]\.alertmanager\.url/,
    );
    expect(error.message).not.toContain('am-sekret-41d0');
  });

  it('reads a kubeconfig cluster, taking server and CA from the file', async () => {
    const path = join(dir, 'kubeconfig-read.yaml');
    await writeFile(
      path,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        '- name: a',
        '  cluster: { server: "https://a.example.com:6443", certificate-authority: ca-a.pem }',
        '- name: b',
        '  cluster: { server: "https://b.example.com", insecure-skip-tls-verify: true }',
        'users:',
        '- name: u',
        '  user: { token: kubeconfig-sekret }',
        'contexts:',
        '- name: ctx-a',
        '  context: { cluster: a, user: u }',
        '- name: ctx-b',
        '  context: { cluster: b, user: u }',
        'current-context: ctx-a',
      ].join('\n'),
    );
    const config = read({
      meshLifecycle: {
        clusters: [
          { name: 'a', kubeconfig: { path } },
          { name: 'b', kubeconfig: { path, context: 'ctx-b' } },
          {
            name: 'c',
            url: 'https://c.example.com',
            kubeconfig: { path, context: 'ctx-b' },
            caFile: '/etc/ca.pem',
            skipTLSVerify: false,
          },
        ],
      },
    });
    expect(
      config.clusters.map(({ name, url, auth, tls }) => ({
        name,
        url,
        auth,
        tls,
      })),
    ).toEqual([
      {
        name: 'a',
        url: 'https://a.example.com:6443',
        auth: { type: 'kubeconfig', path },
        tls: { caFile: join(dir, 'ca-a.pem'), skipTLSVerify: false },
      },
      {
        name: 'b',
        url: 'https://b.example.com',
        auth: { type: 'kubeconfig', path, context: 'ctx-b' },
        tls: { skipTLSVerify: true },
      },
      {
        name: 'c',
        url: 'https://c.example.com',
        auth: { type: 'kubeconfig', path, context: 'ctx-b' },
        tls: { caFile: '/etc/ca.pem', skipTLSVerify: false },
      },
    ]);
  });

  it('rejects unreadable kubeconfig files and unknown contexts without leaking the file', async () => {
    const broken = join(dir, 'broken.yaml');
    await writeFile(broken, `users: [ { token: ${TOKEN} ]]]\n`);
    const error = failure({
      meshLifecycle: {
        clusters: [{ name: 'x', kubeconfig: { path: broken } }],
      },
    });
    expect(error.message).toContain(
      'meshLifecycle.clusters[0].kubeconfig.path',
    );
    expect(error.message).not.toContain(TOKEN);

    expect(
      failure({
        meshLifecycle: {
          clusters: [
            { name: 'x', kubeconfig: { path: join(dir, 'missing.yaml') } },
          ],
        },
      }).message,
    ).toMatch(/meshLifecycle\.clusters\[0\]\.kubeconfig\.path.*ENOENT/);

    const path = join(dir, 'kubeconfig-contexts.yaml');
    await writeFile(
      path,
      'clusters: [{name: a, cluster: {server: "https://a.example.com"}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: ctx-a, context: {cluster: a, user: u}}]\n',
    );
    expect(
      failure({
        meshLifecycle: {
          clusters: [{ name: 'x', kubeconfig: { path, context: 'nope' } }],
        },
      }).message,
    ).toMatch(
      /meshLifecycle\.clusters\[0\]\.kubeconfig\.context.*no context 'nope'.*'ctx-a'/,
    );
    expect(
      failure({
        meshLifecycle: { clusters: [{ name: 'x', kubeconfig: { path } }] },
      }).message,
    ).toMatch(/kubeconfig\.context.*no current-context/);
  });

  describe('inCluster', () => {
    const saved = { ...process.env };
    afterEach(() => {
      process.env = { ...saved };
    });

    it('uses the pod API server and service account CA', () => {
      process.env.KUBERNETES_SERVICE_HOST = '10.96.0.1';
      process.env.KUBERNETES_SERVICE_PORT = '443';
      const config = read({
        meshLifecycle: {
          clusters: [{ name: 'self', inCluster: true, environment: 'testing' }],
        },
      });
      expect(config.clusters).toEqual([
        {
          name: 'self',
          url: 'https://10.96.0.1',
          environment: 'testing',
          istioClusterId: 'self',
          auth: { type: 'inCluster' },
          tls: { caFile: IN_CLUSTER_CA_FILE, skipTLSVerify: false },
          source: 'meshLifecycle',
        },
      ]);
    });

    it('takes an explicit url and CA', () => {
      delete process.env.KUBERNETES_SERVICE_HOST;
      const config = read({
        meshLifecycle: {
          clusters: [
            {
              name: 'self',
              inCluster: true,
              url: 'https://kubernetes.default.svc',
              caData: 'Q0E=',
            },
          ],
        },
      });
      expect(config.clusters[0].url).toBe('https://kubernetes.default.svc');
      expect(config.clusters[0].tls).toEqual({
        caData: 'Q0E=',
        skipTLSVerify: false,
      });
    });

    it('fails outside a pod without url', () => {
      delete process.env.KUBERNETES_SERVICE_HOST;
      delete process.env.KUBERNETES_SERVICE_PORT;
      expect(
        failure({
          meshLifecycle: { clusters: [{ name: 'self', inCluster: true }] },
        }).message,
      ).toMatch(
        /meshLifecycle\.clusters\[0\]\.inCluster.*'self'.*not running in a pod/,
      );
    });
  });

  describe('Kubernetes plugin clusters', () => {
    const kubernetes = {
      clusterLocatorMethods: [
        { type: 'gke', projectId: 'p' },
        {
          type: 'config',
          clusters: [
            {
              name: 'dev',
              url: 'https://dev.example.com',
              authProvider: 'serviceAccount',
              serviceAccountToken: TOKEN,
              skipTLSVerify: true,
              caFile: '/etc/dev-ca.pem',
            },
            {
              name: 'prod',
              url: 'https://prod-from-k8s.example.com',
              authProvider: 'serviceAccount',
              serviceAccountToken: 'other-token',
            },
            {
              name: 'aws',
              url: 'https://aws.example.com',
              authProvider: 'aws',
            },
            {
              name: 'pod',
              url: 'https://pod.example.com',
              authProvider: 'serviceAccount',
            },
          ],
        },
      ],
    };

    it('merges them after ours, ours winning, with our settings for them', () => {
      const logger = mockServices.logger.mock();
      const config = read(
        {
          kubernetes,
          meshLifecycle: {
            clusters: [cluster()],
            prometheus: { url: 'https://prom.example.com' },
            kubernetesPluginClusters: [
              {
                name: 'dev',
                environment: 'development',
                prometheus: { url: 'https://prom-dev.example.com' },
              },
              { name: 'gone' },
            ],
          },
        },
        logger,
      );
      expect(
        config.clusters.map(c => ({
          name: c.name,
          url: c.url,
          environment: c.environment,
          auth: c.auth,
          tls: c.tls,
          prometheus: c.prometheus?.url,
          source: c.source,
        })),
      ).toEqual([
        {
          name: 'prod',
          url: 'https://k8s.example.com:6443',
          auth: { type: 'serviceAccountToken', token: TOKEN },
          tls: { skipTLSVerify: false },
          prometheus: 'https://prom.example.com',
          source: 'meshLifecycle',
        },
        {
          name: 'dev',
          url: 'https://dev.example.com',
          environment: 'development',
          auth: { type: 'serviceAccountToken', token: TOKEN },
          tls: { caFile: '/etc/dev-ca.pem', skipTLSVerify: true },
          prometheus: 'https://prom-dev.example.com',
          source: 'kubernetes',
        },
        {
          name: 'pod',
          url: 'https://pod.example.com',
          auth: { type: 'inCluster' },
          tls: { skipTLSVerify: false },
          prometheus: 'https://prom.example.com',
          source: 'kubernetes',
        },
      ]);
      expect(config.skipped).toEqual([
        {
          name: 'aws',
          configPath: 'kubernetes.clusterLocatorMethods[1].clusters[2]',
          reason: expect.stringContaining("authProvider 'aws'"),
        },
      ]);
      expect(logger.warn).toHaveBeenCalledWith(
        expect.stringContaining("skips Kubernetes cluster 'aws'"),
      );
      expect(logger.warn).toHaveBeenCalledWith(
        expect.stringContaining(
          "ignores 'meshLifecycle.kubernetesPluginClusters[1]': no cluster named 'gone'",
        ),
      );
      for (const call of [
        ...logger.warn.mock.calls,
        ...logger.info.mock.calls,
      ]) {
        expect(JSON.stringify(call)).not.toContain(TOKEN);
      }
    });

    it('can be turned off', () => {
      const config = read({
        kubernetes,
        meshLifecycle: { useKubernetesPluginClusters: false },
      });
      expect(config.clusters).toEqual([]);
      expect(config.skipped).toEqual([]);
    });

    it('validates their URLs, with opt-ins in kubernetesPluginClusters', () => {
      const http = {
        clusterLocatorMethods: [
          {
            type: 'config',
            clusters: [
              {
                name: 'local',
                url: 'http://127.0.0.1:8080',
                authProvider: 'serviceAccount',
                serviceAccountToken: TOKEN,
              },
            ],
          },
        ],
      };
      const error = failure({ kubernetes: http });
      expect(error.message).toContain(
        "'kubernetes.clusterLocatorMethods[0].clusters[0].url'",
      );
      expect(error.message).toContain('allowInsecureHttp');
      expect(error.message).not.toContain(TOKEN);
      const config = read({
        kubernetes: http,
        meshLifecycle: {
          kubernetesPluginClusters: [
            { name: 'local', allowInsecureHttp: true },
          ],
        },
      });
      expect(config.clusters[0].url).toBe('http://127.0.0.1:8080');
    });

    it('rejects duplicate names among them', () => {
      const twice = {
        name: 'dev',
        url: 'https://dev.example.com',
        authProvider: 'serviceAccount',
        serviceAccountToken: TOKEN,
      };
      const data = {
        kubernetes: {
          clusterLocatorMethods: [
            { type: 'config', clusters: [twice] },
            { type: 'config', clusters: [twice] },
          ],
        },
      };
      const error = failure(data);
      expect(error.message).toContain(
        "'kubernetes.clusterLocatorMethods[1].clusters[0].name'",
      );
      expect(error.message).toContain("duplicate cluster name 'dev'");
      // A cluster of ours by that name replaces both.
      expect(
        read({
          ...data,
          meshLifecycle: { clusters: [cluster({ name: 'dev' })] },
        }).clusters,
      ).toHaveLength(1);
    });
  });

  describe('rejects', () => {
    function expectRejected(data: object, configPath: string, pattern: RegExp) {
      const error = failure(data);
      expect(error.name).toBe('InputError');
      expect(error.message).toContain(`'${configPath}'`);
      expect(error.message).toMatch(pattern);
      expect(error.message).not.toContain(TOKEN);
      expect(error.message).not.toContain(PROM_TOKEN);
    }

    it.each([
      ['http://169.254.169.254', /link-local/],
      ['https://169.254.10.1:6443', /link-local/],
      ['https://[fe80::1]:6443', /link-local/],
      ['https://[::ffff:169.254.169.254]', /link-local/],
      ['https://0xA9FEA9FE', /link-local/],
      ['https://metadata.google.internal', /metadata/],
      ['https://Metadata.Google.Internal./computeMetadata', /metadata/],
      ['https://[fd00:ec2::254]', /metadata/],
      ['https://100.100.100.200', /metadata/],
    ])('the link-local or metadata cluster URL %s', (url, pattern) => {
      expectRejected(
        {
          meshLifecycle: {
            clusters: [cluster({ name: 'a' }), cluster({ name: 'b', url })],
          },
        },
        'meshLifecycle.clusters[1].url',
        pattern,
      );
      expect(
        read({
          meshLifecycle: {
            clusters: [
              cluster({
                url,
                dangerouslyAllowLinkLocal: true,
                allowInsecureHttp: true,
              }),
            ],
          },
        }).clusters,
      ).toHaveLength(1);
    });

    it('a link-local Prometheus URL', () => {
      expectRejected(
        {
          meshLifecycle: {
            clusters: [
              cluster({ prometheus: { url: 'https://169.254.169.254' } }),
            ],
          },
        },
        'meshLifecycle.clusters[0].prometheus.url',
        /link-local.*meshLifecycle\.clusters\[0\]\.prometheus\.dangerouslyAllowLinkLocal/,
      );
      expect(
        read({
          meshLifecycle: {
            prometheus: {
              url: 'https://169.254.169.254',
              dangerouslyAllowLinkLocal: true,
            },
          },
        }).prometheus?.url,
      ).toBe('https://169.254.169.254');
    });

    it('a token over plain http, even to loopback', () => {
      expectRejected(
        {
          meshLifecycle: {
            clusters: [cluster({ url: 'http://127.0.0.1:8080' })],
          },
        },
        'meshLifecycle.clusters[0].url',
        /refusing to send credentials over plain http.*allowInsecureHttp/,
      );
      expectRejected(
        {
          meshLifecycle: {
            prometheus: {
              url: 'http://localhost:9090',
              bearerToken: PROM_TOKEN,
            },
          },
        },
        'meshLifecycle.prometheus.url',
        /refusing to send credentials over plain http/,
      );
      expect(
        read({
          meshLifecycle: {
            clusters: [
              cluster({
                url: 'http://127.0.0.1:8080',
                allowInsecureHttp: true,
              }),
            ],
          },
        }).clusters[0].url,
      ).toBe('http://127.0.0.1:8080');
    });

    it('plain http to a non-loopback host, even without credentials', () => {
      expectRejected(
        { meshLifecycle: { prometheus: { url: 'http://prom.example.com' } } },
        'meshLifecycle.prometheus.url',
        /plain http to a non-loopback host/,
      );
    });

    it('a cluster without auth, naming it', () => {
      expectRejected(
        {
          meshLifecycle: {
            clusters: [{ name: 'bare', url: 'https://k8s.example.com' }],
          },
        },
        'meshLifecycle.clusters[0]',
        /cluster 'bare' has no credentials/,
      );
    });

    it('a cluster with two kinds of auth', () => {
      expectRejected(
        { meshLifecycle: { clusters: [cluster({ inCluster: true })] } },
        'meshLifecycle.clusters[0]',
        /more than one kind of auth/,
      );
    });

    it('duplicate cluster names', () => {
      expectRejected(
        {
          meshLifecycle: {
            clusters: [
              cluster(),
              cluster({ url: 'https://other.example.com' }),
            ],
          },
        },
        'meshLifecycle.clusters[1].name',
        /duplicate cluster name 'prod'.*meshLifecycle\.clusters\[0\]/,
      );
    });

    it.each([
      ['not a url'],
      ['ftp://k8s.example.com'],
      ['file:///etc/passwd'],
      [`https://user:${TOKEN}@k8s.example.com`],
      ['https://k8s.example.com/?x=1'],
    ])('the bad URL %s', url => {
      expectRejected(
        { meshLifecycle: { clusters: [cluster({ url })] } },
        'meshLifecycle.clusters[0].url',
        /not a valid URL|http or https|credentials|query/,
      );
    });

    it('a token that is not a string', () => {
      const error = failure({
        meshLifecycle: { clusters: [cluster({ serviceAccountToken: 12345 })] },
      });
      expect(error.message).toContain(
        'meshLifecycle.clusters[0].serviceAccountToken',
      );
      expect(error.message).not.toContain('12345');
    });

    it('a missing url with token auth', () => {
      expect(
        failure({
          meshLifecycle: {
            clusters: [{ name: 'x', serviceAccountToken: TOKEN }],
          },
        }).message,
      ).toContain("'meshLifecycle.clusters[0].url'");
    });

    it('bad durations', () => {
      expectRejected(
        { meshLifecycle: { timeouts: { cluster: 'soon' } } },
        'meshLifecycle.timeouts.cluster',
        /duration/,
      );
      expectRejected(
        { meshLifecycle: { timeouts: { prometheus: { seconds: 0 } } } },
        'meshLifecycle.timeouts.prometheus',
        /positive/,
      );
      expectRejected(
        {
          meshLifecycle: {
            prometheus: { url: 'https://prom.example.com', timeout: 1000 },
          },
        },
        'meshLifecycle.prometheus.timeout',
        /duration/i,
      );
    });

    it('both caData and caFile', () => {
      expectRejected(
        {
          meshLifecycle: {
            clusters: [cluster({ caData: 'Q0E=', caFile: '/etc/ca.pem' })],
          },
        },
        'meshLifecycle.clusters[0]',
        /at most one of caData and caFile/,
      );
    });

    it('bearerToken together with an Authorization header', () => {
      expectRejected(
        {
          meshLifecycle: {
            prometheus: {
              url: 'https://prom.example.com',
              bearerToken: PROM_TOKEN,
              headers: { authorization: `Bearer ${TOKEN}` },
            },
          },
        },
        'meshLifecycle.prometheus.bearerToken',
        /Authorization header/,
      );
    });

    it('headers with line breaks, without showing them', () => {
      expectRejected(
        {
          meshLifecycle: {
            prometheus: {
              url: 'https://prom.example.com',
              headers: { 'X-Token': `${TOKEN}\r\nX-Evil: 1` },
            },
          },
        },
        'meshLifecycle.prometheus.headers.X-Token',
        /line breaks/,
      );
    });
  });
});
