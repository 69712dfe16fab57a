import { SchedulerService } from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  ANNOTATION_EXPIRES_AT,
  LABEL_MANAGED_BY,
  LABEL_TEST_ENVIRONMENT,
  MANAGED_BY_MESH_LIFECYCLE,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import { readMeshLifecycleConfig } from '@mesh-lifecycle/plugin-mesh-lifecycle-node';
import {
  KubernetesEmulator,
  startKubernetesEmulator,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-test-utils';
import { ConfigReader } from '@backstage/config';
import { meshLifecyclePlugin } from '../plugin';
import {
  ENVIRONMENTS_CLEANUP_TASK_ID,
  expireTestEnvironments,
} from './expireTestEnvironments';

jest.setTimeout(60_000);

const NOW = new Date('2026-06-01T12:00:00Z');
const PAST = '2026-06-01T11:59:00Z';
const FUTURE = '2026-06-01T12:01:00+00:00';
const OURS = {
  [LABEL_TEST_ENVIRONMENT]: 'true',
  [LABEL_MANAGED_BY]: MANAGED_BY_MESH_LIFECYCLE,
};

function namespace(
  name: string,
  labels: Record<string, string>,
  expiresAt?: string,
) {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name,
      labels,
      ...(expiresAt
        ? { annotations: { [ANNOTATION_EXPIRES_AT]: expiresAt } }
        : {}),
    },
  };
}

const FIXTURE = [
  namespace('env-expired', OURS, PAST),
  namespace('env-fresh', OURS, FUTURE),
  namespace('env-bad', OURS, 'next tuesday'),
  namespace('env-none', OURS),
  namespace(
    'foreign-managed',
    { [LABEL_MANAGED_BY]: MANAGED_BY_MESH_LIFECYCLE },
    PAST,
  ),
  namespace('foreign-test', { [LABEL_TEST_ENVIRONMENT]: 'true' }, PAST),
  namespace(
    'foreign-false',
    { ...OURS, [LABEL_TEST_ENVIRONMENT]: 'false' },
    PAST,
  ),
  namespace('default', {}),
];

function names(emulator: KubernetesEmulator): string[] {
  return emulator
    .list('v1', 'Namespace')
    .map(o => String((o.metadata as { name: string }).name))
    .sort();
}

function clusterConfig(
  clusters: Array<{ name: string; url: string; token: string }>,
) {
  return readMeshLifecycleConfig(
    new ConfigReader({
      meshLifecycle: {
        clusters: clusters.map(c => ({
          name: c.name,
          url: c.url,
          serviceAccountToken: c.token,
          allowInsecureHttp: true,
        })),
      },
    }),
  ).clusters;
}

/**
 * Runs `change` as soon as the DELETE of a namespace has reached the emulator
 * (a latency fault holds it back), i.e. after the namespace was listed and
 * judged, before the delete is carried out.
 */
async function whenDeleteArrives(
  emulator: KubernetesEmulator,
  name: string,
  change: () => void,
): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (
    emulator.calls.count({ verb: 'delete', resource: 'namespaces', name }) === 0
  ) {
    if (Date.now() > deadline) {
      throw new Error(`the DELETE of ${name} never arrived`);
    }
    await new Promise(resolve => setTimeout(resolve, 5));
  }
  change();
}

