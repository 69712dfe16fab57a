import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { LifecycleSnapshot } from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import { createTestDatabases } from './__testUtils__/testDatabases';
import { DatabaseLifecycleHistoryStore } from './LifecycleHistoryStore';
import { applyMigrations } from './migrations';
import {
  HISTORY_TASK_ID,
  recordHistory,
  scheduleHistory,
} from './scheduleHistory';

jest.setTimeout(60_000);

const databases = createTestDatabases();

const SERVICES = [
  'component:default/productpage',
  'component:default/ratings',
  'component:default/reviews',
];

/** Evaluates each service from a mutable table of lifecycles. */
function fakeFleet() {
  const lifecycles = new Map<string, Omit<LifecycleSnapshot, 'entityRef'>>(
    SERVICES.map(ref => [
      ref,
      {
        phase: 'operate',
        inferred: 'operate',
        health: 'healthy',
        gates: [{ id: 'slo', status: 'pass' }],
      },
    ]),
  );
  const failing = new Set<string>();
  return {
    lifecycles,
    failing,
    listServices: async () => [...lifecycles.keys()],
    evaluate: async (entityRef: string): Promise<LifecycleSnapshot> => {
      if (failing.has(entityRef)) {
        throw new Error(`Prometheus did not answer for ${entityRef}`);
      }
      const lifecycle = lifecycles.get(entityRef);
      if (!lifecycle) throw new Error(`no such service ${entityRef}`);
      return { entityRef, ...lifecycle };
    },
  };
}

async function sqliteStore() {
  const client = await databases.init('SQLITE_3');
  await applyMigrations(client);
  return new DatabaseLifecycleHistoryStore({ client });
}

describe('scheduleHistory', () => {
  it('registers a global task that records each change once', async () => {
    const scheduler = mockServices.scheduler();
    const scheduleTask = jest.spyOn(scheduler, 'scheduleTask');
    const logger = mockServices.logger.mock();
    const store = await sqliteStore();
    const fleet = fakeFleet();
    await scheduleHistory({
      scheduler,
      logger,
      store,
      frequencyMs: 90_000,
      listServices: fleet.listServices,
      evaluate: fleet.evaluate,
    });
    expect(scheduleTask).toHaveBeenCalledWith(
      expect.objectContaining({
        id: HISTORY_TASK_ID,
        scope: 'global',
        frequency: { milliseconds: 90_000 },
        timeout: { milliseconds: 90_000 },
        initialDelay: { milliseconds: 60_000 },
      }),
    );

    await scheduler.triggerTask(HISTORY_TASK_ID);
    await scheduler.triggerTask(HISTORY_TASK_ID);
    expect((await store.latestForAll()).map(r => r.entityRef)).toEqual(
      SERVICES,
    );
    for (const ref of SERVICES) {
      expect(await store.history(ref)).toHaveLength(1);
    }

    fleet.lifecycles.set('component:default/reviews', {
      phase: 'operate',
      inferred: 'operate',
      health: 'degraded',
      gates: [{ id: 'slo', status: 'fail' }],
    });
    await scheduler.triggerTask(HISTORY_TASK_ID);
    const reviews = await store.history('component:default/reviews');
    expect(reviews.map(r => r.health)).toEqual(['degraded', 'healthy']);
    expect(await store.history('component:default/ratings')).toHaveLength(1);
    expect(logger.info).toHaveBeenLastCalledWith(
      'Mesh Lifecycle history: 1 changed, 2 unchanged, 0 failed',
    );
  });

  it('runs in a backend with the scheduler and database services', async () => {
    const client = await databases.init('SQLITE_3');
    const fleet = fakeFleet();
    const backend = await startTestBackend({
      features: [
        mockServices.database.factory({ knex: client }),
        mockServices.scheduler.factory({
          includeInitialDelayedTasksOnStartup: true,
        }),
        createBackendPlugin({
          pluginId: 'mesh-lifecycle',
          register(env) {
            env.registerInit({
              deps: {
                database: coreServices.database,
                scheduler: coreServices.scheduler,
                logger: coreServices.logger,
              },
              async init({ database, scheduler, logger }) {
                await scheduleHistory({
                  scheduler,
                  logger,
                  store: await DatabaseLifecycleHistoryStore.create({
                    database,
                  }),
                  frequencyMs: 300_000,
                  listServices: fleet.listServices,
                  evaluate: fleet.evaluate,
                });
              },
            });
          },
        }),
      ],
    });
    try {
      const store = new DatabaseLifecycleHistoryStore({ client });
      expect((await store.latestForAll()).map(r => r.entityRef)).toEqual(
        SERVICES,
      );
    } finally {
      await backend.stop();
    }
  });
});

describe('recordHistory', () => {
  it('carries on past a service that fails, and logs it', async () => {
    const logger = mockServices.logger.mock();
    const store = await sqliteStore();
    const fleet = fakeFleet();
    fleet.failing.add('component:default/ratings');
    const summary = await recordHistory({
      store,
      logger,
      listServices: fleet.listServices,
      evaluate: fleet.evaluate,
      concurrency: 1,
    });
    expect(summary).toEqual({
      recorded: 2,
      unchanged: 0,
      failed: ['component:default/ratings'],
      aborted: false,
    });
    expect((await store.latestForAll()).map(r => r.entityRef)).toEqual([
      'component:default/productpage',
      'component:default/reviews',
    ]);
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining(
        'component:default/ratings: Prometheus did not answer',
      ),
    );
  });

  it('fails the run when the services cannot be listed', async () => {
    const store = await sqliteStore();
    await expect(
      recordHistory({
        store,
        logger: mockServices.logger.mock(),
        listServices: async () => {
          throw new Error('catalog unavailable');
        },
        evaluate: fakeFleet().evaluate,
      }),
    ).rejects.toThrow('catalog unavailable');
  });

  it('stops when the scheduler aborts the run', async () => {
    const store = await sqliteStore();
    const fleet = fakeFleet();
    const controller = new AbortController();
    const summary = await recordHistory(
      {
        store,
        logger: mockServices.logger.mock(),
        listServices: fleet.listServices,
        evaluate: async ref => {
          controller.abort();
          return fleet.evaluate(ref);
        },
        concurrency: 1,
      },
      controller.signal,
    );
    expect(summary).toMatchObject({ recorded: 1, aborted: true });
    expect(await store.latestForAll()).toHaveLength(1);
  });
});
