import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { createServiceFactory } from '@backstage/backend-plugin-api';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  NotificationSendOptions,
  notificationService,
} from '@backstage/plugin-notifications-node';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import {
  LifecycleResponse,
  RetirementArchiveResponse,
  RetirementsResponse,
  meshDecommissionPermission,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
// The whole portal side of a retirement: the scaffolder runs it, our
// backend plugin judges the conditions and keeps the record and archive.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import meshLifecyclePlugin from '@mesh-lifecycle/plugin-mesh-lifecycle-backend';
import {
  JsonObject,
  KubernetesEmulator,
  PrometheusInstance,
  runScaffolderTask,
  startKubernetesEmulator,
  startPrometheus,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-test-utils';
import { Server, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import meshLifecycleModule from '.';
import {
  backendCaller,
  meshLifecycleServiceAccount,
  permissionsDenying,
  templateEntity,
} from './__testUtils__/testBackend';
import {
  LEGACY,
  LEGACY_REF,
  PRICING_REF,
  PROD_MANIFESTS,
  SHOP_ENTITIES,
  legacyObjects,
  neighbours,
  restoreLegacy,
  shopConfig,
  shopTelemetry,
} from './decommission/__testUtils__/shop';

// The migration to the replacement runs for its pause in real time (10 s).
jest.setTimeout(180_000);

const OUTSIDER = 'user:default/outsider';
/** The drain window the runs judge: ten minutes. */
const DRAIN_WINDOW_SECONDS = 600;

describe('mesh:service:decommission through the scaffolder, on an emulated cluster and a real Prometheus', () => {
  let emulator: KubernetesEmulator;
  let prometheus: PrometheusInstance;
  let server: Server;
  let stopBackend: () => Promise<void>;
  const { call } = backendCaller(() => server);
  /** What the scaffolder module sent through the notifications service. */
  const sent: NotificationSendOptions[] = [];
  /**
   * The repository legacy-pricing-service's entity was read from: a host
   * with no pull request step in the template (not GitHub or GitLab).
   */
  const CATALOG_INFO = `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: ${LEGACY}
spec:
  type: service
  lifecycle: deprecated
  owner: team-platform
`;
  const repository = createServer((req, res) => {
    if (req.url === '/acme/legacy-pricing-service/catalog-info.yaml') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(CATALOG_INFO);
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  const catalogInfoUrl = () =>
    `http://127.0.0.1:${
      (repository.address() as AddressInfo).port
    }/acme/legacy-pricing-service/catalog-info.yaml`;

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
    emulator = await startKubernetesEmulator({
      name: 'prod',
      manifests: PROD_MANIFESTS,
      tokens: meshLifecycleServiceAccount(),
    });
    prometheus = await startPrometheus({ backfill: shopTelemetry() });
    await new Promise<void>(resolve =>
      repository.listen(0, '127.0.0.1', resolve),
    );
    const backend = await startTestBackend({
      features: [
        scaffolderPlugin,
        meshLifecycleModule,
        meshLifecyclePlugin,
        catalogServiceMock.factory({
          entities: [
            ...SHOP_ENTITIES.map(entity =>
              entity.metadata.name === LEGACY
                ? {
                    ...entity,
                    metadata: {
                      ...entity.metadata,
                      annotations: {
                        ...entity.metadata.annotations,
                        'backstage.io/managed-by-location': `url:${catalogInfoUrl()}`,
                      },
                    },
                  }
                : entity,
            ),
            await templateEntity('retire-service'),
          ],
        }),
        // The outsider may run templates, not retire services.
        permissionsDenying(meshDecommissionPermission.name, OUTSIDER),
        createServiceFactory({
          service: notificationService,
          deps: {},
          factory: () => ({
            send: async (notification: NotificationSendOptions) => {
              sent.push(notification);
            },
          }),
        }),
        mockServices.rootConfig.factory({
          data: {
            meshLifecycle: shopConfig(emulator, prometheus),
            backend: {
              reading: {
                allow: [{ host: new URL(catalogInfoUrl()).host }],
              },
            },
          },
        }),
      ],
    });
    server = backend.server;
    stopBackend = () => backend.stop();
  });

  beforeEach(() => {
    restoreLegacy(emulator);
    emulator.calls.reset();
    sent.length = 0;
  });

  afterAll(async () => {
    await stopBackend?.();
    await prometheus?.stop();
    await emulator?.stop();
    repository.close();
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
    // Filing it told the owners of its callers, once, and that is recorded.
    expect(sent).toHaveLength(1);
    expect(sent[0].recipients).toEqual({
      type: 'entity',
      entityRef: [
        'group:default/team-commerce',
        'group:default/team-inventory',
      ],
    });
    expect(sent[0].payload).toMatchObject({
      title: 'pricing-service is being retired',
      link: '/catalog/default/component/pricing-service',
      topic: 'mesh-lifecycle.retirement',
    });
    expect(refused.notified).toMatchObject({
      owners: ['group:default/team-commerce', 'group:default/team-inventory'],
      dependents: [
        'component:default/checkout-service',
        'component:default/inventory-service',
      ],
    });
    const lifecycle: LifecycleResponse = await call(
      'GET',
      '/api/mesh-lifecycle/entities/component/default/pricing-service/lifecycle',
    );
    expect(
      lifecycle.gates.gates.find(g => g.id === 'owners-notified'),
    ).toMatchObject({ status: 'pass' });
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
    const before = legacyObjects(emulator);
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
    expect(sent).toEqual([]);
    expect(writes()).toBe(0);
    expect(legacyObjects(emulator)).toEqual(before);
    expect((await retirements()).retirements).toEqual([]);
  });

  it('drains, scales down, archives and cleans up a quiet service, leaving its neighbours as they were', async () => {
    const untouched = neighbours(emulator);
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
    expect(legacyObjects(emulator)).toEqual([]);
    expect(neighbours(emulator)).toEqual(untouched);

    const [recorded] = (await retirements()).retirements;
    expect(recorded).toMatchObject({
      entityRef: LEGACY_REF,
      state: 'completed',
      replacement: PRICING_REF,
      drainWindowSeconds: DRAIN_WINDOW_SECONDS,
      requestedBy: 'user:default/mock',
      blockers: [],
      // Nothing depends on it: nobody to tell, and that counts as told.
      notified: { owners: [], dependents: [] },
    });
    expect(sent).toEqual([]);
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
    // Its catalog file, read from where the catalog read it and changed;
    // no pull request step reaches that host, so it is there to apply by hand.
    expect(text[2].content).toBe(
      `${LEGACY_REF}: spec.lifecycle set to retired in catalog-info.yaml

Not proposed: there is no pull request step for ${catalogInfoUrl()}. Apply this there by hand:

\`\`\`yaml
${CATALOG_INFO.replace('lifecycle: deprecated', 'lifecycle: retired')}\`\`\`
`,
    );
    expect(output.archive.map(o => `${o.kind}/${o.name}`).sort()).toEqual(
      archive.objects.map(o => `${o.kind}/${o.name}`).sort(),
    );
    expect(output.archive.find(o => o.kind === 'Secret')!.yaml).toBe(
      secret.yaml,
    );
  });

  it('deletes nothing while its pods stay, and records how far it got', async () => {
    emulator.apply({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'legacy-pricing-service-v1-stuck',
        namespace: 'shop',
        labels: { app: LEGACY, version: 'v1' },
      },
      spec: { containers: [{ name: 'app', image: 'legacy:1' }] },
    });
    try {
      const before = legacyObjects(emulator);
      const result = await run({
        entity: LEGACY_REF,
        podsGoneTimeoutSeconds: 0,
      });
      expect(result.status).toBe('failed');
      expect(result.log).toContain(
        '1 pods still run 0 s after scaling to zero (legacy-pricing-service-v1-stuck); nothing was deleted',
      );
      expect(legacyObjects(emulator)).toEqual(before);
      const [stopped] = (await retirements()).retirements;
      expect(stopped.state).toBe('failed');
      expect(stopped.message).toContain('pods still run');
      // What it did before it stopped: marked and scaled, nothing deleted.
      expect(stopped.steps.filter(s => s.step === 'mark')).toHaveLength(
        before.length,
      );
      expect(
        stopped.steps.filter(s => s.step !== 'mark').map(s => [s.step, s.name]),
      ).toEqual([['scale', 'legacy-pricing-service-v1']]);
    } finally {
      emulator.remove('v1', 'Pod', 'shop', 'legacy-pricing-service-v1-stuck');
    }
  });

  it('takes the service over from a request whose task ended without finishing, recording it failed', async () => {
    // A run killed with task recovery off: its request stays running, and
    // the scaffolder fails its task (here: a task refused from the start).
    const ended = await run(
      { entity: LEGACY_REF },
      mockCredentials.user.header(OUTSIDER),
    );
    expect(ended.status).toBe('failed');
    const taskId = ended.id;
    const stale = `${taskId}.decommission`;
    const then = new Date(Date.now() - 3_600_000).toISOString();
    await call(
      'PUT',
      `/api/mesh-lifecycle/retirements/${stale}`,
      {
        id: stale,
        entityRef: LEGACY_REF,
        cluster: 'prod',
        namespace: 'shop',
        reason: 'Replaced by pricing-service',
        drainWindowSeconds: DRAIN_WINDOW_SECONDS,
        state: 'running',
        blockers: [],
        steps: [],
        requestedAt: then,
        updatedAt: then,
      },
      mockCredentials.service.header(),
    );
    const result = await run({ entity: LEGACY_REF });
    expect({ status: result.status, log: result.log }).toMatchObject({
      status: 'completed',
    });
    expect(result.log).toContain(
      `Request ${stale} claimed ${LEGACY_REF} but its task ${taskId} ended (failed) without finishing: recorded failed, taken over`,
    );
    expect(legacyObjects(emulator)).toEqual([]);
    const recorded = (await retirements()).retirements;
    expect(recorded.find(r => r.id === stale)).toMatchObject({
      state: 'failed',
      message: expect.stringMatching(
        new RegExp(
          `^Its task ${taskId} ended \\(failed\\) before the run finished; request .* took the service over$`,
        ),
      ),
    });
    expect(recorded[0]).toMatchObject({ state: 'completed' });
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
    expect(legacyObjects(emulator)).toEqual([]);
  });
});
