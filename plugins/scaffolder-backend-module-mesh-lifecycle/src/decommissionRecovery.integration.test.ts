import {
  RetirementArchiveResponse,
  RetirementsResponse,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import {
  KubernetesEmulator,
  PrometheusInstance,
  startKubernetesEmulator,
  startPrometheus,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-test-utils';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  RetirementBackend,
  startRetirementBackend,
} from './__testUtils__/startRetirementBackend';
import { backendCaller, templateEntity } from './__testUtils__/testBackend';
import {
  LEGACY,
  LEGACY_REF,
  PROD_MANIFESTS,
  SHOP_ENTITIES,
  legacyObjects,
  neighbours,
  restoreLegacy,
  shopConfig,
  shopTelemetry,
} from './decommission/__testUtils__/shop';

// Each kill restarts a backend process and waits for the scaffolder to
// recover the task (it looks every 10 s).
jest.setTimeout(900_000);

/** Every write of a run, in order: 1 migration, 10 marks, 1 scale, 10 deletes. */
const WRITES_PER_RUN = 22;
/** Writes after which the process is killed: each part of the run. */
const KILL_AFTER = [
  ['the migration', 1],
  ['a mark', 4],
  ['the scale', 12],
  ['the first deletion', 13],
  ['a deletion halfway', 18],
] as const;

describe('mesh:service:decommission when the backend process dies mid-run', () => {
  let emulator: KubernetesEmulator;
  let prometheus: PrometheusInstance;
  let backend: RetirementBackend | undefined;
  let databases: string;

  const start = async () =>
    startRetirementBackend({
      databaseDirectory: databases,
      entities: [...SHOP_ENTITIES, await templateEntity('retire-service')],
      meshLifecycle: shopConfig(emulator, prometheus),
    });

  const { call } = backendCaller(() => backend!.baseUrl);
  const until = async (
    what: string,
    done: () => Promise<boolean>,
    ms: number,
  ) => {
    const deadline = Date.now() + ms;
    while (!(await done())) {
      if (Date.now() > deadline)
        throw new Error(`Timed out waiting for ${what}`);
      await new Promise(resolve => setTimeout(resolve, 5));
    }
  };
  const writes = () =>
    emulator.calls.count({ verb: 'patch', namespace: 'shop' }) +
    emulator.calls.count({ verb: 'delete', namespace: 'shop' });

  beforeAll(async () => {
    emulator = await startKubernetesEmulator({
      name: 'prod',
      manifests: PROD_MANIFESTS,
    });
    prometheus = await startPrometheus({ backfill: shopTelemetry() });
    databases = await fs.mkdtemp(path.join(os.tmpdir(), 'retirement-db-'));
    // Every write waits a little, so that the process dies while one is on
    // its way: it may land, its checkpoint never does.
    for (const method of ['PATCH', 'DELETE']) {
      emulator.faults.add({
        method,
        path: /\/namespaces\/shop\//,
        latencyMs: 150,
      });
    }
    backend = await start();
  });

  afterAll(async () => {
    await backend?.kill();
    await prometheus?.stop();
    await emulator?.stop();
    await fs.rm(databases, { recursive: true, force: true });
  });

  it.each(KILL_AFTER)(
    'ends as an uninterrupted run does when killed during %s and recovered, every deleted object archived once',
    async (_part, killAfter) => {
      restoreLegacy(emulator);
      const untouched = neighbours(emulator);
      emulator.calls.reset();
      const { id } = await call('POST', '/api/scaffolder/v2/tasks', {
        templateRef: 'template:default/retire-service',
        values: {
          entity: LEGACY_REF,
          reason: 'Replaced by pricing-service',
          drainWindowSeconds: 600,
          migrationPauseSeconds: 10,
        },
      });
      await until(
        'the write to kill after',
        async () => writes() >= killAfter,
        120_000,
      );
      await backend!.kill();
      expect(writes()).toBe(killAfter);

      backend = await start();
      const task = `/api/scaffolder/v2/tasks/${encodeURIComponent(id)}`;
      let status = '';
      await until(
        'the recovered task to end',
        async () => {
          status = (await call('GET', task)).status;
          return ['completed', 'failed', 'cancelled'].includes(status);
        },
        180_000,
      );
      const events: Array<{ body: { message?: string } }> = await call(
        'GET',
        `${task}/events`,
      );
      const log = events.map(e => e.body.message ?? '').join('\n');
      expect({ status, log }).toMatchObject({ status: 'completed' });

      // Where an uninterrupted run ends.
      expect(legacyObjects(emulator)).toEqual([]);
      expect(neighbours(emulator)).toEqual(untouched);
      // No write repeated but the one in flight when the process died.
      expect(writes()).toBeLessThanOrEqual(WRITES_PER_RUN + 1);
      const { retirements }: RetirementsResponse = await call(
        'GET',
        `/api/mesh-lifecycle/entities/component/default/${LEGACY}/retirements`,
      );
      const recorded = retirements.find(r => r.id.startsWith(id))!;
      expect(recorded.state).toBe('completed');
      const deleted = recorded.steps
        .filter(s => s.step === 'delete')
        .map(s => `${s.kind}/${s.name}`)
        .sort();
      expect(deleted).toHaveLength(10);
      const archive: RetirementArchiveResponse = await call(
        'GET',
        `/api/mesh-lifecycle/retirements/${encodeURIComponent(
          recorded.id,
        )}/archive`,
      );
      // Exactly once each.
      expect(archive.objects.map(o => `${o.kind}/${o.name}`).sort()).toEqual(
        deleted,
      );
    },
  );
});
