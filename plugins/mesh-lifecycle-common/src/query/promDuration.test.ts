import { InputError } from '@backstage/errors';
import { promDuration } from './promDuration';

describe('promDuration', () => {
  it('formats seconds in the largest units', () => {
    expect(promDuration(30)).toBe('30s');
    expect(promDuration(60)).toBe('1m');
    expect(promDuration(300)).toBe('5m');
    expect(promDuration(90)).toBe('1m30s');
    expect(promDuration(3600)).toBe('1h');
    expect(promDuration(5400)).toBe('1h30m');
    expect(promDuration(86400 * 7)).toBe('7d');
    expect(promDuration(90061.5)).toBe('1d1h1m1s500ms');
    expect(promDuration(0.25)).toBe('250ms');
  });

  it('accepts Prometheus duration strings', () => {
    for (const d of [
      '5m',
      '30s',
      '1h',
      '100ms',
      '2w',
      '1y',
      '1h30m',
      '1d12h',
      '1m30s500ms',
    ]) {
      expect(promDuration(d)).toBe(d);
    }
  });

  it('rejects malformed strings', () => {
    for (const d of [
      '',
      '5',
      'm',
      '5 m',
      ' 5m',
      '-5m',
      '1.5h',
      '5mm',
      '1m1h',
      '5m)',
      '5m] or vector(1)',
      '5M',
      '1h 30m',
    ]) {
      expect(() => promDuration(d)).toThrow(InputError);
    }
    expect(() => promDuration('5 minutes')).toThrow(
      /Invalid PromQL duration "5 minutes"/,
    );
  });

  it('rejects zero, negative, fractional-millisecond and huge durations', () => {
    for (const d of [0, -1, NaN, Infinity, 0.0001, 1e12]) {
      expect(() => promDuration(d)).toThrow(InputError);
    }
    expect(() => promDuration('0s')).toThrow(/greater than zero/);
    expect(() => promDuration('101y')).toThrow(/100 years/);
  });
});
