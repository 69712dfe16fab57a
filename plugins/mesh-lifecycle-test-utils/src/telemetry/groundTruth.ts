import {
  effectiveSeconds,
  findService,
  versionBehaviour,
  versionShares,
} from './describeSeries';
import {
  ISTIO_DURATION_BUCKETS_MS,
  histogramQuantile,
} from './histogramQuantile';
import { latencyCdf, mixtureQuantile } from './latencyDistribution';
import { LatencyDistribution, MeshModel } from './MeshModel';

/**
 * What to compute the truth of: requests to `destination` (optionally only
 * one of its versions and / or from one source) between `from` and `to`.
 *
 * @public
 */
export interface GroundTruthQuery {
  destination: string;
  version?: string;
  source?: string;
  from: Date;
  to: Date;
}

/**
 * Latency quantiles in milliseconds.
 *
 * @public
 */
export interface LatencyQuantiles {
  p50: number;
  p95: number;
  p99: number;
}

/**
 * The exact traffic of a {@link GroundTruthQuery}, each request counted once.
 *
 * @public
 */
export interface GroundTruth {
  /** Requests per second averaged over the window. */
  requestsPerSecond: number;
  ratio5xx: number;
  ratio4xx: number;
  /** True quantiles of the model's latency distribution. */
  latencyMs: LatencyQuantiles;
  /**
   * What `histogram_quantile` estimates from Istio's default buckets (the
   * buckets are coarse, so this differs from `latencyMs`).
   */
  estimatedLatencyMs: LatencyQuantiles;
  /** Share (0-1) of the requests per destination version. */
  trafficSplit: Record<string, number>;
  /** Share (0-1) of the requests over mutual TLS. */
  mtlsShare: number;
}

const QUANTILES = { p50: 0.5, p95: 0.95, p99: 0.99 } as const;

/**
 * The ground truth of the model's traffic over a window, consistent with
 * {@link toOpenMetrics} and the exporter (same jitter, same idleness).
 *
 * @public
 */
export function groundTruth(
  model: MeshModel,
  query: GroundTruthQuery,
): GroundTruth {
  const destination = findService(model, query.destination);
  const shares = versionShares(destination).filter(
    v => query.version === undefined || v.value.version === query.version,
  );
  if (shares.length === 0) {
    throw new Error(
      `service "${destination.name}" has no version "${query.version}"`,
    );
  }
  let requests = 0;
  model.edges.forEach((edge, edgeIndex) => {
    if (edge.destination !== destination.name) return;
    if (query.source !== undefined && edge.source !== query.source) return;
    requests +=
      (edge.requestsPerSecond ?? 0) *
      effectiveSeconds(
        model,
        edgeIndex,
        query.from.getTime(),
        query.to.getTime(),
      );
  });
  const selectedShare = shares.reduce((sum, v) => sum + v.share, 0);
  const components: Array<{
    weight: number;
    dist: LatencyDistribution;
    ratio5xx: number;
    ratio4xx: number;
  }> = shares.map(v => {
    const behaviour = versionBehaviour(destination, v.value);
    return {
      weight: v.share / selectedShare,
      dist: behaviour.latency,
      ratio5xx: behaviour.ratio5xx,
      ratio4xx: behaviour.ratio4xx,
    };
  });
  const weighted = (pick: (c: (typeof components)[number]) => number) =>
    components.reduce((sum, c) => sum + c.weight * pick(c), 0);
  const buckets = [...ISTIO_DURATION_BUCKETS_MS, Infinity].map(le => ({
    le,
    count: weighted(c => latencyCdf(c.dist, le)),
  }));
  const quantiles = (estimate: (q: number) => number): LatencyQuantiles => ({
    p50: estimate(QUANTILES.p50),
    p95: estimate(QUANTILES.p95),
    p99: estimate(QUANTILES.p99),
  });
  const seconds = (query.to.getTime() - query.from.getTime()) / 1000;
  return {
    requestsPerSecond: (requests * selectedShare) / seconds,
    ratio5xx: weighted(c => c.ratio5xx),
    ratio4xx: weighted(c => c.ratio4xx),
    latencyMs: quantiles(q => mixtureQuantile(components, q)),
    estimatedLatencyMs: quantiles(q => histogramQuantile(q, buckets)),
    trafficSplit: Object.fromEntries(
      shares.map(v => [v.value.version, v.share / selectedShare]),
    ),
    mtlsShare: destination.mtlsShare ?? 1,
  };
}
