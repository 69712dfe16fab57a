import { InputError } from '@backstage/errors';
import { validateLabelName, validateMetricName } from './validateLabelName';

describe('validateLabelName', () => {
  it('accepts Prometheus label names', () => {
    for (const name of [
      'a',
      '_a',
      'destination_service_name',
      '__name__',
      'A9',
    ]) {
      expect(validateLabelName(name)).toBe(name);
    }
  });

  it('rejects anything else with a helpful InputError', () => {
    for (const name of ['', '9a', 'a-b', 'a:b', 'a b', 'a"', 'a}', 'é']) {
      expect(() => validateLabelName(name)).toThrow(InputError);
    }
    expect(() => validateLabelName('a-b')).toThrow(
      'Invalid Prometheus label name "a-b": it must match [a-zA-Z_][a-zA-Z0-9_]*',
    );
  });
});

describe('validateMetricName', () => {
  it('accepts Prometheus metric names, colons included', () => {
    for (const name of ['up', 'istio_requests_total', ':a:b', 'job:rate5m']) {
      expect(validateMetricName(name)).toBe(name);
    }
  });

  it('rejects anything else with a helpful InputError', () => {
    for (const name of ['', '1up', 'a-b', 'up{}', 'up or vector(1)']) {
      expect(() => validateMetricName(name)).toThrow(InputError);
    }
    expect(() => validateMetricName('up{a="b"}')).toThrow(
      'Invalid Prometheus metric name "up{a=\\"b\\"}": it must match [a-zA-Z_:][a-zA-Z0-9_:]*',
    );
  });
});