describe('expireTestEnvironments', () => {
  let east: KubernetesEmulator;
  let west: KubernetesEmulator;

  beforeEach(async () => {
    east = await startKubernetesEmulator({ name: 'east', objects: FIXTURE });
    west = await startKubernetesEmulator({
      name: 'west',
      objects: [namespace('west-expired', OURS, '2020-01-01T00:00:00.5Z')],
    });
  });

  afterEach(async () => {
    await Promise.all([east.stop(), west.stop()]);
  });

  it('deletes only expired test environments of ours, on every cluster despite a broken one', async () => {
    const logger = mockServices.logger.mock();
    const outcomes = await expireTestEnvironments({
      clusters: clusterConfig([
        { name: 'east', url: east.url, token: east.token },
        { name: 'gone', url: 'http://127.0.0.1:1', token: 'gone-token-91ac' },
        { name: 'west', url: west.url, token: west.token },
      ]),
      now: NOW,
      logger,
      timeoutMs: 2000,
    });

    expect(names(east)).toEqual([
      'default',
      'env-bad',
      'env-fresh',
      'env-none',
      'foreign-false',
      'foreign-managed',
      'foreign-test',
    ]);
    expect(names(west)).toEqual([]);
    expect(outcomes).toEqual([
      {
        source: 'east',
        status: 'ok',
        deleted: [{ namespace: 'env-expired', expiresAt: PAST }],
        kept: ['env-fresh'],
        skipped: [
          { namespace: 'env-bad', reason: 'unparsable-expiry' },
          { namespace: 'env-none', reason: 'no-expiry' },
        ],
        failed: [],
      },
      {
        source: 'gone',
        status: 'error',
        error: { name: expect.any(String), message: expect.any(String) },
      },
      {
        source: 'west',
        status: 'ok',
        deleted: [
          { namespace: 'west-expired', expiresAt: '2020-01-01T00:00:00.5Z' },
        ],
        kept: [],
        skipped: [],
        failed: [],
      },
    ]);
    // Listed with the label selector, not all namespaces then filtered.
    expect(
      east.calls
        .list({ verb: 'list', resource: 'namespaces' })
        .map(c => c.query.labelSelector),
    ).toEqual([
      `${LABEL_TEST_ENVIRONMENT}=true,${LABEL_MANAGED_BY}=${MANAGED_BY_MESH_LIFECYCLE}`,
    ]);
    expect(east.calls.list({ verb: 'delete' }).map(c => c.name)).toEqual([
      'env-expired',
    ]);

    const warnings = logger.warn.mock.calls.map(([message]) => String(message));
    expect(warnings.sort()).toEqual([
      expect.stringContaining(
        'Could not clean up the test environments of cluster gone',
      ),
      expect.stringContaining('env-bad on cluster east has an unparsable'),
    ]);
    const logged = JSON.stringify([
      ...logger.warn.mock.calls,
      ...logger.info.mock.calls,
      outcomes,
    ]);
    for (const token of [east.token, west.token, 'gone-token-91ac']) {
      expect(logged).not.toContain(token);
    }
  });

  it('starts the listing over when its continue token expires, judging each namespace once', async () => {
    // Each delete compacts the one-event history: the next page's continue
    // token is too old (410 Expired), as on a busy real cluster.
    const busy = await startKubernetesEmulator({
      name: 'busy',
      watchHistorySize: 1,
      objects: ['a', 'b', 'c', 'd', 'e'].map(n =>
        namespace(`env-${n}`, OURS, PAST),
      ),
    });
    try {
      const [outcome] = await expireTestEnvironments({
        clusters: clusterConfig([
          { name: 'busy', url: busy.url, token: busy.token },
        ]),
        now: NOW,
        logger: mockServices.logger.mock(),
        pageSize: 2,
      });
      expect(outcome).toMatchObject({
        status: 'ok',
        deleted: ['a', 'b', 'c', 'd', 'e'].map(n => ({
          namespace: `env-${n}`,
        })),
        skipped: [],
        failed: [],
      });
      const pages = busy.calls.list({ verb: 'list', resource: 'namespaces' });
      // At least one listing started over without a continue token.
      expect(pages.filter(p => !p.query.continue).length).toBeGreaterThan(1);
      expect(busy.calls.count({ verb: 'delete' })).toBe(5);
    } finally {
      await busy.stop();
    }
  });

  it('deletes no namespace replaced or changed between list and delete', async () => {
    east.apply(namespace('env-expired-2', OURS, PAST));
    const listed = east.get('v1', 'Namespace', undefined, 'env-expired');
    for (const path of [
      '/api/v1/namespaces/env-expired',
      '/api/v1/namespaces/env-expired-2',
    ]) {
      east.faults.add({ method: 'DELETE', path, latencyMs: 1000 });
    }
    const running = expireTestEnvironments({
      clusters: clusterConfig([
        { name: 'east', url: east.url, token: east.token },
      ]),
      now: NOW,
      logger: mockServices.logger.mock(),
    });
    await Promise.all([
      whenDeleteArrives(east, 'env-expired', () => {
        // Deleted and created again under the same name: a new uid.
        east.remove('v1', 'Namespace', undefined, 'env-expired');
        east.apply(namespace('env-expired', OURS, PAST));
      }),
      whenDeleteArrives(east, 'env-expired-2', () => {
        // Its expiry extended: the same uid, a new resourceVersion.
        east.apply(namespace('env-expired-2', OURS, FUTURE));
      }),
    ]);
    const [outcome] = await running;

    expect(outcome).toMatchObject({
      status: 'ok',
      deleted: [],
      skipped: expect.arrayContaining([
        { namespace: 'env-expired', reason: 'changed-since-listed' },
        { namespace: 'env-expired-2', reason: 'changed-since-listed' },
      ]),
      failed: [],
    });
    const replaced = east.get('v1', 'Namespace', undefined, 'env-expired');
    expect(replaced?.metadata).toMatchObject({
      uid: expect.any(String),
      annotations: { [ANNOTATION_EXPIRES_AT]: PAST },
    });
    expect((replaced?.metadata as { uid: string }).uid).not.toBe(
      (listed?.metadata as { uid: string }).uid,
    );
    expect(
      east.get('v1', 'Namespace', undefined, 'env-expired-2')?.metadata,
    ).toMatchObject({ annotations: { [ANNOTATION_EXPIRES_AT]: FUTURE } });
  });

  it('reports a refused precondition as changed and another failure as failed', async () => {
    east.apply(namespace('env-expired-2', OURS, PAST));
    east.faults.add({
      method: 'DELETE',
      path: '/api/v1/namespaces/env-expired',
      status: 409,
    });
    east.faults.add({
      method: 'DELETE',
      path: '/api/v1/namespaces/env-expired-2',
      status: 500,
    });
    const logger = mockServices.logger.mock();
    const [outcome] = await expireTestEnvironments({
      clusters: clusterConfig([
        { name: 'east', url: east.url, token: east.token },
      ]),
      now: NOW,
      logger,
    });
    expect(outcome).toMatchObject({
      status: 'ok',
      deleted: [],
      skipped: expect.arrayContaining([
        { namespace: 'env-expired', reason: 'changed-since-listed' },
      ]),
      failed: [
        {
          namespace: 'env-expired-2',
          error: expect.stringMatching(/^HTTP 500/),
        },
      ],
    });
    expect(names(east)).toEqual(
      expect.arrayContaining(['env-expired', 'env-expired-2']),
    );
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining(
        'Could not delete expired test environment env-expired-2 on cluster east: HTTP 500',
      ),
    );
  });
});

