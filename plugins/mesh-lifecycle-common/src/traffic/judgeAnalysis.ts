/**
 * What Prometheus measured of the destination a step moved traffic to, over
 * the step's pause. `null` is "not measured" (no series, or the query
 * failed): never read as zero.
 *
 * @public
 */
export interface StepFigures {
  /** Requests it received over the pause. */
  requests: number | null;
  /** Share of them answered with a 5xx, in [0, 1]. */
  ratio5xx: number | null;
  p95LatencyMs: number | null;
}

/**
 * The thresholds a step is judged by; by default the plugin's (the seed's
 * p95 1000 ms and 5xx 1 %).
 *
 * @public
 */
export interface AnalysisThresholds {
  /** 5xx ratio (%) above which the step fails. */
  max5xxPercent: number;
  /** p95 latency (ms) above which the step fails. */
  maxP95LatencyMs: number;
  /** Fewer requests than this make the step inconclusive. */
  minRequests: number;
  /** What an inconclusive step does: stop and roll back, or go on. */
  onInconclusive: 'fail' | 'continue';
}

/**
 * The verdict on one step: `pass` (go on), `fail` (roll back) or
 * `inconclusive` (too little traffic, or figures missing), with what made
 * it so. `proceed` says whether the shift goes on.
 *
 * @public
 */
export interface AnalysisVerdict {
  verdict: 'pass' | 'fail' | 'inconclusive';
  proceed: boolean;
  reasons: string[];
}

const percent = (ratio: number) => `${(ratio * 100).toFixed(2)} %`;

/**
 * Judges a step from its figures. Fails when the 5xx ratio or the p95 is
 * above its threshold (whatever the request count: errors seen are errors);
 * otherwise is inconclusive when fewer requests than the minimum were seen,
 * or a figure is missing; passes only on every figure measured and within
 * its threshold. An inconclusive step goes on only when `onInconclusive` is
 * `continue`.
 *
 * @public
 */
export function judgeAnalysis(
  figures: StepFigures,
  thresholds: AnalysisThresholds,
): AnalysisVerdict {
  const failures: string[] = [];
  if (
    figures.ratio5xx !== null &&
    figures.ratio5xx * 100 > thresholds.max5xxPercent
  ) {
    failures.push(
      `5xx ratio ${percent(figures.ratio5xx)} is above ${
        thresholds.max5xxPercent
      } %`,
    );
  }
  if (
    figures.p95LatencyMs !== null &&
    figures.p95LatencyMs > thresholds.maxP95LatencyMs
  ) {
    failures.push(
      `p95 ${Math.round(figures.p95LatencyMs)} ms is above ${
        thresholds.maxP95LatencyMs
      } ms`,
    );
  }
  if (failures.length) {
    return { verdict: 'fail', proceed: false, reasons: failures };
  }
  const missing: string[] = [];
  if (figures.requests === null) {
    missing.push('the request count was not measured');
  } else if (
    figures.requests === 0 ||
    figures.requests < thresholds.minRequests
  ) {
    missing.push(
      `${Math.round(figures.requests)} requests, fewer than the ${Math.max(
        1,
        thresholds.minRequests,
      )} needed to judge`,
    );
  } else {
    if (figures.ratio5xx === null)
      missing.push('the 5xx ratio was not measured');
    if (figures.p95LatencyMs === null) missing.push('p95 was not measured');
  }
  if (
    missing.length ||
    figures.requests === null ||
    figures.ratio5xx === null ||
    figures.p95LatencyMs === null
  ) {
    return {
      verdict: 'inconclusive',
      proceed: thresholds.onInconclusive === 'continue',
      reasons: missing,
    };
  }
  return {
    verdict: 'pass',
    proceed: true,
    reasons: [
      `${Math.round(figures.requests)} requests, 5xx ${percent(
        figures.ratio5xx,
      )} (at most ${thresholds.max5xxPercent} %), p95 ${Math.round(
        figures.p95LatencyMs,
      )} ms (at most ${thresholds.maxP95LatencyMs} ms)`,
    ],
  };
}
