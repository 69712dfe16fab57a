import { promqlSelectors } from './promqlMatchers';

describe('promqlSelectors', () => {
  it('reads every selector of an expression as Prometheus prints it', () => {
    expect(
      promqlSelectors(
        'sum(rate(istio_requests_total{destination_service="payment-service.shop.svc.cluster.local",reporter="destination",response_code=~"5.*"}[5m])) / sum(rate(istio_requests_total{destination_service!="x"}[5m])) * 100 > 0.5',
      ),
    ).toEqual([
      [
        {
          name: 'destination_service',
          operator: '=',
          value: 'payment-service.shop.svc.cluster.local',
        },
        { name: 'reporter', operator: '=', value: 'destination' },
        { name: 'response_code', operator: '=~', value: '5.*' },
      ],
      [{ name: 'destination_service', operator: '!=', value: 'x' }],
    ]);
  });

  it('unescapes values and accepts every quote style, spacing and comments', () => {
    expect(
      promqlSelectors(
        'up{ a = \'it\\\'s\' , b!~`raw\\d`, c="q\\"\\x41\\u00e9\\101" # note {x="y"}\n, } + on() vector(1)',
      ),
    ).toEqual([
      [
        { name: 'a', operator: '=', value: "it's" },
        { name: 'b', operator: '!~', value: 'raw\\d' },
        { name: 'c', operator: '=', value: 'q"AéA' },
      ],
    ]);
  });

  it('does not read braces inside string literals as selectors', () => {
    expect(
      promqlSelectors(
        'label_replace(up{job="a"}, "dst", "{x=\\"1\\"}", "src", "(.*)")',
      ),
    ).toEqual([[{ name: 'job', operator: '=', value: 'a' }]]);
  });

  it('reads selectors without metric name and quoted label names', () => {
    expect(promqlSelectors('{__name__="up", "service.name"="cart"}')).toEqual([
      [
        { name: '__name__', operator: '=', value: 'up' },
        { name: 'service.name', operator: '=', value: 'cart' },
      ],
    ]);
  });

  it('stops at text that is not PromQL, keeping what came before', () => {
    expect(promqlSelectors('a{x="1"} + b{y=1}')).toEqual([
      [{ name: 'x', operator: '=', value: '1' }],
    ]);
    expect(promqlSelectors('a{x="1')).toEqual([]);
    expect(promqlSelectors('vector(1) > 0')).toEqual([]);
  });
});
