import { InputError } from '@backstage/errors';
import fs from 'node:fs';
import path from 'node:path';
import yaml from 'yaml';
import {
  RECORDED_P95_LATENCY_5M,
  hasRecordedP95,
  istioQueries,
  meshLifecycleRecordingRules,
} from './istioQueries';

const target = { service: 'reviews', namespace: 'bookinfo' };
const G = 'destination_service_name, destination_service_namespace';
const S =
  'istio_requests_total{reporter="destination", destination_service_name="reviews", destination_service_namespace="bookinfo"}';
const withLabel = (label: string) =>
  `istio_requests_total{reporter="destination", destination_service_name="reviews", destination_service_namespace="bookinfo", ${label}}`;

describe('istioQueries for one target', () => {
  it('request rate', () => {
    expect(istioQueries.requestRate(target, 300)).toBe(
      `sum by (${G}) (rate(${S}[5m]))`,
    );
    expect(istioQueries.requestRate(target, 300, { perVersion: true })).toBe(
      `sum by (${G}, destination_version) (rate(${S}[5m]))`,
    );
  });

  it('success ratio', () => {
    expect(istioQueries.successRatio(target, 300)).toBe(
      `sum by (${G}) (rate(${withLabel(
        'response_code!~"5.."',
      )}[5m])) / sum by (${G}) (rate(${S}[5m]))`,
    );
  });

  it('4xx and 5xx ratios', () => {
    expect(istioQueries.errorRatio(target, 60, '4xx')).toBe(
      `sum by (${G}) (rate(${withLabel(
        'response_code=~"4.."',
      )}[1m])) / sum by (${G}) (rate(${S}[1m]))`,
    );
    expect(
      istioQueries.errorRatio(target, 60, '5xx', { perVersion: true }),
    ).toBe(
      `sum by (${G}, destination_version) (rate(${withLabel(
        'response_code=~"5.."',
      )}[1m])) / sum by (${G}, destination_version) (rate(${S}[1m]))`,
    );
    expect(() =>
      istioQueries.errorRatio(target, 60, '3xx' as unknown as '4xx'),
    ).toThrow(InputError);
  });

  it('latency quantiles per service and per version', () => {
    const buckets =
      'istio_request_duration_milliseconds_bucket{reporter="destination", destination_service_name="reviews", destination_service_namespace="bookinfo"}';
    expect(istioQueries.latencyQuantile(target, 300, 0.5)).toBe(
      `histogram_quantile(0.5, sum by (${G}, le) (rate(${buckets}[5m])))`,
    );
    expect(istioQueries.latencyQuantile(target, 300, 0.95)).toBe(
      `histogram_quantile(0.95, sum by (${G}, le) (rate(${buckets}[5m])))`,
    );
    expect(
      istioQueries.latencyQuantile(target, 300, 0.99, { perVersion: true }),
    ).toBe(
      `histogram_quantile(0.99, sum by (${G}, destination_version, le) (rate(${buckets}[5m])))`,
    );
  });

  it('traffic split per version', () => {
    expect(istioQueries.trafficSplit(target, 300)).toBe(
      `sum by (${G}, destination_version) (rate(${S}[5m])) / on (${G}) group_left sum by (${G}) (rate(${S}[5m]))`,
    );
  });

  it('mTLS share', () => {
    expect(istioQueries.mtlsShare(target, 300)).toBe(
      `sum by (${G}) (rate(${withLabel(
        'connection_security_policy="mutual_tls"',
      )}[5m])) / sum by (${G}) (rate(${S}[5m]))`,
    );
  });

  it('callers, from the destination', () => {
    expect(istioQueries.callers(target, 300)).toBe(
      `sum by (${G}, source_canonical_service, source_workload, source_workload_namespace) (rate(${S}[5m]))`,
    );
  });

  it('callees, from the caller (reporter="source")', () => {
    expect(istioQueries.callees(target, 300)).toBe(
      `sum by (source_canonical_service, source_workload_namespace, ${G}, destination_workload, destination_workload_namespace) (rate(istio_requests_total{reporter="source", source_canonical_service="reviews", source_workload_namespace="bookinfo"}[5m]))`,
    );
  });

  it("an edge's 5xx answers, with the same grouping as its requests", () => {
    expect(istioQueries.callers(target, 300, { only5xx: true })).toBe(
      `sum by (${G}, source_canonical_service, source_workload, source_workload_namespace) (rate(${S.replace(
        '}',
        ', response_code=~"5.."}',
      )}[5m]))`,
    );
    expect(istioQueries.callees(target, 300, { only5xx: true })).toBe(
      `sum by (source_canonical_service, source_workload_namespace, ${G}, destination_workload, destination_workload_namespace) (rate(istio_requests_total{reporter="source", source_canonical_service="reviews", source_workload_namespace="bookinfo", response_code=~"5.."}[5m]))`,
    );
  });

  it('filters on the cluster when one is given', () => {
    const east = { ...target, cluster: 'east-1' };
    expect(istioQueries.requestRate(east, 300)).toBe(
      `sum by (${G}) (rate(istio_requests_total{reporter="destination", destination_service_name="reviews", destination_service_namespace="bookinfo", destination_cluster="east-1"}[5m]))`,
    );
    expect(istioQueries.callees(east, 300)).toContain(
      '{reporter="source", source_canonical_service="reviews", source_workload_namespace="bookinfo", source_cluster="east-1"}',
    );
  });

  it('requests its callers report sending it (reporter="source")', () => {
    expect(
      istioQueries.requestRateReportedByCallers(
        { ...target, cluster: 'east-1' },
        604800,
      ),
    ).toBe(
      `sum by (${G}) (rate(istio_requests_total{reporter="source", destination_service_name="reviews", destination_service_namespace="bookinfo", destination_cluster="east-1"}[7d]))`,
    );
  });

  it('its request rate per Istio cluster ID, whatever cluster it is pinned to', () => {
    expect(
      istioQueries.requestRateByIstioCluster(
        { ...target, cluster: 'east-1' },
        300,
      ),
    ).toBe(`sum by (destination_cluster) (rate(${S}[5m]))`);
  });

  it('whether mesh telemetry reaches back to a moment', () => {
    expect(istioQueries.telemetryPresence({}, 604800)).toBe(
      'count(istio_requests_total offset 7d)',
    );
    expect(istioQueries.telemetryPresence({ cluster: 'east-1' }, 604800)).toBe(
      'count(istio_requests_total{destination_cluster="east-1"} offset 7d)',
    );
    expect(() =>
      istioQueries.telemetryPresence({ cluster: '"} or vector(1) #' }, 60),
    ).toThrow(InputError);
  });

  it('rejects names that are not Kubernetes names', () => {
    const bad = [
      { service: '"} or vector(1)', namespace: 'bookinfo' },
      { service: 'Reviews', namespace: 'bookinfo' },
      { service: 'reviews', namespace: 'book_info' },
      { service: 'reviews', namespace: 'bookinfo', cluster: 'a b' },
      { service: 'a'.repeat(64), namespace: 'bookinfo' },
    ];
    for (const scope of bad) {
      expect(() => istioQueries.requestRate(scope, 300)).toThrow(InputError);
      expect(() => istioQueries.callees(scope, 300)).toThrow(InputError);
    }
    expect(() =>
      istioQueries.requestRate(
        { service: '"} or vector(1)', namespace: 'bookinfo' },
        300,
      ),
    ).toThrow('Invalid service name "\\"} or vector(1)": expected at most 63');
  });
});

