import { KubernetesObjectApi } from '@kubernetes/client-node';
import { objectApiFor } from '../kubernetes/__testUtils__/objectApiFor';
import { JsonValue } from '@backstage/types';
import {
  AnalysisThresholds,
  StepFigures,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import {
  KubernetesEmulator,
  setRouteWeights,
  startKubernetesEmulator,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-test-utils';
import { join } from 'path';
import {
  AnalysisTarget,
  TrafficShiftDependencies,
  TrafficShiftInput,
  runTrafficShift,
} from './runTrafficShift';
import { VirtualServiceObject, selectRoute } from './virtualServiceRoute';

const HOST = 'checkout-service.shop.svc.cluster.local';
const SEED: AnalysisThresholds = {
  max5xxPercent: 1,
  maxP95LatencyMs: 1000,
  minRequests: 50,
  onInconclusive: 'fail',
};
const HEALTHY: StepFigures = {
  requests: 600,
  ratio5xx: 0.002,
  p95LatencyMs: 240,
};
const canary = (
  overrides: Partial<TrafficShiftInput> = {},
): TrafficShiftInput => ({
  namespace: 'shop',
  virtualService: 'checkout-service',
  request: { kind: 'canary', to: { subset: 'v2' }, steps: [25, 50, 100] },
  pauseSeconds: 60,
  thresholds: SEED,
  ...overrides,
});

describe('runTrafficShift on the emulated production cluster', () => {
  let emulator: KubernetesEmulator;
  let objects: KubernetesObjectApi;

  beforeEach(async () => {
    emulator = await startKubernetesEmulator({
      manifests: join(__dirname, '../../../../examples/clusters/prod'),
    });
    objects = objectApiFor(emulator);
  });
  afterEach(() => emulator?.stop());

  const weights = () =>
    selectRoute(
      emulator.get(
        'networking.istio.io/v1',
        'VirtualService',
        'shop',
        'checkout-service',
      ) as unknown as VirtualServiceObject,
    ).weights.map(w => `${w.subset} ${w.weight}`);
  const patches = () => emulator.calls.list({ method: 'PATCH' }).length;

  /** Dependencies as the action gives them, with a scaffolder-like checkpoint store. */
  function deps(
    figures: (target: AnalysisTarget, call: number) => StepFigures,
    store = new Map<string, JsonValue>(),
    onWait: (call: number) => void = () => {},
  ) {
    const log: string[] = [];
    const analysed: AnalysisTarget[] = [];
    let waits = 0;
    const dependencies: TrafficShiftDependencies = {
      objects,
      analyse: async target => {
        analysed.push(target);
        return figures(target, analysed.length);
      },
      wait: async () => onWait(++waits),
      checkpoint: async (key, fn) => {
        if (store.has(key)) return store.get(key) as never;
        const value = await fn();
        store.set(key, value);
        return value;
      },
      log: message => log.push(message),
    };
    return { dependencies, log, analysed, store };
  }

  it('takes a healthy canary to 100 %, judging v2 after each step', async () => {
    const run = deps(() => HEALTHY);
    const result = await runTrafficShift(canary(), run.dependencies);
    expect(weights()).toEqual(['v1 0', 'v2 100']);
    expect(result).toMatchObject({
      outcome: 'completed',
      from: `${HOST} (v1) 90 % / ${HOST} (v2) 10 %`,
      to: `${HOST} (v1) 0 % / ${HOST} (v2) 100 %`,
    });
    expect(result.steps.map(s => s.verdict)).toEqual(['pass', 'pass', 'pass']);
    expect(run.analysed).toEqual([
      { host: HOST, subset: 'v2', windowSeconds: 60 },
      { host: HOST, subset: 'v2', windowSeconds: 60 },
      { host: HOST, subset: 'v2', windowSeconds: 60 },
    ]);
    expect(run.log).toContain(
      `Step 2/3: VirtualService shop/checkout-service now routes ${HOST} (v1) 50 % / ${HOST} (v2) 50 %`,
    );
  });

  it('rolls a failing canary back to the weights it started from, with the figures and thresholds', async () => {
    const run = deps((_, call) =>
      call === 2
        ? { requests: 640, ratio5xx: 0.08, p95LatencyMs: 300 }
        : HEALTHY,
    );
    await expect(runTrafficShift(canary(), run.dependencies)).rejects.toThrow(
      `Step 2 (${HOST} (v1) 50 % / ${HOST} (v2) 50 %) did not pass: 5xx ratio 8.00 % is above 1 % (thresholds: 5xx at most 1 %, p95 at most 1000 ms, at least 50 requests); VirtualService shop/checkout-service is back at ${HOST} (v1) 90 % / ${HOST} (v2) 10 %`,
    );
    expect(weights()).toEqual(['v1 90', 'v2 10']);
    expect(run.log).toContain(
      'Rolled back: VirtualService shop/checkout-service routes ' +
        `${HOST} (v1) 90 % / ${HOST} (v2) 10 % again`,
    );
  });

  it('handles too little traffic as configured', async () => {
    const few = () => ({ requests: 12, ratio5xx: 0, p95LatencyMs: 100 });
    await expect(
      runTrafficShift(canary(), deps(few).dependencies),
    ).rejects.toThrow(/12 requests, fewer than the 50 needed to judge/);
    expect(weights()).toEqual(['v1 90', 'v2 10']);
    const going = await runTrafficShift(
      canary({ thresholds: { ...SEED, onInconclusive: 'continue' } }),
      deps(few).dependencies,
    );
    expect(going.steps.map(s => s.verdict)).toEqual([
      'inconclusive',
      'inconclusive',
      'inconclusive',
    ]);
    expect(weights()).toEqual(['v1 0', 'v2 100']);
  });

  it('prints every step of a dry run and writes nothing', async () => {
    const run = deps(() => HEALTHY);
    const result = await runTrafficShift(
      canary({ dryRun: true }),
      run.dependencies,
    );
    expect(result.outcome).toBe('dry-run');
    expect(result.steps.map(s => s.weights)).toEqual([
      `${HOST} (v1) 75 % / ${HOST} (v2) 25 %`,
      `${HOST} (v1) 50 % / ${HOST} (v2) 50 %`,
      `${HOST} (v1) 0 % / ${HOST} (v2) 100 %`,
    ]);
    expect(run.log[0]).toBe(
      `Dry run: VirtualService shop/checkout-service would go from ${HOST} (v1) 90 % / ${HOST} (v2) 10 % in 3 steps, 60 s apart:`,
    );
    expect(patches()).toBe(0);
    expect(run.analysed).toEqual([]);
  });

  it('resumes a killed task at the step it was on, without repeating a finished one', async () => {
    const store = new Map<string, JsonValue>();
    // Killed while waiting after step 2's write.
    const first = deps(
      () => HEALTHY,
      store,
      call => {
        if (call === 2) throw new Error('task killed');
      },
    );
    await expect(runTrafficShift(canary(), first.dependencies)).rejects.toThrow(
      'task killed',
    );
    expect(weights()).toEqual(['v1 50', 'v2 50']);
    expect(patches()).toBe(2);
    const retried = deps(() => HEALTHY, store);
    const result = await runTrafficShift(canary(), retried.dependencies);
    expect(weights()).toEqual(['v1 0', 'v2 100']);
    // Steps 1 and 2 were not written again; step 1 was not analysed again.
    expect(patches()).toBe(3);
    expect(retried.analysed).toHaveLength(2);
    expect(result.steps.map(s => s.index)).toEqual([1, 2, 3]);
  });

  it('stops, writing nothing, when someone else changed the weights meanwhile', async () => {
    const run = deps(
      () => HEALTHY,
      undefined,
      call => {
        if (call !== 1) return;
        setRouteWeights(
          emulator,
          { namespace: 'shop', name: 'checkout-service' },
          { v1: 95, v2: 5 },
        );
      },
    );
    await expect(runTrafficShift(canary(), run.dependencies)).rejects.toThrow(
      `VirtualService shop/checkout-service routes ${HOST} (v1) 95 % / ${HOST} (v2) 5 %, not the ${HOST} (v1) 75 % / ${HOST} (v2) 25 % this shift left: someone else changed it; stopped without writing`,
    );
    expect(weights()).toEqual(['v1 95', 'v2 5']);
    expect(patches()).toBe(1);
  });

  it('has nothing to do when the route already has the weights', async () => {
    const run = deps(() => HEALTHY);
    expect(
      await runTrafficShift(
        canary({
          request: { kind: 'canary', to: { subset: 'v2' }, steps: [10] },
        }),
        run.dependencies,
      ),
    ).toMatchObject({ outcome: 'unchanged', steps: [] });
    expect(patches()).toBe(0);
  });
});
