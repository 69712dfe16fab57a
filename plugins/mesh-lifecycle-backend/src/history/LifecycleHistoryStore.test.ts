import { mockServices } from '@backstage/backend-test-utils';
import { LifecycleSnapshot } from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import {
  SUPPORTED_DATABASES,
  createTestDatabases,
} from './__testUtils__/testDatabases';
import { DatabaseLifecycleHistoryStore } from './LifecycleHistoryStore';
import {
  DatabaseClient,
  MIGRATIONS_DIRECTORY,
  applyMigrations,
} from './migrations';

jest.setTimeout(60_000);

const databases = createTestDatabases();

const REVIEWS = 'component:default/reviews';
const RATINGS = 'component:default/ratings';

function snapshot(extra: Partial<LifecycleSnapshot> = {}): LifecycleSnapshot {
  return {
    entityRef: REVIEWS,
    phase: 'test',
    inferred: 'test',
    health: 'healthy',
    gates: [
      { id: 'deployed-to-production', status: 'fail' },
      { id: 'error-ratio', status: 'pass' },
    ],
    ...extra,
  };
}

/** A clock that advances one minute per reading. */
function minuteClock(start = Date.UTC(2026, 10, 26, 8, 0, 0, 123)) {
  let next = start;
  return () => {
    const now = new Date(next);
    next += 60_000;
    return now;
  };
}

describe.each(SUPPORTED_DATABASES)('lifecycle history on %s', (_name, id) => {
  let client: DatabaseClient;
  let store: DatabaseLifecycleHistoryStore;

  beforeEach(async () => {
    client = await databases.init(id);
    store = await DatabaseLifecycleHistoryStore.create({
      database: mockServices.database({ knex: client }),
      now: minuteClock(),
    });
  });

  it('migrates up and down', async () => {
    expect(await client.schema.hasTable('lifecycle_history')).toBe(true);
    await client.migrate.rollback({ directory: MIGRATIONS_DIRECTORY }, true);
    expect(await client.schema.hasTable('lifecycle_history')).toBe(false);
    expect(await client.schema.hasTable('traffic_shifts')).toBe(false);
    await applyMigrations(client);
    expect(await store.record(snapshot())).toBe(true);
  });

  it('leaves the schema alone when migrations are skipped', async () => {
    const other = await databases.init(id);
    await DatabaseLifecycleHistoryStore.create({
      database: mockServices.database({
        knex: other,
        migrations: { skip: true },
      }),
    });
    expect(await other.schema.hasTable('lifecycle_history')).toBe(false);
  });

  it('records only what changed, newest first', async () => {
    expect(await store.record(snapshot())).toBe(true);
    expect(await store.record(snapshot())).toBe(false);
    // The same gate results in another order are no change.
    expect(
      await store.record(snapshot({ gates: [...snapshot().gates].reverse() })),
    ).toBe(false);
    const changes: Array<Partial<LifecycleSnapshot>> = [
      { health: 'degraded' },
      {
        health: 'degraded',
        gates: [
          { id: 'deployed-to-production', status: 'unknown' },
          { id: 'error-ratio', status: 'pass' },
        ],
      },
      {
        health: 'degraded',
        gates: [{ id: 'error-ratio', status: 'pass' }],
      },
      {
        health: 'degraded',
        inferred: 'deploy',
        gates: [{ id: 'error-ratio', status: 'pass' }],
      },
      {
        health: 'degraded',
        phase: 'deploy',
        inferred: 'deploy',
        gates: [{ id: 'error-ratio', status: 'pass' }],
      },
    ];
    for (const change of changes) {
      expect(await store.record(snapshot(change))).toBe(true);
      expect(await store.record(snapshot(change))).toBe(false);
    }

    const history = await store.history(REVIEWS);
    expect(history).toHaveLength(changes.length + 1);
    expect(history.map(({ recordedAt, entityRef, ...rest }) => rest)).toEqual(
      [snapshot(), ...changes.map(snapshot)]
        .reverse()
        .map(({ entityRef, ...rest }) => rest),
    );
    expect(history.every(record => record.entityRef === REVIEWS)).toBe(true);
    // The clock is read only for a record, one minute apart, kept to the ms.
    const times = history.map(record => Date.parse(record.recordedAt));
    expect(times.slice(1).map((time, i) => times[i] - time)).toEqual(
      changes.map(() => 60_000),
    );
    expect(history[history.length - 1].recordedAt).toBe(
      '2026-11-26T08:00:00.123Z',
    );
  });

  it('keeps each service apart', async () => {
    await store.record(snapshot());
    expect(await store.record(snapshot({ entityRef: RATINGS }))).toBe(true);
    await store.record(snapshot({ health: 'failing' }));
    expect(await store.record(snapshot({ entityRef: RATINGS }))).toBe(false);
    expect(await store.history(RATINGS)).toHaveLength(1);
    expect(await store.history('component:default/unknown')).toEqual([]);
  });

  it('compares entity refs the way the catalog does', async () => {
    await store.record(snapshot({ entityRef: 'Component:default/Reviews' }));
    expect(
      await store.record(snapshot({ entityRef: 'component:reviews' })),
    ).toBe(false);
    const [record] = await store.history('COMPONENT:DEFAULT/REVIEWS');
    expect(record.entityRef).toBe(REVIEWS);
  });

  it('limits the history to the newest records', async () => {
    for (const health of ['healthy', 'degraded', 'failing'] as const) {
      await store.record(snapshot({ health }));
    }
    const latest = await store.history(REVIEWS, { limit: 2 });
    expect(latest.map(record => record.health)).toEqual([
      'failing',
      'degraded',
    ]);
    await expect(store.history(REVIEWS, { limit: 0 })).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringContaining('limit'),
    });
    await expect(store.history(REVIEWS, { limit: 1001 })).rejects.toThrow(
      /limit/,
    );
  });

  it('gives the latest record of every service', async () => {
    await store.record(snapshot({ entityRef: RATINGS, phase: 'operate' }));
    await store.record(snapshot());
    await store.record(snapshot({ entityRef: RATINGS, phase: 'retire' }));
    await store.record(snapshot({ health: 'failing' }));
    await store.record(snapshot({ health: 'idle' }));
    const latest = await store.latestForAll();
    expect(
      latest.map(({ entityRef, phase, health }) => ({
        entityRef,
        phase,
        health,
      })),
    ).toEqual([
      { entityRef: RATINGS, phase: 'retire', health: 'healthy' },
      { entityRef: REVIEWS, phase: 'test', health: 'idle' },
    ]);
  });

  it('forgets the services it is told to', async () => {
    await store.record(snapshot());
    await store.record(snapshot({ health: 'failing' }));
    await store.record(snapshot({ entityRef: RATINGS }));
    expect(await store.forget(['Component:default/Reviews'])).toBe(2);
    expect(await store.history(REVIEWS)).toEqual([]);
    expect(await store.history(RATINGS)).toHaveLength(1);
    expect(await store.forget([])).toBe(0);
  });

  it('refuses snapshots that are not a lifecycle', async () => {
    await expect(
      store.record({
        ...snapshot(),
        phase: 'production' as LifecycleSnapshot['phase'],
      }),
    ).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringContaining("'phase'"),
    });
    await expect(
      store.record(snapshot({ entityRef: 'not a ref:' })),
    ).rejects.toMatchObject({ name: 'InputError' });
    expect(await store.latestForAll()).toEqual([]);
  });
});
