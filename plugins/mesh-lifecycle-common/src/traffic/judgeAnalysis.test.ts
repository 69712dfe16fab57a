import { AnalysisThresholds, judgeAnalysis } from './judgeAnalysis';

/** The seed's thresholds: p95 1000 ms, 5xx 1 %. */
const SEED: AnalysisThresholds = {
  max5xxPercent: 1,
  maxP95LatencyMs: 1000,
  minRequests: 50,
  onInconclusive: 'fail',
};

describe('judgeAnalysis', () => {
  it('passes a healthy step with what it measured', () => {
    expect(
      judgeAnalysis(
        { requests: 600, ratio5xx: 0.002, p95LatencyMs: 240 },
        SEED,
      ),
    ).toEqual({
      verdict: 'pass',
      proceed: true,
      reasons: [
        '600 requests, 5xx 0.20 % (at most 1 %), p95 240 ms (at most 1000 ms)',
      ],
    });
  });

  it('fails on errors or slowness, even with few requests', () => {
    expect(
      judgeAnalysis({ requests: 20, ratio5xx: 0.08, p95LatencyMs: 1500 }, SEED),
    ).toEqual({
      verdict: 'fail',
      proceed: false,
      reasons: [
        '5xx ratio 8.00 % is above 1 %',
        'p95 1500 ms is above 1000 ms',
      ],
    });
  });

  it('is inconclusive on too little traffic, going on only when configured to', () => {
    const few = { requests: 12, ratio5xx: 0, p95LatencyMs: 100 };
    expect(judgeAnalysis(few, SEED)).toEqual({
      verdict: 'inconclusive',
      proceed: false,
      reasons: ['12 requests, fewer than the 50 needed to judge'],
    });
    expect(
      judgeAnalysis(few, { ...SEED, onInconclusive: 'continue' }),
    ).toMatchObject({ verdict: 'inconclusive', proceed: true });
  });

  it('never passes on figures it does not have', () => {
    for (const figures of [
      { requests: null, ratio5xx: null, p95LatencyMs: null },
      { requests: 600, ratio5xx: null, p95LatencyMs: 200 },
      { requests: 600, ratio5xx: 0, p95LatencyMs: null },
      { requests: 0, ratio5xx: null, p95LatencyMs: null },
    ]) {
      expect(judgeAnalysis(figures, { ...SEED, minRequests: 0 }).verdict).toBe(
        'inconclusive',
      );
    }
    expect(
      judgeAnalysis({ requests: 600, ratio5xx: null, p95LatencyMs: 200 }, SEED)
        .reasons,
    ).toEqual(['the 5xx ratio was not measured']);
  });
});
