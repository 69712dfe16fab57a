import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  LifecycleResponse,
  MeshResponse,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import {
  KubernetesEmulator,
  MeshModel,
  PrometheusInstance,
  createServiceEntity,
  loadKubernetesManifests,
  startKubernetesEmulator,
  startPrometheus,
  toOpenMetrics,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-test-utils';
import { Server } from 'http';
import { join } from 'path';
import request from 'supertest';
import { meshLifecyclePlugin } from './plugin';

jest.setTimeout(60_000);

const gateStatuses = (answer: LifecycleResponse) =>
  Object.fromEntries(answer.gates.gates.map(g => [g.id, g.status]));

const manifests = join(__dirname, '../../../examples/clusters');

/** Prometheus knows checkout-service only: payment-service has no series. */
const model: MeshModel = {
  seed: 11,
  cluster: 'prod',
  services: [
    {
      name: 'checkout-service',
      namespace: 'shop',
      versions: [{ version: 'v1', weight: 100 }],
      latencyMs: { kind: 'lognormal', medianMs: 30, p95Ms: 150 },
    },
  ],
  edges: [
    {
      source: 'unknown',
      destination: 'checkout-service',
      requestsPerSecond: 5,
    },
  ],
};

/**
 * The lifecycle answer over HTTP when sources are missing: a cluster that
 * refuses the token, a Prometheus without the service's series, a cluster
 * the entity names but nobody configured, a cluster without environment.
 * Nothing missing may read as "no traffic", "runs nowhere" or "pass".
 */
describe('lifecycle evidence with missing sources', () => {
  const end = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 60_000);
  let prod: KubernetesEmulator;
  let locked: KubernetesEmulator;
  let prometheus: PrometheusInstance;
  let server: Server;

  beforeAll(async () => {
    [prod, locked] = await Promise.all([
      startKubernetesEmulator({
        name: 'prod',
        manifests: join(manifests, 'prod'),
      }),
      startKubernetesEmulator({
        name: 'locked',
        manifests: join(manifests, 'prod'),
      }),
    ]);
    prometheus = await startPrometheus({
      backfill: toOpenMetrics(model, {
        start: new Date(end.getTime() - 900_000),
        end,
        stepSeconds: 30,
      }),
    });
    ({ server } = await startTestBackend({
      features: [
        meshLifecyclePlugin,
        catalogServiceMock.factory({
          entities: [
            createServiceEntity({
              name: 'payment-service',
              kubernetesNamespace: 'shop',
              cluster: 'prod',
            }),
            createServiceEntity({
              name: 'checkout-service',
              kubernetesNamespace: 'shop',
              cluster: 'locked',
            }),
            createServiceEntity({
              name: 'cart-service',
              kubernetesNamespace: 'shop',
              cluster: 'production',
            }),
          ],
        }),
        mockServices.rootConfig.factory({
          data: {
            meshLifecycle: {
              clusters: [
                {
                  // No environment: assumed from its name.
                  name: prod.name,
                  url: prod.url,
                  serviceAccountToken: prod.token,
                  allowInsecureHttp: true,
                  prometheus: { url: prometheus.url },
                },
                {
                  name: locked.name,
                  environment: 'production',
                  url: locked.url,
                  serviceAccountToken: 'not-the-token-0c1d',
                  allowInsecureHttp: true,
                  prometheus: { url: prometheus.url },
                },
              ],
              timeouts: { cluster: '2s', prometheus: '2s' },
            },
          },
        }),
      ],
    }));
  });

  afterAll(async () => {
    await prometheus?.stop();
    await Promise.all([prod, locked].map(emulator => emulator?.stop()));
  });

  const lifecycle = async (name: string): Promise<LifecycleResponse> => {
    const response = await request(server).get(
      `/api/mesh-lifecycle/entities/component/default/${name}/lifecycle`,
    );
    expect(response.status === 200 ? 200 : response.body).toBe(200);
    return response.body;
  };

  it('keeps a production service in operate when its cluster refuses the token', async () => {
    const answer = await lifecycle('checkout-service');
    expect(answer.phase.unanswered).toEqual(['cluster locked']);
    expect(answer.phase.inferred).toBe('design');
    expect(answer.phase.phase).toBe('operate');
    expect(answer.phase.uncertain).toMatchObject({
      kept: { phase: 'operate', from: 'declared' },
    });
    // Nothing seen on the cluster: the gates that need it cannot pass
    // (the catalog's own facts still count).
    expect(gateStatuses(answer)).toEqual({
      'no-inbound-requests': 'unknown',
      'no-dependents': 'pass',
      'replacement-named': 'fail',
      'owners-notified': 'fail',
    });
    expect(answer.gates.passed).toBe(false);
    expect(answer.health.verdict).toBe('unknown');
    // One line saying what to check, API discovery failures included.
    expect(answer.validation).toEqual([
      {
        source: 'locked',
        status: 'error',
        error: {
          name: 'ClusterError',
          message: expect.stringMatching(
            /^cluster locked: .*401.*meshLifecycle\.clusters/,
          ),
          since: expect.any(String),
        },
      },
    ]);
    expect(JSON.stringify(answer)).not.toContain('not-the-token-0c1d');
  });

  it('does not take a service without series for one without traffic', async () => {
    const answer = await lifecycle('payment-service');
    // Runs in prod, which has no environment: production, from its name.
    expect(answer.phase.phase).toBe('operate');
    expect(
      answer.phase.evidence.find(e => e.fact === 'runsIn')?.detail,
    ).toMatch(
      /cluster prod has no environment; assumed production from its name/,
    );
    const traffic = answer.phase.evidence.filter(e => e.fact === 'hasTraffic');
    expect(traffic).toEqual([
      expect.objectContaining({
        value: 'unknown',
        detail: expect.stringMatching(/no request series of it/),
      }),
    ]);
    const quiet = answer.gates.gates.find(g => g.id === 'no-inbound-requests');
    expect(quiet?.status).toBe('unknown');
    expect(quiet?.evidence.join(' ')).toMatch(/no request series of it/);
    expect(answer.gates.passed).toBe(false);
    expect(answer.health.reasons).toContainEqual(
      expect.objectContaining({
        verdict: 'unknown',
        message: expect.stringMatching(
          /^request health unknown: .* has no request series of it/,
        ),
      }),
    );
    expect(JSON.stringify(answer.health)).not.toMatch(/within thresholds/);
  });

  it('does not confirm a quiet period the telemetry does not cover', async () => {
    // checkout-service's series exist, but only for the last 15 minutes.
    const answer = await lifecycle('checkout-service');
    const quiet = answer.gates.gates.find(g => g.id === 'no-inbound-requests');
    expect(quiet?.status).not.toBe('pass');
  });

  it('says that the cluster an entity names is not configured', async () => {
    const mesh: MeshResponse = (
      await request(server).get(
        '/api/mesh-lifecycle/entities/component/default/cart-service/mesh',
      )
    ).body;
    const message =
      'cluster "production", named by the backstage.io/kubernetes-cluster annotation of component:default/cart-service, is not configured; the configured clusters are locked, prod';
    expect(mesh.clusters).toEqual([
      {
        source: 'cluster production',
        status: 'error',
        error: {
          name: 'NotFoundError',
          message: expect.stringContaining(message),
          // Since when it fails, said beside why.
          since: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        },
      },
    ]);
    const answer = await lifecycle('cart-service');
    expect(answer.validation).toEqual([
      expect.objectContaining({
        status: 'error',
        error: expect.objectContaining({
          message: expect.stringContaining(message),
        }),
      }),
    ]);
    expect(answer.phase.phase).toBe('operate');
    expect(answer.phase.uncertain?.kept?.from).toBe('declared');
    expect(gateStatuses(answer)['no-inbound-requests']).toBe('unknown');
  });
});