describe('istioQueries for the fleet', () => {
  it('uses one query grouped by service for the whole mesh', () => {
    expect(istioQueries.requestRate({}, 300)).toBe(
      `sum by (${G}) (rate(istio_requests_total{reporter="destination"}[5m]))`,
    );
    expect(istioQueries.latencyQuantile({}, 300, 0.95)).toBe(
      `histogram_quantile(0.95, sum by (${G}, le) (rate(istio_request_duration_milliseconds_bucket{reporter="destination"}[5m])))`,
    );
  });

  it('narrows to namespaces and services with literal alternations', () => {
    expect(
      istioQueries.successRatio(
        { namespaces: ['bookinfo', 'shop'], services: ['reviews', 'cart'] },
        300,
      ),
    ).toBe(
      `sum by (${G}) (rate(istio_requests_total{reporter="destination", destination_service_name=~"^(?:reviews|cart)$", destination_service_namespace=~"^(?:bookinfo|shop)$", response_code!~"5.."}[5m])) / sum by (${G}) (rate(istio_requests_total{reporter="destination", destination_service_name=~"^(?:reviews|cart)$", destination_service_namespace=~"^(?:bookinfo|shop)$"}[5m]))`,
    );
    expect(istioQueries.callees({ namespaces: ['shop'] }, 60)).toBe(
      `sum by (source_canonical_service, source_workload_namespace, ${G}, destination_workload, destination_workload_namespace) (rate(istio_requests_total{reporter="source", source_workload_namespace=~"^(?:shop)$"}[1m]))`,
    );
  });

  it('callers of the services in some namespaces, one series per calling workload', () => {
    expect(istioQueries.callers({ namespaces: ['shop'] }, 60)).toBe(
      `sum by (${G}, source_canonical_service, source_workload, source_workload_namespace) (rate(istio_requests_total{reporter="destination", destination_service_namespace=~"^(?:shop)$"}[1m]))`,
    );
  });

  it('rejects empty lists and invalid names', () => {
    expect(() => istioQueries.requestRate({ namespaces: [] }, 300)).toThrow(
      /must not be empty/,
    );
    expect(() =>
      istioQueries.requestRate({ namespaces: ['ok', '.*'] }, 300),
    ).toThrow('Invalid namespace ".*"');
  });
});

