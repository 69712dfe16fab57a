import fc from 'fast-check';
import {
  WeightedDestination,
  checkWeights,
  describeWeights,
  planShift,
} from './shiftPlan';

const HOST = 'checkout-service.shop.svc.cluster.local';
/** The seed's canary: 90/10. */
const CANARY: WeightedDestination[] = [
  { host: HOST, subset: 'v1', weight: 90 },
  { host: HOST, subset: 'v2', weight: 10 },
];
const described = (steps: ReturnType<typeof planShift>) =>
  steps.map(s => describeWeights(s.weights).replaceAll(`${HOST} `, ''));

describe('planShift', () => {
  it('takes a canary up in steps, leaving out the one already in force', () => {
    expect(
      described(
        planShift(CANARY, {
          kind: 'canary',
          to: { subset: 'v2' },
          steps: [10, 25, 50, 100],
        }),
      ),
    ).toEqual([
      '(v1) 75 % / (v2) 25 %',
      '(v1) 50 % / (v2) 50 %',
      '(v1) 0 % / (v2) 100 %',
    ]);
  });

  it('switches blue-green in one step, and back', () => {
    const green = planShift(
      [
        { host: HOST, subset: 'blue', weight: 100 },
        { host: HOST, subset: 'green', weight: 0 },
      ],
      { kind: 'switch', to: { subset: 'green' } },
    );
    expect(described(green)).toEqual(['(blue) 0 % / (green) 100 %']);
    expect(
      described(
        planShift(green[0].weights, { kind: 'switch', to: { subset: 'blue' } }),
      ),
    ).toEqual(['(blue) 100 % / (green) 0 %']);
  });

  it('keeps the others in proportion, in whole numbers summing to 100', () => {
    const three: WeightedDestination[] = [
      { host: HOST, subset: 'a', weight: 50 },
      { host: HOST, subset: 'b', weight: 30 },
      { host: HOST, subset: 'c', weight: 20 },
    ];
    const [step] = planShift(three, {
      kind: 'canary',
      to: { subset: 'c' },
      steps: [33],
    });
    expect(step.weights.map(w => w.weight)).toEqual([42, 25, 33]);
  });

  it('migrates all traffic to another host, which joins the route', () => {
    expect(
      described(
        planShift([{ host: 'legacy-pricing', weight: 100 }], {
          kind: 'migrate',
          toHost: 'pricing',
          steps: [50, 100],
        }),
      ),
    ).toEqual([
      'legacy-pricing 50 % / pricing 50 %',
      'legacy-pricing 0 % / pricing 100 %',
    ]);
  });

  it('goes to given weights in one step; nothing to do gives no step', () => {
    expect(
      described(
        planShift(CANARY, {
          kind: 'weights',
          weights: [{ host: HOST, subset: 'v2', weight: 100 }],
        }),
      ),
    ).toEqual(['(v1) 0 % / (v2) 100 %']);
    expect(planShift(CANARY, { kind: 'weights', weights: CANARY })).toEqual([]);
  });

  it('says what is wrong with bad input', () => {
    const plan = (request: Parameters<typeof planShift>[1]) => () =>
      planShift(CANARY, request);
    expect(
      plan({
        kind: 'weights',
        weights: [
          { host: HOST, subset: 'v1', weight: 60 },
          { host: HOST, subset: 'v2', weight: 30 },
        ],
      }),
    ).toThrow(/weights must sum to 100, these sum to 90/);
    expect(
      plan({
        kind: 'weights',
        weights: [
          { host: HOST, subset: 'v1', weight: 50.5 },
          { host: HOST, subset: 'v2', weight: 49.5 },
        ],
      }),
    ).toThrow(/must be a whole number from 0 to 100, got 50.5/);
    expect(plan({ kind: 'canary', to: { subset: 'v3' }, steps: [10] })).toThrow(
      /\(v3\) is not a destination of the route; it has .*\(v1\), .*\(v2\)/,
    );
    expect(
      plan({ kind: 'canary', to: { subset: 'v2' }, steps: [50, 25] }),
    ).toThrow(/steps must grow: step 2 \(25 %\) follows 50 %/);
    expect(plan({ kind: 'canary', to: { subset: 'v2' }, steps: [] })).toThrow(
      /at least one step/,
    );
    expect(
      plan({ kind: 'migrate', toHost: 'pricing', steps: [10, 50] }),
    ).toThrow(/last step must be 100 %/);
    expect(() =>
      planShift(
        [
          { host: 'a', weight: 50 },
          { host: 'b', subset: 'v1', weight: 50 },
        ],
        { kind: 'switch', to: { subset: 'v1' } },
      ),
    ).toThrow(/several hosts \(a, b\): name the host of v1/);
    expect(() => checkWeights([])).toThrow(/at least one destination/);
    expect(() =>
      planShift([{ host: HOST, subset: 'v1', weight: 100 }], {
        kind: 'canary',
        to: { subset: 'v1' },
        steps: [50],
      }),
    ).toThrow(
      /is the route's only destination: 50 % would leave the other 50 % nowhere/,
    );
  });

  it('plans only routes Istio takes: every step whole, summing to 100, ending at the target', () => {
    const route = fc
      .array(fc.nat(100), { minLength: 1, maxLength: 5 })
      .filter(ws => ws.reduce((a, b) => a + b, 0) > 0)
      .map(ws => {
        // Scale to whole percents summing to 100.
        const total = ws.reduce((a, b) => a + b, 0);
        const weights = ws.map(w => Math.floor((w * 100) / total));
        weights[0] += 100 - weights.reduce((a, b) => a + b, 0);
        return weights.map((weight, i) => ({
          host: HOST,
          subset: `s${i}`,
          weight,
        }));
      });
    const steps = fc
      .uniqueArray(fc.integer({ min: 1, max: 100 }), {
        minLength: 1,
        maxLength: 6,
      })
      .map(s => [...s].sort((a, b) => a - b));
    // A lone destination takes 100 % or nothing (tested above).
    const routes = route.filter(r => r.length > 1);
    fc.assert(
      fc.property(routes, steps, fc.nat(4), (current, shares, pick) => {
        const target = current[pick % current.length];
        const plan = planShift(current, {
          kind: 'canary',
          to: { subset: target.subset },
          steps: shares,
        });
        for (const step of plan) checkWeights(step.weights);
        const last = plan.length ? plan[plan.length - 1].weights : current;
        expect(last.find(w => w.subset === target.subset)?.weight).toBe(
          shares[shares.length - 1],
        );
        expect(plan.map(s => s.index)).toEqual(plan.map((_, i) => i + 1));
      }),
      { numRuns: 500 },
    );
  });
});
