import { StepFigures } from '../traffic/judgeAnalysis';
import { ShiftRequest, WeightedDestination } from '../traffic/shiftPlan';

/**
 * How a traffic shift ended, or that it is still going:
 *
 * - `running`: steps are being written and analysed;
 * - `completed`: every step passed (or went on as told when inconclusive);
 * - `rolled-back`: a step did not pass, the starting weights were restored;
 * - `failed`: it stopped for another reason (someone else changed the route,
 *   the cluster refused a write, the task was cancelled), see `message`.
 *
 * @public
 */
export type TrafficShiftOutcome =
  | 'running'
  | 'completed'
  | 'rolled-back'
  | 'failed';

/**
 * One analysed step of a recorded shift.
 *
 * @public
 */
export interface TrafficShiftStepRecord {
  /** 1-based. */
  index: number;
  /** The route's weights during the step. */
  weights: WeightedDestination[];
  /** The destination judged: the one that gained the most traffic. */
  analysed: { host: string; subset?: string };
  verdict: 'pass' | 'fail' | 'inconclusive';
  reasons: string[];
  /** What was measured over the step's pause; null where not measured. */
  figures: StepFigures;
}

/**
 * A traffic shift as the backend records it: who moved which route of
 * which service from what to what, what each step measured and how it
 * ended. Written by the scaffolder's `mesh:traffic:shift`.
 *
 * @public
 */
export interface TrafficShiftRecord {
  /** Unique per shift: the scaffolder task and step that ran it. */
  id: string;
  entityRef: string;
  cluster: string;
  namespace: string;
  virtualService: string;
  /** The route's name, when it has one. */
  route?: string;
  kind: ShiftRequest['kind'];
  /** The user who started the task, as an entity ref. */
  initiatedBy?: string;
  /** Why a shift took over a route another controller manages. */
  forcedBecause?: string;
  /** The route's weights when the shift started. */
  from: WeightedDestination[];
  /** The weights the last step was to reach. */
  to: WeightedDestination[];
  /** Per step, the pause before its analysis (seconds). */
  pauseSeconds: number;
  thresholds: {
    max5xxPercent: number;
    maxP95LatencyMs: number;
    minRequests: number;
    onInconclusive: 'fail' | 'continue';
  };
  /** The steps analysed so far, in order. */
  steps: TrafficShiftStepRecord[];
  outcome: TrafficShiftOutcome;
  /** Why it failed or was rolled back. */
  message?: string;
  /** ISO 8601 (UTC). */
  startedAt: string;
  /** ISO 8601 (UTC); absent while running. */
  finishedAt?: string;
}

/**
 * The `shifts` answer: a service's recorded traffic shifts, newest first.
 *
 * @public
 */
export interface TrafficShiftsResponse {
  entityRef: string;
  shifts: TrafficShiftRecord[];
}