describe('recorded p95 latency', () => {
  it('records each service p95 per Istio cluster from the server-side histogram', () => {
    expect(meshLifecycleRecordingRules({ interval: 30 })).toEqual({
      name: 'mesh-lifecycle',
      interval: '30s',
      rules: [
        {
          record: RECORDED_P95_LATENCY_5M,
          expr: 'histogram_quantile(0.95, sum by (destination_service_name, destination_service_namespace, destination_cluster, le) (rate(istio_request_duration_milliseconds_bucket{reporter="destination"}[5m])))',
        },
      ],
    });
    expect(meshLifecycleRecordingRules()).not.toHaveProperty('interval');
    expect(() => meshLifecycleRecordingRules({ interval: '30 s' })).toThrow(
      InputError,
    );
  });

  it('reads the recorded series for a fleet or a service, never raw buckets', () => {
    expect(istioQueries.recordedP95Latency({})).toBe(
      `max by (destination_service_name, destination_service_namespace) (${RECORDED_P95_LATENCY_5M})`,
    );
    expect(
      istioQueries.recordedP95Latency({
        service: 'cart',
        namespace: 'shop',
        cluster: 'prod',
      }),
    ).toBe(
      `max by (destination_service_name, destination_service_namespace) (${RECORDED_P95_LATENCY_5M}{destination_service_name="cart", destination_service_namespace="shop", destination_cluster="prod"})`,
    );
    expect(() =>
      istioQueries.recordedP95Latency({ namespaces: ['a"b'] }),
    ).toThrow(InputError);
  });

  it('ships the same rules as a PrometheusRule for adopters', () => {
    const file = yaml.parse(
      fs.readFileSync(
        path.join(__dirname, '../../prometheus/recording-rules.yaml'),
        'utf8',
      ),
    );
    expect(file.kind).toBe('PrometheusRule');
    expect(file.spec.groups).toEqual([
      meshLifecycleRecordingRules({ interval: '30s' }),
    ]);
  });

  it('stands in only for a 5-minute window', () => {
    expect(hasRecordedP95(300)).toBe(true);
    expect(hasRecordedP95(600)).toBe(false);
    expect(hasRecordedP95(60)).toBe(false);
  });
});
