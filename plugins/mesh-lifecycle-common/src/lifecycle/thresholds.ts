/**
 * The thresholds the lifecycle engine judges a service by.
 *
 * @public
 */
export interface LifecycleThresholds {
  /** p95 latency (ms) above which a service is too slow (seed: 1000). */
  p95LatencyMs: number;
  /** 5xx ratio (%) above which a service fails too often (seed: 1). */
  errorRatioPercent: number;
  /** Share (%) of inbound requests that must use mutual TLS (100). */
  mtlsSharePercent: number;
  /** Days without inbound requests before a service may retire (7). */
  retireQuietDays: number;
  /** Request health, Kiali's defaults where the seed is silent. */
  health: {
    /** 5xx ratio (%) above which requests are degraded (Kiali: 0.1). */
    degraded5xxPercent: number;
    /** 5xx ratio (%) above which requests are failing (Kiali: 10). */
    failing5xxPercent: number;
    /** 4xx ratio (%) above which requests are degraded (Kiali: 10). */
    degraded4xxPercent: number;
    /** 4xx ratio (%) above which requests are failing (Kiali: 20). */
    failing4xxPercent: number;
  };
}

/**
 * The default thresholds: the seed's (p95 above 1000 ms, 5xx above 1 %) and
 * Kiali's health defaults where the seed is silent.
 *
 * @public
 */
export const DEFAULT_LIFECYCLE_THRESHOLDS: LifecycleThresholds = {
  p95LatencyMs: 1000,
  errorRatioPercent: 1,
  mtlsSharePercent: 100,
  retireQuietDays: 7,
  health: {
    degraded5xxPercent: 0.1,
    failing5xxPercent: 10,
    degraded4xxPercent: 10,
    failing4xxPercent: 20,
  },
};

/**
 * A partial set of thresholds, as configured globally.
 *
 * @public
 */
export type LifecycleThresholdOverrides = Partial<
  Omit<LifecycleThresholds, 'health'>
> & { health?: Partial<LifecycleThresholds['health']> };

/**
 * The thresholds in force for a service: the defaults, overridden by the
 * global configuration, overridden by the entity's own annotations.
 *
 * @public
 */
export function resolveThresholds(
  global: LifecycleThresholdOverrides = {},
  entity: { p95LatencyMs?: number; errorRatioPercent?: number } = {},
): LifecycleThresholds {
  const defined = <T extends object>(values: T): Partial<T> =>
    Object.fromEntries(
      Object.entries(values).filter(([, v]) => v !== undefined),
    ) as Partial<T>;
  const { health, ...rest } = global;
  return {
    ...DEFAULT_LIFECYCLE_THRESHOLDS,
    ...defined(rest),
    ...defined(entity),
    health: {
      ...DEFAULT_LIFECYCLE_THRESHOLDS.health,
      ...defined(health ?? {}),
    },
  };
}