describe('the clean-up task of the backend plugin', () => {
  it('is scheduled globally with the configured frequency and cleans the clusters', async () => {
    const at = (offsetMs: number) =>
      new Date(Date.now() + offsetMs).toISOString();
    const east = await startKubernetesEmulator({
      name: 'east',
      objects: [
        namespace('env-expired', OURS, at(-60_000)),
        namespace('env-fresh', OURS, at(3_600_000)),
        namespace(
          'foreign-test',
          { [LABEL_TEST_ENVIRONMENT]: 'true' },
          at(-60_000),
        ),
      ],
    });
    try {
      const scheduler = mockServices.scheduler.mock();
      await startTestBackend({
        features: [
          meshLifecyclePlugin,
          catalogServiceMock.factory({ entities: [] }),
          scheduler.factory,
          mockServices.rootConfig.factory({
            data: {
              meshLifecycle: {
                clusters: [
                  {
                    name: 'east',
                    url: east.url,
                    serviceAccountToken: east.token,
                    allowInsecureHttp: true,
                  },
                ],
                environments: { cleanupFrequency: '3m' },
              },
            },
          }),
        ],
      });
      const tasks = scheduler.scheduleTask.mock.calls.map(
        ([task]) => task as Parameters<SchedulerService['scheduleTask']>[0],
      );
      const cleanup = tasks.find(t => t.id === ENVIRONMENTS_CLEANUP_TASK_ID);
      expect(cleanup).toMatchObject({
        scope: 'global',
        frequency: { milliseconds: 180_000 },
      });
      expect(names(east)).toContain('env-expired');
      await cleanup?.fn(new AbortController().signal);
      expect(names(east)).toEqual(['env-fresh', 'foreign-test']);
    } finally {
      await east.stop();
    }
  });
});
