import { DEFAULT_LIFECYCLE_THRESHOLDS, resolveThresholds } from './thresholds';

describe('resolveThresholds', () => {
  it('defaults to the seed’s and Kiali’s values', () => {
    expect(resolveThresholds()).toEqual(DEFAULT_LIFECYCLE_THRESHOLDS);
    expect(DEFAULT_LIFECYCLE_THRESHOLDS).toMatchObject({
      p95LatencyMs: 1000,
      errorRatioPercent: 1,
      health: { degraded5xxPercent: 0.1, failing5xxPercent: 10 },
    });
  });

  it('lets the entity override the global config override the defaults', () => {
    const resolved = resolveThresholds(
      {
        p95LatencyMs: 800,
        retireQuietDays: 14,
        health: { failing4xxPercent: 30 },
      },
      { p95LatencyMs: 300, errorRatioPercent: undefined },
    );
    expect(resolved).toEqual({
      ...DEFAULT_LIFECYCLE_THRESHOLDS,
      p95LatencyMs: 300,
      retireQuietDays: 14,
      health: { ...DEFAULT_LIFECYCLE_THRESHOLDS.health, failing4xxPercent: 30 },
    });
  });
});
