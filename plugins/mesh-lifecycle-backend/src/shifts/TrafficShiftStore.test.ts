import { TrafficShiftRecord } from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import {
  SUPPORTED_DATABASES,
  createTestDatabases,
} from '../history/__testUtils__/testDatabases';
import { DatabaseClient, applyMigrations } from '../history/migrations';
import { TrafficShiftStore } from './TrafficShiftStore';

jest.setTimeout(60_000);

const databases = createTestDatabases();

function shift(extra: Partial<TrafficShiftRecord> = {}): TrafficShiftRecord {
  return {
    id: 'task-1.shift',
    entityRef: 'component:default/Reviews',
    cluster: 'prod',
    namespace: 'bookinfo',
    virtualService: 'reviews',
    kind: 'canary',
    from: [
      { host: 'reviews', subset: 'v1', weight: 100 },
      { host: 'reviews', subset: 'v2', weight: 0 },
    ],
    to: [
      { host: 'reviews', subset: 'v1', weight: 0 },
      { host: 'reviews', subset: 'v2', weight: 100 },
    ],
    pauseSeconds: 60,
    thresholds: {
      max5xxPercent: 1,
      maxP95LatencyMs: 1000,
      minRequests: 50,
      onInconclusive: 'fail',
    },
    steps: [],
    outcome: 'running',
    startedAt: '2026-12-05T10:00:00.000Z',
    ...extra,
  };
}

describe.each(SUPPORTED_DATABASES)('traffic shifts on %s', (_name, id) => {
  let client: DatabaseClient;
  let store: TrafficShiftStore;

  beforeEach(async () => {
    client = await databases.init(id);
    await applyMigrations(client);
    store = new TrafficShiftStore(client);
  });

  it('replaces a shift recorded again, and serves the newest first', async () => {
    await store.record(shift());
    await store.record(
      shift({ id: 'task-2.shift', startedAt: '2026-12-05T11:00:00.000Z' }),
    );
    const done = shift({
      steps: [
        {
          index: 1,
          weights: [
            { host: 'reviews', subset: 'v1', weight: 0 },
            { host: 'reviews', subset: 'v2', weight: 100 },
          ],
          analysed: { host: 'reviews', subset: 'v2' },
          verdict: 'pass',
          reasons: ['600 requests'],
          figures: { requests: 600, ratio5xx: 0, p95LatencyMs: 120 },
        },
      ],
      outcome: 'completed',
      finishedAt: '2026-12-05T10:01:00.000Z',
    });
    await store.record(done);

    // Entity refs compare as the catalog compares them.
    const shifts = await store.shifts('Component:default/reviews');
    expect(shifts.map(s => [s.id, s.outcome])).toEqual([
      ['task-2.shift', 'running'],
      ['task-1.shift', 'completed'],
    ]);
    expect(shifts[1]).toEqual(done);
    expect(
      await store.shifts('component:default/reviews', { limit: 1 }),
    ).toHaveLength(1);
    expect(await store.shifts('component:default/ratings')).toEqual([]);
  });

  it('refuses a record that is not one, naming the field, and keeps what it had', async () => {
    await store.record(shift());
    await expect(
      store.record(shift({ from: [{ host: 'reviews', weight: 101 }] })),
    ).rejects.toThrow("at 'from.0.weight'");
    await expect(
      store.record({ ...shift(), entityRef: 'not a ref:' }),
    ).rejects.toThrow(/entityRef/);
    await expect(
      store.shifts('component:default/reviews', { limit: 0 }),
    ).rejects.toThrow('Invalid limit 0');
    expect(await store.shifts('component:default/reviews')).toEqual([shift()]);
  });
});
