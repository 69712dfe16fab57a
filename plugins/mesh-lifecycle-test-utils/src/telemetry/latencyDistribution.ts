import { LatencyDistribution } from './MeshModel';

/** z-score of the 95th percentile of the standard normal distribution. */
const Z95 = 1.6448536269514722;

/** Complementary error function; fractional error below 1.2e-7. */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t *
                              (-1.13520398 +
                                t *
                                  (1.48851587 +
                                    t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

function lognormalParameters(medianMs: number, p95Ms: number) {
  if (!(medianMs > 0 && p95Ms > medianMs)) {
    throw new Error(
      `lognormal latency needs 0 < medianMs < p95Ms, got ${medianMs} and ${p95Ms}`,
    );
  }
  const mu = Math.log(medianMs);
  return { mu, sigma: (Math.log(p95Ms) - mu) / Z95 };
}

/** Share of requests of `dist` that take at most `ms`. */
export function latencyCdf(dist: LatencyDistribution, ms: number): number {
  if (ms <= 0) return 0;
  if (ms === Infinity) return 1;
  if (dist.kind === 'lognormal') {
    const { mu, sigma } = lognormalParameters(dist.medianMs, dist.p95Ms);
    return 0.5 * erfc(-(Math.log(ms) - mu) / (sigma * Math.SQRT2));
  }
  const total = dist.segments.reduce((sum, s) => sum + s.weight, 0);
  let below = 0;
  let from = 0;
  for (const segment of dist.segments) {
    if (ms < segment.upToMs) {
      const inside = (ms - from) / (segment.upToMs - from);
      return (below + segment.weight * Math.max(0, inside)) / total;
    }
    below += segment.weight;
    from = segment.upToMs;
  }
  return 1;
}

/** Mean latency of `dist` in milliseconds. */
export function latencyMean(dist: LatencyDistribution): number {
  if (dist.kind === 'lognormal') {
    const { mu, sigma } = lognormalParameters(dist.medianMs, dist.p95Ms);
    return Math.exp(mu + (sigma * sigma) / 2);
  }
  const total = dist.segments.reduce((sum, s) => sum + s.weight, 0);
  let from = 0;
  let sum = 0;
  for (const segment of dist.segments) {
    sum += (segment.weight * (from + segment.upToMs)) / 2;
    from = segment.upToMs;
  }
  return sum / total;
}

/**
 * The `q` quantile (0-1) of a mixture of latency distributions, each with a
 * relative weight; found by bisection on the exact mixture CDF.
 */
export function mixtureQuantile(
  components: Array<{ weight: number; dist: LatencyDistribution }>,
  q: number,
): number {
  const total = components.reduce((sum, c) => sum + c.weight, 0);
  if (!(total > 0)) return NaN;
  const cdf = (ms: number) =>
    components.reduce((sum, c) => sum + c.weight * latencyCdf(c.dist, ms), 0) /
    total;
  let hi = 1;
  while (cdf(hi) < q) hi *= 2;
  let lo = 0;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (cdf(mid) < q) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
