import { InputError } from '@backstage/errors';
import {
  equals,
  matchRegex,
  noneOf,
  not,
  notMatchRegex,
  oneOf,
  selector,
} from './selector';

describe('selector', () => {
  it('writes equality matchers in key order, skipping undefined', () => {
    expect(
      selector('istio_requests_total', {
        reporter: 'destination',
        destination_service_name: 'reviews',
        destination_cluster: undefined,
        destination_service_namespace: 'bookinfo',
      }),
    ).toBe(
      'istio_requests_total{reporter="destination", destination_service_name="reviews", destination_service_namespace="bookinfo"}',
    );
    expect(selector('up')).toBe('up');
    expect(selector('up', { job: undefined })).toBe('up');
  });

  it('supports every matcher operator', () => {
    expect(
      selector('m', {
        a: equals('x'),
        b: not('y'),
        c: oneOf(['p', 'q.r']),
        d: noneOf(['s|t']),
        e: matchRegex('5..'),
        f: notMatchRegex('2..'),
        g: [not('404'), not('429')],
      }),
    ).toBe(
      'm{a="x", b!="y", c=~"^(?:p|q\\\\.r)$", d!~"^(?:s\\\\|t)$", e=~"5..", f!~"2..", g!="404", g!="429"}',
    );
  });

  it('escapes injection attempts into a single literal', () => {
    expect(
      selector('istio_requests_total', {
        destination_service_name: '"} or vector(1) or up{a="',
      }),
    ).toBe(
      'istio_requests_total{destination_service_name="\\"} or vector(1) or up{a=\\""}',
    );
    expect(selector('m', { a: oneOf(['x"}|.*']) })).toBe(
      'm{a=~"^(?:x\\"\\\\}\\\\|\\\\.\\\\*)$"}',
    );
    expect(selector('m', { a: 'line\nbreak\\' })).toBe(
      'm{a="line\\nbreak\\\\"}',
    );
  });

  it('selects metrics named like PromQL keywords through __name__', () => {
    expect(selector('sum', { a: 'b' })).toBe('{__name__="sum", a="b"}');
    expect(selector('inf')).toBe('{__name__="inf"}');
  });

  it('rejects invalid metric and label names', () => {
    expect(() => selector('up or vector(1)')).toThrow(InputError);
    expect(() => selector('up', { 'a="b",c': 'd' })).toThrow(
      /Invalid Prometheus label name/,
    );
    expect(() => selector('up', { 'bad-label': undefined })).toThrow(
      InputError,
    );
    expect(() => oneOf([])).toThrow(InputError);
  });
});
