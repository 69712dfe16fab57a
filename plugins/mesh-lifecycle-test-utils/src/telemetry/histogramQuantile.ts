/**
 * Istio's default buckets of `istio_request_duration_milliseconds`.
 *
 * @public
 */
export const ISTIO_DURATION_BUCKETS_MS: readonly number[] = [
  0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000,
  300000, 600000, 1800000, 3600000,
];

/**
 * What PromQL's `histogram_quantile(q, ...)` returns for classic cumulative
 * buckets (upper bound `le`, including `+Inf`): linear interpolation inside
 * the bucket holding the rank, the upper bound of the last finite bucket when
 * the rank falls in `+Inf`.
 *
 * @public
 */
export function histogramQuantile(
  q: number,
  buckets: ReadonlyArray<{ le: number; count: number }>,
): number {
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  const sorted = [...buckets].sort((a, b) => a.le - b.le);
  if (sorted.length < 2 || sorted[sorted.length - 1].le !== Infinity) {
    return NaN;
  }
  const observations = sorted[sorted.length - 1].count;
  if (!(observations > 0)) return NaN;
  let rank = q * observations;
  const b = sorted.findIndex(bucket => bucket.count >= rank);
  if (b === sorted.length - 1) return sorted[sorted.length - 2].le;
  if (b === 0 && sorted[0].le <= 0) return sorted[0].le;
  let bucketStart = 0;
  let count = sorted[b].count;
  if (b > 0) {
    bucketStart = sorted[b - 1].le;
    count -= sorted[b - 1].count;
    rank -= sorted[b - 1].count;
  }
  return bucketStart + (sorted[b].le - bucketStart) * (rank / count);
}
