import { MeshWorkload } from '../api/mesh';
import { TrafficFigures } from '../api/traffic';
import { LifecycleThresholds } from './thresholds';

/**
 * The health of a service, or of its part on one cluster:
 * - `healthy`: ready and answering within the thresholds;
 * - `degraded`: some replicas not ready, or error ratios above the degraded
 *   thresholds, or a firing alert;
 * - `failing`: error ratios above the failing thresholds, or a firing
 *   critical alert;
 * - `not-ready`: replicas are wanted but none is ready;
 * - `idle`: nothing runs and nothing calls it (scaled to zero on purpose, or
 *   not deployed there);
 * - `unknown`: nothing to judge from (the cluster did not answer).
 *
 * @public
 */
export type HealthVerdict =
  | 'healthy'
  | 'degraded'
  | 'failing'
  | 'not-ready'
  | 'idle'
  | 'unknown';

/**
 * Why a verdict was reached: one finding and where it comes from.
 *
 * @public
 */
export interface HealthReason {
  verdict: HealthVerdict;
  message: string;
  /** `cluster <name>`, `prometheus <host>`, `alert <name>`, … */
  source: string;
}

/**
 * A verdict with its reasons (the reasons for the verdict first).
 *
 * @public
 */
export interface HealthAssessment {
  verdict: HealthVerdict;
  reasons: HealthReason[];
}

/**
 * What the health of a service is judged from.
 *
 * @public
 */
export interface HealthInput {
  /** Each cluster the service may run on. */
  clusters: Array<{
    cluster: string;
    /** Its workloads there; `undefined` when the cluster did not answer. */
    workloads?: MeshWorkload[];
    /** The cluster's own request figures, when they can be told apart. */
    figures?: TrafficFigures | null;
  }>;
  /**
   * The service's request figures over all its clusters; `null` or absent
   * when no source gave them (then `figuresMissing` says why).
   */
  figures?: TrafficFigures | null;
  /** Where `figures` come from, e.g. `prometheus 10.0.0.5:9090`. */
  figuresSource?: string;
  /**
   * Why there are no request figures (a Prometheus did not answer, has no
   * series of it, none is configured): health then says it could not judge
   * its requests.
   */
  figuresMissing?: string;
  /** Its alerting rules and their state for the service. */
  alerts?: Array<{ name: string; state: string; severity?: string }>;
  /** Whether it is scaled to zero on purpose (retiring, decommissioning). */
  retiring?: boolean;
  thresholds: LifecycleThresholds;
}

const SEVERITY: Record<HealthVerdict, number> = {
  unknown: -1,
  idle: 0,
  healthy: 1,
  degraded: 2,
  'not-ready': 3,
  failing: 4,
};

function worst(reasons: HealthReason[], fallback: HealthVerdict) {
  return reasons.reduce<HealthVerdict>(
    (verdict, reason) =>
      SEVERITY[reason.verdict] > SEVERITY[verdict] ? reason.verdict : verdict,
    fallback,
  );
}

const percent = (ratio: number) =>
  `${(ratio * 100).toFixed(ratio * 100 < 1 ? 2 : 1)} %`;

function requestReasons(
  figures: TrafficFigures | null | undefined,
  source: string,
  thresholds: LifecycleThresholds,
): HealthReason[] {
  if (!figures || !figures.requestsPerSecond) return [];
  const reasons: HealthReason[] = [];
  const { health } = thresholds;
  const judge = (
    ratio: number | null,
    kind: '5xx' | '4xx',
    degraded: number,
    failing: number,
  ) => {
    if (ratio === null) return;
    if (ratio * 100 > failing) {
      reasons.push({
        verdict: 'failing',
        message: `${kind} ratio ${percent(ratio)} is above ${failing} %`,
        source,
      });
    } else if (ratio * 100 > degraded) {
      reasons.push({
        verdict: 'degraded',
        message: `${kind} ratio ${percent(ratio)} is above ${degraded} %`,
        source,
      });
    }
  };
  judge(
    figures.ratio5xx,
    '5xx',
    health.degraded5xxPercent,
    health.failing5xxPercent,
  );
  judge(
    figures.ratio4xx,
    '4xx',
    health.degraded4xxPercent,
    health.failing4xxPercent,
  );
  return reasons;
}

