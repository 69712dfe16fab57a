import { InputError } from '@backstage/errors';
import { aggregate, avg, count, max, min, sum } from './aggregate';
import {
  add,
  binaryOp,
  compare,
  divide,
  multiply,
  or,
  subtract,
} from './binaryOp';
import { histogramQuantile } from './histogramQuantile';
import { offset } from './offset';
import { PromQL, hasTopLevelOperator } from './PromQL';
import { promDuration } from './promDuration';
import { increase, irate, rate } from './rate';
import { selector } from './selector';
import { timestamp } from './timestamp';
import { vector } from './vector';

const up = selector('up', { job: 'api' });
const errors = selector('errors_total');
const total = selector('requests_total');

describe('expression builders', () => {
  it('builds range functions with validated windows and offsets', () => {
    expect(rate(up, 300)).toBe('rate(up{job="api"}[5m])');
    expect(increase(up, promDuration('1h30m'))).toBe(
      'increase(up{job="api"}[1h30m])',
    );
    expect(irate(up, 30, { offset: 86400 })).toBe(
      'irate(up{job="api"}[30s] offset 1d)',
    );
    expect(() => rate(up, 0)).toThrow(InputError);
  });

  it('builds aggregations', () => {
    const r = rate(total, 60);
    expect(sum(r)).toBe('sum(rate(requests_total[1m]))');
    expect(sum(r, { by: ['a', 'b'] })).toBe(
      'sum by (a, b) (rate(requests_total[1m]))',
    );
    expect(max(r, { without: ['instance'] })).toBe(
      'max without (instance) (rate(requests_total[1m]))',
    );
    expect(avg(r)).toBe('avg(rate(requests_total[1m]))');
    expect(min(r)).toBe('min(rate(requests_total[1m]))');
    expect(count(r, { by: [] })).toBe('count by () (rate(requests_total[1m]))');
    expect(() => sum(r, { by: ['a'], without: ['b'] })).toThrow(InputError);
    expect(() => sum(r, { by: ['a) or vector(1'] })).toThrow(
      /Invalid Prometheus label name/,
    );
    expect(() =>
      aggregate('topk' as unknown as 'sum', r, { by: ['a'] }),
    ).toThrow(InputError);
  });

  it('parenthesises nested binary operations only where needed', () => {
    const e = sum(rate(errors, 60));
    const t = sum(rate(total, 60));
    expect(divide(e, t)).toBe(
      'sum(rate(errors_total[1m])) / sum(rate(requests_total[1m]))',
    );
    expect(multiply(divide(e, t), 100)).toBe(
      '(sum(rate(errors_total[1m])) / sum(rate(requests_total[1m]))) * 100',
    );
    expect(subtract(1, divide(e, t))).toBe(
      '1 - (sum(rate(errors_total[1m])) / sum(rate(requests_total[1m])))',
    );
    expect(add(e, -1)).toBe('sum(rate(errors_total[1m])) + (-1)');
    expect(or(e, vector(0))).toBe('sum(rate(errors_total[1m])) or vector(0)');
  });

  it('does not mistake operators inside literals or brackets for top-level ones', () => {
    expect(hasTopLevelOperator(selector('m', { a: 'x / y' }))).toBe(false);
    expect(hasTopLevelOperator(selector('m', { a: '" / "' }))).toBe(false);
    expect(hasTopLevelOperator(sum(divide(up, up)))).toBe(false);
    expect(hasTopLevelOperator(offset(up, 60))).toBe(false);
    expect(hasTopLevelOperator(divide(up, up))).toBe(true);
  });

  it('writes vector matching modifiers', () => {
    const a = sum(rate(total, 60), { by: ['svc', 'version'] });
    const b = sum(rate(total, 60), { by: ['svc'] });
    expect(divide(a, b, { on: ['svc'], groupLeft: [] })).toBe(
      'sum by (svc, version) (rate(requests_total[1m])) / on (svc) group_left sum by (svc) (rate(requests_total[1m]))',
    );
    expect(multiply(b, a, { ignoring: ['version'], groupRight: ['x'] })).toBe(
      'sum by (svc) (rate(requests_total[1m])) * ignoring (version) group_right (x) sum by (svc, version) (rate(requests_total[1m]))',
    );
    expect(() => divide(a, b, { groupLeft: [] })).toThrow(InputError);
    expect(() => divide(a, b, { on: ['a'], ignoring: ['b'] })).toThrow(
      InputError,
    );
  });

  it('builds comparisons', () => {
    const r = rate(up, 60);
    expect(compare(r, '>', 0.05)).toBe('rate(up{job="api"}[1m]) > 0.05');
    expect(compare(r, '<=', 1, { bool: true })).toBe(
      'rate(up{job="api"}[1m]) <= bool 1',
    );
    expect(() => compare(r, '>', NaN)).toThrow(InputError);
    expect(() => compare(r, '+' as unknown as '>', 1)).toThrow(InputError);
    expect(() => binaryOp(r, '+', 1, { bool: true })).toThrow(InputError);
    expect(() =>
      binaryOp(r, ') or vector(1) or (' as unknown as '+', 1),
    ).toThrow(InputError);
  });

  it('builds quantiles, offsets, timestamps and vectors', () => {
    const buckets = sum(rate(selector('latency_bucket'), 300), {
      by: ['le'],
    });
    expect(histogramQuantile(0.99, buckets)).toBe(
      'histogram_quantile(0.99, sum by (le) (rate(latency_bucket[5m])))',
    );
    expect(() => histogramQuantile(1.5, buckets)).toThrow(InputError);
    expect(() => histogramQuantile(NaN, buckets)).toThrow(InputError);
    expect(offset(up, 3600)).toBe('up{job="api"} offset 1h');
    expect(timestamp(up)).toBe('timestamp(up{job="api"})');
    expect(vector(0)).toBe('vector(0)');
    expect(() => vector(Infinity)).toThrow(InputError);
  });

  it('does not accept raw strings where built queries are expected', () => {
    // Compile-time checks: this function is type-checked, never called.
    const typeChecks = (raw: string, built: PromQL) => {
      // @ts-expect-error a raw string is not a selector
      rate(raw, 60);
      // @ts-expect-error a built expression is not a selector
      rate(built, 60);
      // @ts-expect-error a raw string is not a built query
      sum(raw);
      // @ts-expect-error a raw string is not a validated duration
      rate(up, raw);
      // @ts-expect-error offset applies to selectors only
      offset(built, 60);
    };
    expect(typeChecks).toBeDefined();
  });
});
