import { KubernetesObjectApi, PatchStrategy } from '@kubernetes/client-node';
import { ConflictError, CustomErrorBase } from '@backstage/errors';
import { JsonObject, JsonValue } from '@backstage/types';
import {
  AnalysisThresholds,
  AnalysisVerdict,
  ShiftRequest,
  StepFigures,
  WeightedDestination,
  describeWeights,
  judgeAnalysis,
  planShift,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import { kubernetesFailure } from '@mesh-lifecycle/plugin-mesh-lifecycle-node';
import {
  VirtualServiceObject,
  selectRoute,
  weightsPatch,
} from './virtualServiceRoute';

/**
 * A step did not pass its analysis: the weights were restored and the
 * message has the figures and the thresholds.
 */
export class TrafficShiftRolledBackError extends CustomErrorBase {
  name = 'TrafficShiftRolledBackError' as const;
}

/** The field manager of the weights a shift writes. */
export const TRAFFIC_SHIFT_FIELD_MANAGER = 'mesh-lifecycle-traffic-shift';

/** What a step's analysis looks at: the destination that gained the most. */
export interface AnalysisTarget {
  host: string;
  subset?: string;
  windowSeconds: number;
}

/** What a shift needs from outside: each a seam the action fills. */
export interface TrafficShiftDependencies {
  /** The cluster, through the real Kubernetes client. */
  objects: KubernetesObjectApi;
  /** The figures of a step's destination over its pause; null figures if unknown. */
  analyse(target: AnalysisTarget): Promise<StepFigures>;
  /** Waits a step's pause. */
  wait(seconds: number): Promise<void>;
  /**
   * Runs `fn` once per key across retries of the task, returning what it
   * returned the first time (the scaffolder's `ctx.checkpoint`).
   */
  checkpoint<T extends JsonValue>(
    key: string,
    fn: () => Promise<T>,
  ): Promise<T>;
  log(message: string): void;
  /** Told of each step once analysed (again for steps analysed before a retry). */
  onStep?(step: AnalysedStep): Promise<void>;
}

/** A step with what its analysis found. */
export interface AnalysedStep {
  index: number;
  weights: WeightedDestination[];
  analysed: { host: string; subset?: string };
  figures: StepFigures;
  verdict: AnalysisVerdict;
}

/** What to shift, and how to judge each step. */
export interface TrafficShiftInput {
  namespace: string;
  virtualService: string;
  /** The HTTP route by name; the split one when left out. */
  route?: string;
  /** `networking.istio.io` version the cluster serves (default v1). */
  apiVersion?: string;
  request: ShiftRequest;
  /**
   * The weights the shift started from, when the caller read (and kept
   * across retries) them; read and checkpointed here otherwise.
   */
  from?: WeightedDestination[];
  pauseSeconds: number;
  thresholds: AnalysisThresholds;
  /** Print the plan and change nothing. */
  dryRun?: boolean;
}

/** What happened to one step. */
export interface TrafficShiftStepReport extends JsonObject {
  index: number;
  weights: string;
  verdict: AnalysisVerdict['verdict'] | 'planned';
  reasons: string[];
  figures: JsonObject | null;
}

/** The outcome of a shift. */
export interface TrafficShiftResult extends JsonObject {
  outcome: 'completed' | 'rolled-back' | 'dry-run' | 'unchanged';
  from: string;
  to: string;
  steps: TrafficShiftStepReport[];
}

const same = (a: WeightedDestination[], b: WeightedDestination[]) =>
  describeWeights(a) === describeWeights(b);

/** The destination a step gives the most more traffic to: the one judged. */
export function gaining(
  before: WeightedDestination[],
  after: WeightedDestination[],
): WeightedDestination {
  let best = after[0];
  let bestGain = -Infinity;
  for (const d of after) {
    const was =
      before.find(b => b.host === d.host && b.subset === d.subset)?.weight ?? 0;
    if (d.weight - was > bestGain) {
      best = d;
      bestGain = d.weight - was;
    }
  }
  return best;
}

/**
 * Shifts a VirtualService route's traffic step by step: each step writes
 * the weights (at the resourceVersion read: if anyone else changed the
 * route meanwhile, it stops and says so), waits the pause, and judges what
 * the destination that gained traffic answered; a step that does not pass
 * (or an inconclusive one, unless told to go on) restores the weights in
 * force before the shift and fails with the figures and thresholds. Each
 * write and each analysis is a checkpoint, so a retried task resumes at
 * the step it was on without repeating finished ones.
 */
export async function runTrafficShift(
  input: TrafficShiftInput,
  deps: TrafficShiftDependencies,
): Promise<TrafficShiftResult> {
  const apiVersion = `networking.istio.io/${input.apiVersion ?? 'v1'}`;
  const header = {
    apiVersion,
    kind: 'VirtualService',
    metadata: { name: input.virtualService, namespace: input.namespace },
  };
  const label = `VirtualService ${input.namespace}/${input.virtualService}`;
  const read = async () =>
    (await deps.objects.read(header)) as unknown as VirtualServiceObject;
  const write = async (
    vs: VirtualServiceObject,
    index: number,
    weights: WeightedDestination[],
  ) => {
    try {
      await deps.objects.patch(
        weightsPatch(vs, index, weights),
        undefined,
        undefined,
        TRAFFIC_SHIFT_FIELD_MANAGER,
        undefined,
        PatchStrategy.MergePatch,
      );
    } catch (error) {
      if (kubernetesFailure(error).code === 409) {
        throw new ConflictError(
          `${label} changed while the shift wrote it; stopped without writing: look at what changed, then run the shift again`,
        );
      }
      throw error;
    }
  };

  // The plan, from the weights as they were when the shift started.
  const original =
    input.from ??
    ((await deps.checkpoint('plan', async () => {
      const { weights } = selectRoute(await read(), input.route);
      return weights.map(w => ({ ...w })) as unknown as JsonValue;
    })) as unknown as WeightedDestination[]);
  const steps = planShift(original, input.request);
  const from = describeWeights(original);
  const to = steps.length
    ? describeWeights(steps[steps.length - 1].weights)
    : from;
  const planned = steps.map(
    (s): TrafficShiftStepReport => ({
      index: s.index,
      weights: describeWeights(s.weights),
      verdict: 'planned',
      reasons: [],
      figures: null,
    }),
  );
  if (steps.length === 0) {
    deps.log(`${label} already routes ${from}: nothing to shift`);
    return { outcome: 'unchanged', from, to, steps: [] };
  }
  if (input.dryRun) {
    deps.log(
      `Dry run: ${label} would go from ${from} in ${steps.length} steps, ${input.pauseSeconds} s apart:`,
    );
    for (const step of planned)
      deps.log(`  step ${step.index}: ${step.weights}`);
    return { outcome: 'dry-run', from, to, steps: planned };
  }

  const reports: TrafficShiftStepReport[] = [];
  for (const [i, step] of steps.entries()) {
    // What the route has when this step starts, if nobody else wrote it.
    const previous = i === 0 ? original : steps[i - 1].weights;
    await deps.checkpoint(`step-${step.index}-write`, async () => {
      const current = await read();
      const { index, weights } = selectRoute(current, input.route);
      if (same(weights, step.weights)) {
        // Written before the task was interrupted.
        return describeWeights(weights);
      }
      if (!same(weights, previous)) {
        throw new ConflictError(
          `${label} routes ${describeWeights(
            weights,
          )}, not the ${describeWeights(
            previous,
          )} this shift left: someone else changed it; stopped without writing`,
        );
      }
      await write(current, index, step.weights);
      deps.log(
        `Step ${step.index}/${
          steps.length
        }: ${label} now routes ${describeWeights(step.weights)}`,
      );
      return describeWeights(step.weights);
    });
    await deps.wait(input.pauseSeconds);
    const target = gaining(previous, step.weights);
    const judged = (await deps.checkpoint(
      `step-${step.index}-analysis`,
      async () => {
        const figures = await deps.analyse({
          host: target.host,
          ...(target.subset !== undefined ? { subset: target.subset } : {}),
          windowSeconds: input.pauseSeconds,
        });
        const verdict = judgeAnalysis(figures, input.thresholds);
        return { figures, verdict } as unknown as JsonValue;
      },
    )) as unknown as { figures: StepFigures; verdict: AnalysisVerdict };
    const report: TrafficShiftStepReport = {
      index: step.index,
      weights: describeWeights(step.weights),
      verdict: judged.verdict.verdict,
      reasons: judged.verdict.reasons,
      figures: { ...judged.figures },
    };
    reports.push(report);
    await deps.onStep?.({
      index: step.index,
      weights: step.weights,
      analysed: {
        host: target.host,
        ...(target.subset !== undefined ? { subset: target.subset } : {}),
      },
      figures: judged.figures,
      verdict: judged.verdict,
    });
    deps.log(
      `Step ${step.index} analysis of ${
        target.subset ? `${target.host} (${target.subset})` : target.host
      }: ${judged.verdict.verdict} — ${judged.verdict.reasons.join('; ')}`,
    );
    if (!judged.verdict.proceed) {
      await deps.checkpoint(`step-${step.index}-rollback`, async () => {
        const current = await read();
        const { index } = selectRoute(current, input.route);
        await write(current, index, original);
        return describeWeights(original);
      });
      deps.log(`Rolled back: ${label} routes ${from} again`);
      throw new TrafficShiftRolledBackError(
        `Step ${step.index} (${
          report.weights
        }) did not pass: ${judged.verdict.reasons.join(
          '; ',
        )} (thresholds: 5xx at most ${
          input.thresholds.max5xxPercent
        } %, p95 at most ${input.thresholds.maxP95LatencyMs} ms, at least ${
          input.thresholds.minRequests
        } requests); ${label} is back at ${from}`,
      );
    }
  }
  return { outcome: 'completed', from, to, steps: reports };
}