function clusterAssessment(
  cluster: HealthInput['clusters'][number],
  input: HealthInput,
): HealthAssessment {
  const source = `cluster ${cluster.cluster}`;
  if (!cluster.workloads) {
    return {
      verdict: 'unknown',
      reasons: [
        { verdict: 'unknown', message: 'the cluster did not answer', source },
      ],
    };
  }
  const wanted = cluster.workloads.filter(w => w.replicas > 0);
  const calls = (cluster.figures?.requestsPerSecond ?? 0) > 0;
  if (wanted.length === 0) {
    const why =
      cluster.workloads.length === 0
        ? 'not deployed here'
        : `scaled to zero${input.retiring ? ' on purpose (retiring)' : ''}`;
    if (calls) {
      return {
        verdict: 'failing',
        reasons: [
          {
            verdict: 'failing',
            message: `${why}, but still called`,
            source,
          },
        ],
      };
    }
    return {
      verdict: 'idle',
      reasons: [{ verdict: 'idle', message: why, source }],
    };
  }
  const reasons: HealthReason[] = [];
  for (const workload of wanted) {
    const ready = Math.min(workload.readyReplicas, workload.availableReplicas);
    if (ready === 0) {
      reasons.push({
        verdict: 'not-ready',
        message: `${workload.name}: none of ${workload.replicas} replicas ready`,
        source,
      });
    } else if (ready < workload.replicas) {
      reasons.push({
        verdict: 'degraded',
        message: `${workload.name}: ${ready} of ${workload.replicas} replicas ready`,
        source,
      });
    }
  }
  reasons.push(...requestReasons(cluster.figures, source, input.thresholds));
  return summarise(reasons, source, judgedRequests(cluster.figures));
}

/** Whether request health could be judged: figures with traffic. */
function judgedRequests(figures: TrafficFigures | null | undefined): boolean {
  return (figures?.requestsPerSecond ?? 0) > 0;
}

function summarise(
  reasons: HealthReason[],
  source: string,
  requestsJudged: boolean,
): HealthAssessment {
  const verdict = worst(reasons, 'healthy');
  const sorted = [...reasons].sort(
    (a, b) => SEVERITY[b.verdict] - SEVERITY[a.verdict],
  );
  if (sorted.every(r => r.verdict === 'unknown')) {
    // Nothing wrong was seen: say what was seen, then what could not be.
    sorted.unshift({
      verdict: 'healthy',
      message: requestsJudged ? 'ready, requests within thresholds' : 'ready',
      source,
    });
  }
  return { verdict, reasons: sorted };
}

/**
 * Judges a service's health on each cluster and overall, combining request
 * health (error ratios against the thresholds), workload readiness (a
 * service scaled to zero is idle, not degraded) and firing alerts (critical
 * ones make it failing, others degraded). Pure: the same input always gives
 * the same verdict, with the reasons that led to it.
 *
 * @public
 */
export function assessHealth(input: HealthInput): HealthAssessment & {
  clusters: Array<HealthAssessment & { cluster: string }>;
} {
  const clusters = input.clusters.map(c => ({
    cluster: c.cluster,
    ...clusterAssessment(c, input),
  }));
  const running = clusters.filter(
    c => c.verdict !== 'idle' && c.verdict !== 'unknown',
  );
  const reasons: HealthReason[] = running.flatMap(c =>
    c.reasons.filter(r => r.verdict !== 'healthy'),
  );
  const figuresSource = input.figuresSource ?? 'telemetry';
  reasons.push(
    ...requestReasons(input.figures, figuresSource, input.thresholds),
  );
  // What could not be seen is said, never taken for "fine".
  const unseen: HealthReason[] = clusters
    .filter(c => c.verdict === 'unknown')
    .flatMap(c => c.reasons);
  const runs = running.length > 0;
  if (runs && !input.figures) {
    unseen.push({
      verdict: 'unknown',
      message: `request health unknown: ${
        input.figuresMissing ?? 'no request figures'
      }`,
      source: figuresSource,
    });
  }
  for (const alert of input.alerts ?? []) {
    if (alert.state !== 'firing') continue;
    reasons.push({
      verdict: alert.severity === 'critical' ? 'failing' : 'degraded',
      message: `alert ${alert.name} is firing${
        alert.severity ? ` (${alert.severity})` : ''
      }`,
      source: `alert ${alert.name}`,
    });
  }
  if (!runs && reasons.length === 0) {
    // Nothing runs anywhere that answered: idle, unless a cluster did not
    // answer (it may run there) or none did.
    const idle = clusters.filter(c => c.verdict === 'idle');
    return {
      verdict: idle.length > 0 && unseen.length === 0 ? 'idle' : 'unknown',
      reasons: [...unseen, ...idle.flatMap(c => c.reasons)],
      clusters,
    };
  }
  return {
    ...summarise(
      [...reasons, ...unseen],
      'service',
      judgedRequests(input.figures),
    ),
    clusters,
  };
}