/**
 * The monitoring gate reads the clusters' ServiceMonitors: a list the cluster
 * refused leaves it unknown with the reason, never "no ServiceMonitor"; a
 * cluster that does not serve the kind (no prometheus-operator) has none.
 */
describe('the monitoring gate when ServiceMonitors cannot be read', () => {
  let refusing: KubernetesEmulator;
  let bare: KubernetesEmulator;
  let server: Server;

  beforeAll(async () => {
    const prodObjects = await loadKubernetesManifests(join(manifests, 'prod'));
    [refusing, bare] = await Promise.all([
      startKubernetesEmulator({ name: 'refusing', objects: prodObjects }),
      // No prometheus-operator: the same objects less its kinds.
      startKubernetesEmulator({
        name: 'bare',
        prometheusOperator: false,
        objects: prodObjects.filter(
          o => !String(o.apiVersion).startsWith('monitoring.coreos.com/'),
        ),
      }),
    ]);
    refusing.faults.add({ path: /\/servicemonitors$/, status: 403 });
    ({ server } = await startTestBackend({
      features: [
        meshLifecyclePlugin,
        catalogServiceMock.factory({
          entities: ['refusing', 'bare'].map(cluster =>
            createServiceEntity({
              name: 'pricing-service',
              namespace: cluster,
              kubernetesNamespace: 'shop',
              cluster,
              phase: 'test',
            }),
          ),
        }),
        mockServices.rootConfig.factory({
          data: {
            meshLifecycle: {
              clusters: [refusing, bare].map(emulator => ({
                name: emulator.name,
                environment: 'test',
                url: emulator.url,
                serviceAccountToken: emulator.token,
                allowInsecureHttp: true,
              })),
              timeouts: { cluster: '2s' },
            },
          },
        }),
      ],
    }));
  });

  afterAll(async () => {
    await Promise.all([refusing, bare].map(emulator => emulator?.stop()));
  });

  const monitoring = async (cluster: string) => {
    const response = await request(server).get(
      `/api/mesh-lifecycle/entities/component/${cluster}/pricing-service/lifecycle`,
    );
    expect(response.status === 200 ? 200 : response.body).toBe(200);
    const answer: LifecycleResponse = response.body;
    expect(answer.gates.from).toBe('test');
    return answer.gates.gates.find(g => g.id === 'monitoring')!;
  };

  it('is unknown with the reason where the list was refused', async () => {
    const gate = await monitoring('refusing');
    // (No Prometheus here: its alert rules are unknown too; the evidence
    // says what each cluster gave.)
    expect(gate.status).toBe('unknown');
    expect(gate.evidence).toContainEqual(
      expect.stringMatching(
        /^refusing: ServiceMonitors not read: cluster refusing: .*403/,
      ),
    );
    expect(gate.evidence.join('\n')).not.toMatch(/no ServiceMonitor selects/);
  });

  it('finds none where the cluster does not serve the kind', async () => {
    const gate = await monitoring('bare');
    expect(gate.evidence).toContain(
      'bare: no ServiceMonitor selects its Service: the cluster serves no ServiceMonitors (prometheus-operator is not installed)',
    );
    expect(gate.status).not.toBe('pass');
    // Neither watched at start nor asked for on the view.
    expect(bare.calls.count({ resource: 'servicemonitors' })).toBe(0);
  });
});
