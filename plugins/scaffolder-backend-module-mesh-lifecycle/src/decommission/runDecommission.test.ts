import { KubernetesObjectApi } from '@kubernetes/client-node';
import { objectApiFor } from '../kubernetes/__testUtils__/objectApiFor';
import { ArchivedObjectRecord } from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import { JsonValue } from '@backstage/types';
import {
  JsonObject,
  KubernetesEmulator,
  startKubernetesEmulator,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-test-utils';
import { join } from 'path';
import {
  LEGACY,
  LEGACY_SECRET,
  readNamespace,
} from './__testUtils__/readNamespace';
import yaml from 'yaml';
import { ClusterObject, planDecommission } from './planDecommission';
import { DecommissionDependencies, runDecommission } from './runDecommission';

// Each test restarts the emulated cluster many times; CI machines are slower than ours.
jest.setTimeout(60_000);

describe('runDecommission on the emulated production cluster', () => {
  let emulator: KubernetesEmulator;
  let objects: KubernetesObjectApi;
  const read = () => readNamespace(emulator, 'shop');
  const serviceNames = () =>
    read()
      .filter(
        o =>
          o.metadata.labels?.['backstage.io/kubernetes-id'] ===
          'legacy-pricing-service',
      )
      .map(o => `${o.kind}/${o.metadata.name}`)
      .sort();
  /** Every other object as it is: its kind, name, labels, annotations and spec. */
  const neighbours = () =>
    read()
      .filter(
        o =>
          o.metadata.labels?.['backstage.io/kubernetes-id'] !==
          'legacy-pricing-service',
      )
      .map(o => ({
        object: `${o.kind}/${o.metadata.name}`,
        labels: o.metadata.labels,
        annotations: o.metadata.annotations,
        spec: o.spec,
      }));

  /** A checkpoint store that outlives "processes", as the task's state does. */
  function taskState() {
    const done = new Map<string, JsonValue>();
    return {
      done,
      checkpoint: async <T extends JsonValue>(
        key: string,
        fn: () => Promise<T>,
      ): Promise<T> => {
        if (done.has(key)) return done.get(key) as T;
        const value = await fn();
        done.set(key, value);
        return value;
      },
    };
  }

  const deps = (
    state: ReturnType<typeof taskState>,
    archive: ArchivedObjectRecord[][],
  ): DecommissionDependencies => ({
    objects,
    checkpoint: state.checkpoint,
    archive: async entries => {
      archive.push(entries);
    },
    sleep: ms => new Promise(resolve => setTimeout(resolve, ms)),
    log: () => {},
  });

  /** The demo's production cluster, with a Secret of the retiring service. */
  const start = async () => {
    emulator = await startKubernetesEmulator({
      manifests: join(__dirname, '../../../../examples/clusters/prod'),
    });
    emulator.apply(LEGACY_SECRET);
    objects = objectApiFor(emulator);
  };

  beforeEach(start);
  afterEach(async () => {
    await emulator?.stop();
  });

  it('marks, archives and deletes the service, and leaves its neighbours as they were', async () => {
    const before = neighbours();
    const plan = planDecommission({ target: LEGACY, objects: read() });
    const archive: ArchivedObjectRecord[][] = [];
    const progress: number[] = [];
    const { steps: reports } = await runDecommission(
      { plan, initiatedBy: 'user:default/daniel-okafor', requestId: 'r-1' },
      {
        ...deps(taskState(), archive),
        progress: async done => {
          progress.push(done.length);
        },
      },
    );
    // Told after the marks, the archive and each deletion: what was done so far.
    const marks = plan.delete.length + plan.kept.length;
    expect(progress).toEqual([
      marks,
      marks + plan.delete.length,
      ...plan.delete.map((_, i) => marks + plan.delete.length + i + 1),
    ]);
    expect(progress[progress.length - 1]).toBe(reports.length);
    expect(serviceNames()).toEqual([]);
    expect(neighbours()).toEqual(before);
    expect(archive).toHaveLength(1);
    expect(archive[0].map(a => `${a.kind}/${a.name}`)).toEqual(
      plan.delete.map(o => `${o.kind}/${o.name}`),
    );
    // What was archived is the object as marked, and a Secret without values.
    const vs = yaml.parse(
      archive[0].find(a => a.kind === 'VirtualService')!.yaml,
    );
    expect(vs.metadata.annotations).toMatchObject({
      'service.lifecycle/status': 'decommissioning',
      'mesh-lifecycle.io/decommissioned-by': 'user:default/daniel-okafor',
      'mesh-lifecycle.io/decommission-request': 'r-1',
    });
    expect(archive[0].find(a => a.kind === 'Secret')!.yaml).not.toContain(
      'c2VjcmV0',
    );
    expect(
      reports.filter(r => r.step === 'delete').map(r => r.outcome),
    ).toEqual(plan.delete.map(() => 'deleted'));
  });

  it('ends in the same state when killed after any step and retried, each object archived once and deleted once', async () => {
    const plan = planDecommission({ target: LEGACY, objects: read() });
    // Every checkpoint of an uninterrupted run, in order.
    const all = taskState();
    await runDecommission(
      { plan, initiatedBy: 'user:default/daniel-okafor', requestId: 'r-1' },
      deps(all, []),
    );
    const keys = [...all.done.keys()];
    expect(keys.length).toBeGreaterThan(plan.delete.length * 2);

    for (const killAfter of [1, Math.floor(keys.length / 2), keys.length - 1]) {
      await emulator.stop();
      await start();
      const fresh = planDecommission({ target: LEGACY, objects: read() });
      const untouched = neighbours();
      const state = taskState();
      const archive: ArchivedObjectRecord[][] = [];
      let calls = 0;
      // The process dies right after its killAfter-th checkpoint.
      const dying: DecommissionDependencies = {
        ...deps(state, archive),
        checkpoint: async (key, fn) => {
          const value = await state.checkpoint(key, fn);
          if (++calls === killAfter) throw new Error('process exited');
          return value;
        },
      };
      await expect(
        runDecommission(
          { plan: fresh, initiatedBy: 'u', requestId: 'r-1' },
          dying,
        ),
      ).rejects.toThrow('process exited');
      const doneBefore = new Set(state.done.keys());
      const left = (prefix: string) =>
        keys.filter(k => k.startsWith(prefix) && !doneBefore.has(k)).length;
      emulator.calls.reset();
      await runDecommission(
        { plan: fresh, initiatedBy: 'u', requestId: 'r-1' },
        deps(state, archive),
      );
      expect({ killAfter, left: serviceNames() }).toEqual({
        killAfter,
        left: [],
      });
      expect(neighbours()).toEqual(untouched);
      expect(archive).toHaveLength(1);
      expect(new Set(archive[0].map(a => `${a.kind}/${a.name}`)).size).toBe(
        archive[0].length,
      );
      // The retry wrote only what the killed run had not: each mark and
      // each deletion happened once over both runs.
      expect({
        killAfter,
        patches: emulator.calls.count({ verb: 'patch' }),
        deletes: emulator.calls.count({ verb: 'delete' }),
      }).toEqual({
        killAfter,
        patches: left('mark-') + left('scale-'),
        deletes: left('delete-'),
      });
    }
  });

  it('ends in the same state when the process dies between a write and its checkpoint', async () => {
    const plan = planDecommission({ target: LEGACY, objects: read() });
    const all = taskState();
    await runDecommission(
      { plan, initiatedBy: 'u', requestId: 'r-1' },
      deps(all, []),
    );
    const keys = [...all.done.keys()];
    const retried: Array<[string, string | undefined]> = [];
    for (const dieIn of keys) {
      await emulator.stop();
      await start();
      const fresh = planDecommission({ target: LEGACY, objects: read() });
      const state = taskState();
      // The archive store keeps one copy per object (upsert by uid).
      const stored = new Map<string, ArchivedObjectRecord>();
      const keeping: DecommissionDependencies = {
        ...deps(state, []),
        archive: async entries => {
          for (const e of entries)
            stored.set(`${e.kind}/${e.name}/${e.uid}`, e);
        },
      };
      // The write of `dieIn` happens, its checkpoint is never saved.
      await expect(
        runDecommission(
          { plan: fresh, initiatedBy: 'u', requestId: 'r-1' },
          {
            ...keeping,
            checkpoint: async (key, fn) => {
              if (key !== dieIn) return state.checkpoint(key, fn);
              await fn();
              throw new Error('process exited');
            },
          },
        ),
      ).rejects.toThrow('process exited');
      const { steps: reports } = await runDecommission(
        { plan: fresh, initiatedBy: 'u', requestId: 'r-1' },
        keeping,
      );
      expect({ dieIn, left: serviceNames() }).toEqual({ dieIn, left: [] });
      expect({ dieIn, archived: stored.size }).toEqual({
        dieIn,
        archived: fresh.delete.length,
      });
      // Deleted before the process died: the retry finds it gone.
      retried.push([
        dieIn,
        reports.find(
          r => r.step === 'delete' && `delete-${r.kind}-${r.name}` === dieIn,
        )?.outcome,
      ]);
    }
    expect(retried.filter(([key]) => key.startsWith('delete-'))).toEqual(
      plan.delete.map(o => [`delete-${o.kind}-${o.name}`, 'already gone']),
    );
  });

  it('scales running workloads to zero and deletes nothing while their pods stay', async () => {
    const [deployment] = emulator.list(
      'apps/v1',
      'Deployment',
      'shop',
      'backstage.io/kubernetes-id=legacy-pricing-service',
    ) as ClusterObject[];
    const spec = deployment.spec as JsonObject & {
      template: { metadata: { labels: Record<string, string> } };
    };
    emulator.apply({ ...deployment, spec: { ...spec, replicas: 1 } });
    emulator.apply({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'legacy-pricing-service-v1-abc',
        namespace: 'shop',
        labels: { ...spec.template.metadata.labels },
      },
      spec: { containers: [{ name: 'app', image: 'pricing:1' }] },
    });
    const plan = planDecommission({ target: LEGACY, objects: read() });
    expect(plan.scale.map(s => s.name)).toEqual(['legacy-pricing-service-v1']);
    await expect(
      runDecommission(
        {
          plan,
          initiatedBy: 'u',
          requestId: 'r-1',
          podsGoneTimeoutSeconds: 1,
        },
        deps(taskState(), []),
      ),
    ).rejects.toThrow(
      '1 pods still run 1 s after scaling to zero (legacy-pricing-service-v1-abc); nothing was deleted',
    );
    expect(
      (
        emulator.get(
          'apps/v1',
          'Deployment',
          'shop',
          'legacy-pricing-service-v1',
        ) as { spec: { replicas: number } }
      ).spec.replicas,
    ).toBe(0);
    expect(serviceNames()).toContain('Service/legacy-pricing-service');

    // The kubelet stops the pod: the decommission goes on.
    const state = taskState();
    const archive: ArchivedObjectRecord[][] = [];
    setTimeout(() => {
      emulator.remove('v1', 'Pod', 'shop', 'legacy-pricing-service-v1-abc');
    }, 1500);
    const { steps: reports } = await runDecommission(
      { plan, initiatedBy: 'u', requestId: 'r-1', podsGoneTimeoutSeconds: 10 },
      deps(state, archive),
    );
    expect(
      reports.filter(r => r.step === 'delete').map(r => r.outcome),
    ).toEqual(plan.delete.map(() => 'deleted'));
    expect(serviceNames()).toEqual([]);
  });
});
