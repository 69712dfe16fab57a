import { bookinfoModel } from './bookinfoModel';
import { groundTruth } from './groundTruth';
import { histogramQuantile } from './histogramQuantile';
import { MeshModel } from './MeshModel';

const from = new Date('2026-01-01T10:00:00Z');
const to = new Date('2026-01-01T10:05:00Z');

describe('groundTruth', () => {
  it('gives the exact quantiles of the latency distributions', () => {
    const v1 = groundTruth(bookinfoModel(), {
      destination: 'reviews',
      version: 'v1',
      from,
      to,
    });
    expect(v1.latencyMs.p50).toBeCloseTo(20, 4);
    expect(v1.latencyMs.p95).toBeCloseTo(90, 4);
    const ratings = groundTruth(bookinfoModel(), {
      destination: 'ratings',
      from,
      to,
    });
    // 60 % below 5 ms, then 35 % uniform over 5-20 ms.
    expect(ratings.latencyMs.p50).toBeCloseTo(50 / 12, 6);
    expect(ratings.latencyMs.p95).toBeCloseTo(20, 6);
    expect(ratings.latencyMs.p99).toBeCloseTo(20 + 180 * 0.8, 6);
    // The rank falls in Istio's 10-25 ms bucket, interpolated linearly.
    const at10 = 0.6 + (0.35 * 5) / 15;
    const at25 = 0.95 + (0.05 * 5) / 180;
    expect(ratings.estimatedLatencyMs.p95).toBeCloseTo(
      10 + (15 * (0.95 - at10)) / (at25 - at10),
      6,
    );
  });

  it('mixes versions by traffic share', () => {
    const truth = groundTruth(bookinfoModel(), {
      destination: 'reviews',
      from,
      to,
    });
    expect(truth.trafficSplit).toEqual({ v1: 0.9, v2: 0.1 });
    expect(truth.ratio5xx).toBeCloseTo(0.9 * 0.002 + 0.1 * 0.05, 12);
    expect(truth.mtlsShare).toBe(0.8);
    expect(truth.latencyMs.p50).toBeGreaterThan(20);
    expect(truth.requestsPerSecond).toBeGreaterThan(40 * 0.9);
    expect(truth.requestsPerSecond).toBeLessThan(40 * 1.1);
  });

  it('follows the jitter and idleness of the model', () => {
    const model: MeshModel = { ...bookinfoModel(), jitter: 0 };
    const rate = (m: MeshModel) =>
      groundTruth(m, { destination: 'reviews', from, to }).requestsPerSecond;
    expect(rate(model)).toBeCloseTo(40, 9);
    const idle: MeshModel = {
      ...model,
      services: model.services.map(s =>
        s.name === 'reviews'
          ? { ...s, idleAfter: new Date('2026-01-01T10:01:00Z') }
          : s,
      ),
    };
    expect(rate(idle)).toBeCloseTo(8, 9);
  });
});

describe('histogramQuantile', () => {
  it('interpolates like PromQL', () => {
    const buckets = [
      { le: 10, count: 50 },
      { le: 100, count: 90 },
      { le: Infinity, count: 100 },
    ];
    expect(histogramQuantile(0.5, buckets)).toBe(10);
    expect(histogramQuantile(0.7, buckets)).toBe(55);
    expect(histogramQuantile(0.25, buckets)).toBe(5);
    expect(histogramQuantile(0.95, buckets)).toBe(100);
    expect(histogramQuantile(0.5, [{ le: Infinity, count: 1 }])).toBeNaN();
  });
});
