import { RetirementRecord } from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import {
  SUPPORTED_DATABASES,
  createTestDatabases,
} from '../history/__testUtils__/testDatabases';
import {
  DatabaseClient,
  MIGRATIONS_DIRECTORY,
  applyMigrations,
} from '../history/migrations';
import { RetirementStore } from './RetirementStore';

jest.setTimeout(60_000);

const databases = createTestDatabases();

function request(extra: Partial<RetirementRecord> = {}): RetirementRecord {
  return {
    id: 'task-1',
    entityRef: 'component:default/legacy-pricing-service',
    cluster: 'prod',
    namespace: 'shop',
    requestedBy: 'user:default/daniel-okafor',
    reason: 'replaced by pricing-service',
    replacement: 'component:default/pricing-service',
    drainWindowSeconds: 3600,
    state: 'requested',
    blockers: [],
    steps: [],
    requestedAt: '2026-12-05T10:00:00.000Z',
    updatedAt: '2026-12-05T10:00:00.000Z',
    ...extra,
  };
}

const vs = (uid: string) => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  namespace: 'shop',
  name: 'legacy-pricing-service',
  uid,
  yaml: 'kind: VirtualService\n',
});

describe.each(SUPPORTED_DATABASES)('retirements on %s', (_name, id) => {
  let client: DatabaseClient;
  let store: RetirementStore;

  beforeEach(async () => {
    client = await databases.init(id);
    await applyMigrations(client);
    store = new RetirementStore(client);
  });

  it('migrates down', async () => {
    await client.migrate.rollback({ directory: MIGRATIONS_DIRECTORY }, true);
    expect(await client.schema.hasTable('retirements')).toBe(false);
    expect(await client.schema.hasTable('retirement_archive')).toBe(false);
  });

  it('lets one run at a time retire a service, and says which one runs', async () => {
    await store.record(request({ state: 'running' }));
    await expect(
      store.record(
        request({
          id: 'task-2',
          state: 'running',
          requestedAt: '2026-12-05T11:00:00.000Z',
        }),
      ),
    ).rejects.toThrow(
      'component:default/legacy-pricing-service is being retired by request task-1 of user:default/daniel-okafor',
    );
    // Filing another request is fine; running it once the first ended too.
    await store.record(
      request({ id: 'task-2', requestedAt: '2026-12-05T11:00:00.000Z' }),
    );
    await store.record(request({ state: 'completed' }));
    await store.record(
      request({
        id: 'task-2',
        state: 'running',
        requestedAt: '2026-12-05T11:00:00.000Z',
      }),
    );
    expect(
      (await store.retirements('component:default/Legacy-Pricing-Service')).map(
        r => [r.id, r.state],
      ),
    ).toEqual([
      ['task-2', 'running'],
      ['task-1', 'completed'],
    ]);
    // Another service is not held up.
    await store.record(
      request({
        id: 'task-3',
        entityRef: 'component:default/cart-service',
        state: 'running',
      }),
    );
  });

  const notice = async (ref: string) =>
    (await store.lifecycleFacts(ref)).notice;
  const completed = async (ref: string) =>
    (await store.lifecycleFacts(ref)).completed;

  it('gives the newest request that notified the owners, for the gate owners-notified', async () => {
    const ref = 'component:default/legacy-pricing-service';
    expect(await notice(ref)).toBeUndefined();
    await store.record(request({ state: 'refused' }));
    expect(await notice(ref)).toBeUndefined();
    const notified = {
      at: '2026-12-05T10:00:05.000Z',
      owners: ['group:default/team-inventory'],
      dependents: ['component:default/inventory-service'],
    };
    await store.record(request({ state: 'refused', notified }));
    // A newer request that told nobody does not hide it.
    await store.record(
      request({ id: 'task-2', requestedAt: '2026-12-06T10:00:00.000Z' }),
    );
    expect(await notice(ref)).toEqual({
      requestId: 'task-1',
      at: notified.at,
      owners: notified.owners,
    });
    expect(await notice('component:default/cart-service')).toBeUndefined();
  });

  it('tells whether the newest request of a service completed', async () => {
    const ref = 'component:default/legacy-pricing-service';
    expect(await completed(ref)).toBeUndefined();
    await store.record(
      request({ state: 'completed', finishedAt: '2026-12-05T10:05:00.000Z' }),
    );
    expect(await completed(ref)).toEqual({
      requestId: 'task-1',
      at: '2026-12-05T10:05:00.000Z',
    });
    // A newer request that is still open: no longer known retired.
    await store.record(
      request({ id: 'task-2', requestedAt: '2026-12-06T10:00:00.000Z' }),
    );
    expect(await completed(ref)).toBeUndefined();
  });

  it('lists the newest request of each service that is not completed', async () => {
    await store.record(request({ state: 'refused' }));
    await store.record(
      request({
        id: 'task-2',
        state: 'completed',
        requestedAt: '2026-12-05T11:00:00.000Z',
      }),
    );
    await store.record(
      request({
        id: 'task-3',
        entityRef: 'component:default/cart-service',
        state: 'failed',
      }),
    );
    // legacy-pricing-service's newest request completed: no longer open.
    expect((await store.openRequests()).map(r => [r.id, r.state])).toEqual([
      ['task-3', 'failed'],
    ]);
  });

  it('keeps each archived object once, in deletion order, however often a retried run sends it', async () => {
    await store.record(request({ state: 'running' }));
    const dr = {
      ...vs('u-2'),
      kind: 'DestinationRule',
      yaml: 'kind: DestinationRule\n',
    };
    await store.archive('task-1', [vs('u-1')]);
    await store.archive('task-1', [vs('u-1'), dr]);
    expect(await store.archived('task-1')).toEqual([vs('u-1'), dr]);
    await expect(store.archive('task-9', [vs('u-1')])).rejects.toThrow(
      'No retirement task-9 is recorded',
    );
    await expect(
      store.archive('task-1', [{ ...vs('u-3'), yaml: '' }]),
    ).rejects.toThrow("at '0.yaml'");
    expect(await store.get('task-1')).toMatchObject({ state: 'running' });
    expect(await store.get('task-9')).toBeUndefined();
  });
});
