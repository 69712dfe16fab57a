import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { mockCredentials } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import {
  ANNOTATION_REPLACED_BY,
  RetirementArchiveResponse,
  RetirementsResponse,
  meshDecommissionPermission,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
// The whole portal side of a retirement: the scaffolder runs it, our
// backend plugin judges the conditions and keeps the record and archive.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import meshLifecyclePlugin from '@mesh-lifecycle/plugin-mesh-lifecycle-backend';
import {
  EXTERNAL_SOURCE,
  JsonObject,
  KubernetesEmulator,
  MeshModel,
  PrometheusInstance,
  createServiceEntity,
  parseKubernetesManifests,
  runScaffolderTask,
  startKubernetesEmulator,
  startPrometheus,
  toOpenMetrics,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-test-utils';
import fs from 'node:fs';
import { Server } from 'node:http';
import path from 'node:path';
import meshLifecycleModule from '.';
import {
  backendCaller,
  permissionsDenying,
  templateEntity,
} from './__testUtils__/testBackend';
import {
  LEGACY_SECRET,
  readNamespace,
} from './decommission/__testUtils__/readNamespace';
import { DECOMMISSION_KINDS } from './decommission/planDecommission';

// The migration to the replacement runs for its pause in real time (10 s).
jest.setTimeout(180_000);

const PROD = path.join(__dirname, '../../../examples/clusters/prod');
const LEGACY = 'legacy-pricing-service';
const LEGACY_REF = `component:default/${LEGACY}`;
const PRICING_REF = 'component:default/pricing-service';
const OUTSIDER = 'user:default/outsider';
const ISTIO_CLUSTER = 'prod-mesh';
/** The drain window the runs judge: ten minutes. */
const DRAIN_WINDOW_SECONDS = 600;

const service = (name: string) => ({
  name,
  namespace: 'shop',
  versions: [{ version: 'v1', weight: 100 }],
  latencyMs: { kind: 'lognormal' as const, medianMs: 20, p95Ms: 80 },
});

/**
 * Two hours of the shop's telemetry up to two minutes ago: pricing-service
 * called by checkout and inventory; legacy-pricing-service called by
 * inventory until an hour ago, quiet since (its series stay, flat).
 */
function shopModel(): MeshModel {
  return {
    seed: 11,
    jitter: 0,
    cluster: ISTIO_CLUSTER,
    services: [
      service('checkout-service'),
      service('inventory-service'),
      service('pricing-service'),
      { ...service(LEGACY), idleAfter: new Date(Date.now() - 3_600_000) },
    ],
    edges: [
      {
        source: EXTERNAL_SOURCE,
        destination: 'checkout-service',
        requestsPerSecond: 5,
      },
      {
        source: 'checkout-service',
        destination: 'pricing-service',
        requestsPerSecond: 4,
      },
      {
        source: 'inventory-service',
        destination: 'pricing-service',
        requestsPerSecond: 1,
      },
      {
        source: 'inventory-service',
        destination: LEGACY,
        requestsPerSecond: 1,
      },
    ],
  };
}

const entities = [
  createServiceEntity({
    name: LEGACY,
    phase: 'retire',
    kubernetesNamespace: 'shop',
    cluster: 'prod',
    owner: 'group:default/team-platform',
    annotations: { [ANNOTATION_REPLACED_BY]: PRICING_REF },
  }),
  createServiceEntity({
    name: 'pricing-service',
    phase: 'operate',
    kubernetesNamespace: 'shop',
    cluster: 'prod',
    owner: 'group:default/team-pricing',
  }),
  createServiceEntity({
    name: 'checkout-service',
    phase: 'operate',
    kubernetesNamespace: 'shop',
    cluster: 'prod',
    owner: 'group:default/team-commerce',
  }),
  createServiceEntity({
    name: 'inventory-service',
    phase: 'operate',
    kubernetesNamespace: 'shop',
    cluster: 'prod',
    owner: 'group:default/team-inventory',
  }),
];

describe('mesh:service:decommission through the scaffolder, on an emulated cluster and a real Prometheus', () => {
  let emulator: KubernetesEmulator;
  let prometheus: PrometheusInstance;
  let server: Server;
  let stopBackend: () => Promise<void>;
  const { call } = backendCaller(() => server);

  /** legacy-pricing-service as the demo's cluster has it, running 2 replicas, its VirtualService still routing to it. */
  const restoreLegacy = () => {
    const manifests = parseKubernetesManifests(
      fs.readFileSync(path.join(PROD, `${LEGACY}.yaml`), 'utf8'),
    );
    for (const o of manifests) {
      const metadata = o.metadata as JsonObject;
      if (o.kind === 'Deployment') {
        emulator.apply({
          ...o,
          spec: { ...(o.spec as JsonObject), replicas: 2 },
        });
      } else if (o.kind === 'VirtualService') {
        const spec = o.spec as { http: Array<{ route: JsonObject[] }> };
        emulator.apply({
          ...o,
          spec: {
            ...spec,
            http: spec.http.map(r => ({
              ...r,
              route: r.route.map(d => ({
                ...d,
                weight: JSON.stringify(d.destination).includes(LEGACY)
                  ? 100
                  : 0,
              })),
            })),
          },
        });
      } else if (metadata.namespace === 'shop') {
        emulator.apply(o);
      }
    }
    emulator.apply(LEGACY_SECRET);
  };

  const legacyObjects = () =>
    readNamespace(emulator, 'shop')
      .filter(
        o =>
          o.metadata.labels?.['backstage.io/kubernetes-id'] === LEGACY &&
          DECOMMISSION_KINDS.includes(o.kind),
      )
      .map(o => `${o.kind}/${o.metadata.name}`)
      .sort();
  /** Every other object of the namespace, down to its resourceVersion. */
  const neighbours = () =>
    readNamespace(emulator, 'shop')
      .filter(o => o.metadata.labels?.['backstage.io/kubernetes-id'] !== LEGACY)
      .map(o => `${o.kind}/${o.metadata.name}@${o.metadata.resourceVersion}`)
      .sort();
  const writes = () =>
    ['patch', 'update', 'create', 'delete'].reduce(
      (sum, verb) => sum + emulator.calls.count({ verb }),
      0,
    );

  const run = (
    values: JsonObject,
    authorization = mockCredentials.user.header(),
  ) =>
    runScaffolderTask({
      baseUrl: `http://127.0.0.1:${
        (server.address() as { port: number }).port
      }/`,
      authorization,
      templateRef: 'template:default/retire-service',
      values: {
        reason: 'Replaced by pricing-service',
        drainWindowSeconds: DRAIN_WINDOW_SECONDS,
        migrationPauseSeconds: 10,
        ...values,
      },
      timeoutMs: 120_000,
    });
  const retirements = async (name = LEGACY): Promise<RetirementsResponse> =>
    call(
      'GET',
      `/api/mesh-lifecycle/entities/component/default/${name}/retirements`,
    );

  beforeAll(async () => {
    emulator = await startKubernetesEmulator({ name: 'prod', manifests: PROD });
    const end = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 120_000);
    prometheus = await startPrometheus({
      backfill: toOpenMetrics(shopModel(), {
        start: new Date(end.getTime() - 7_200_000),
        end,
        stepSeconds: 30,
      }),
    });
    const backend = await startTestBackend({
      features: [
        scaffolderPlugin,
        meshLifecycleModule,
        meshLifecyclePlugin,
        catalogServiceMock.factory({
          entities: [...entities, await templateEntity('retire-service')],
        }),
        // The outsider may run templates, not retire services.
        permissionsDenying(meshDecommissionPermission.name, OUTSIDER),
        mockServices.rootConfig.factory({
          data: {
            meshLifecycle: {
              clusters: [
                {
                  name: 'prod',
                  url: emulator.url,
                  serviceAccountToken: emulator.token,
                  allowInsecureHttp: true,
                  environment: 'production',
                  istioClusterId: ISTIO_CLUSTER,
                },
              ],
              prometheus: { url: prometheus.url },
            },
          },
        }),
      ],
    });
    server = backend.server;
    stopBackend = () => backend.stop();
  });

  beforeEach(() => {
    restoreLegacy();
    emulator.calls.reset();
  });

  afterAll(async () => {
    await stopBackend?.();
    await prometheus?.stop();
    await emulator?.stop();
  });

  it('refuses a service with live callers, naming them with their owners and rates, and changes nothing', async () => {
    const result = await run({ entity: PRICING_REF });
    expect(result.status).toBe('failed');
    expect(result.log).toMatch(
      /Live caller: component:default\/checkout-service \(owner group:default\/team-commerce\) calls it at [\d.]+ req\/s over the last 10 minutes/,
    );
    expect(result.log).toMatch(
      /Live caller: component:default\/inventory-service \(owner group:default\/team-inventory\) calls it at [\d.]+ req\/s/,
    );
    expect(result.log).toContain('cannot be retired yet; nothing was changed');
    expect(writes()).toBe(0);
    const [refused] = (await retirements('pricing-service')).retirements;
    expect(refused).toMatchObject({ state: 'refused', entityRef: PRICING_REF });
    expect(refused.blockers.join('\n')).toContain(
      'No inbound requests for the quiet period',
    );
  });

  it('refuses a user without the permission, and writes nothing', async () => {
    const result = await run(
      { entity: LEGACY_REF },
      mockCredentials.user.header(OUTSIDER),
    );
    expect(result.status).toBe('failed');
    expect(result.log).toContain(
      `You are not allowed to decommission ${LEGACY_REF} (permission mesh-lifecycle.decommission)`,
    );
    expect(writes()).toBe(0);
    expect((await retirements()).retirements).toEqual([]);
  });

  it('prints the whole plan on a dry run and changes nothing', async () => {
    const before = legacyObjects();
    const result = await run({ entity: LEGACY_REF, dryRun: true });
    expect({ status: result.status, log: result.log }).toMatchObject({
      status: 'completed',
    });
    expect(result.log).toContain(
      'Step 1, preconditions over the last 10 minutes: every retire condition holds',
    );
    expect(result.log).toContain(
      'Step 2, migration to pricing-service.shop.svc.cluster.local: dry-run (legacy-pricing-service.shop.svc.cluster.local (v1) 100 % / pricing-service.shop.svc.cluster.local 0 % → legacy-pricing-service.shop.svc.cluster.local (v1) 0 % / pricing-service.shop.svc.cluster.local 100 %)',
    );
    expect(result.log).toMatch(
      /Dry run\. Step 3, scale to zero, then wait up to 300 s for their pods to go: Deployment legacy-pricing-service-v1 \(2 replicas to 0\)/,
    );
    expect(result.log).toMatch(
      /Dry run\. Step 5, delete in this order, in the foreground: VirtualService legacy-pricing-service .*Deployment legacy-pricing-service-v1 .*Secret legacy-pricing-service-db/,
    );
    expect(result.log).toContain('Dry run: nothing was written');
    expect(writes()).toBe(0);
    expect(legacyObjects()).toEqual(before);
    expect((await retirements()).retirements).toEqual([]);
  });

  it('drains, scales down, archives and cleans up a quiet service, leaving its neighbours as they were', async () => {
    const untouched = neighbours();
    const result = await run({ entity: LEGACY_REF });
    expect({ status: result.status, log: result.log }).toMatchObject({
      status: 'completed',
    });
    // Migrated: what its VirtualService routed to it went to pricing-service first.
    expect(result.log).toMatch(
      /Step 2, migration to pricing-service\.shop\.svc\.cluster\.local: completed/,
    );
    expect(
      emulator.calls.count({
        verb: 'patch',
        resource: 'virtualservices',
        name: LEGACY,
      }),
    ).toBeGreaterThanOrEqual(2); // the migration, then the mark
    expect(legacyObjects()).toEqual([]);
    expect(neighbours()).toEqual(untouched);

    const [recorded] = (await retirements()).retirements;
    expect(recorded).toMatchObject({
      entityRef: LEGACY_REF,
      state: 'completed',
      replacement: PRICING_REF,
      drainWindowSeconds: DRAIN_WINDOW_SECONDS,
      requestedBy: 'user:default/mock',
      blockers: [],
    });
    const deleted = recorded.steps
      .filter(s => s.step === 'delete')
      .map(s => `${s.kind}/${s.name}:${s.outcome}`);
    expect(deleted).toContain('Deployment/legacy-pricing-service-v1:deleted');
    expect(deleted).toContain('Secret/legacy-pricing-service-db:deleted');

    const archive: RetirementArchiveResponse = await call(
      'GET',
      `/api/mesh-lifecycle/retirements/${encodeURIComponent(
        recorded.id,
      )}/archive`,
    );
    expect(archive.objects.map(o => `${o.kind}/${o.name}`).sort()).toEqual(
      recorded.steps
        .filter(s => s.step === 'delete')
        .map(s => `${s.kind}/${s.name}`)
        .sort(),
    );
    const secret = archive.objects.find(o => o.kind === 'Secret')!;
    expect(secret.yaml).not.toContain('c2VjcmV0');
    expect(secret.yaml).toContain('mesh-lifecycle.io/archived-secret-keys');
    // The task's output holds the same archive, and the request.
    const output = result.output as {
      requestId: string;
      archive: Array<{ kind: string; name: string; yaml: string }>;
    };
    expect(output.requestId).toBe(recorded.id);
    // What the portal shows: the plan, one step a paragraph, and no blockers.
    const text = (result.output as { text: Array<{ content: string }> }).text;
    expect(text[0].content).toMatch(
      /^Step 3, mark decommissioning: .*\n\nStep 3, scale to zero/,
    );
    expect(text[1].content.trim()).toBe('None: every retire condition holds.');
    expect(output.archive.map(o => `${o.kind}/${o.name}`).sort()).toEqual(
      archive.objects.map(o => `${o.kind}/${o.name}`).sort(),
    );
    expect(output.archive.find(o => o.kind === 'Secret')!.yaml).toBe(
      secret.yaml,
    );
  });

  it('lets one of two concurrent runs retire the service and refuses the other', async () => {
    const [a, b] = await Promise.all([
      run({ entity: LEGACY_REF }),
      run({ entity: LEGACY_REF }),
    ]);
    const outcomes = [a, b].map(r => r.status).sort();
    expect(outcomes).toEqual(['completed', 'failed']);
    const loser = [a, b].find(r => r.status === 'failed')!;
    expect(loser.log).toMatch(
      /is being retired by request .*: one run at a time; this run changed nothing/,
    );
    expect(legacyObjects()).toEqual([]);
  });
});
