import { bookinfoModel } from './bookinfoModel';
import { toOpenMetrics } from './toOpenMetrics';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
  time: number;
}

function parse(text: string): Sample[] {
  return text
    .split('\n')
    .filter(line => line && !line.startsWith('#'))
    .map(line => {
      const match = /^(\w+)\{(.*)\} (\S+) (\S+)$/.exec(line);
      if (!match) throw new Error(`unparsable line: ${line}`);
      const labels: Record<string, string> = {};
      for (const [, key, value] of match[2].matchAll(/(\w+)="([^"]*)"/g)) {
        labels[key] = value;
      }
      return {
        name: match[1],
        labels,
        value: Number(match[3]),
        time: Number(match[4]),
      };
    });
}

const start = new Date('2026-01-01T10:00:00Z');
const end = new Date('2026-01-01T10:10:00Z');
const range = { start, end, stepSeconds: 30 };

describe('toOpenMetrics', () => {
  const text = toOpenMetrics(bookinfoModel(), range);
  const samples = parse(text);
  const requests = samples.filter(s => s.name === 'istio_requests_total');

  it('is deterministic given the seed', () => {
    expect(toOpenMetrics(bookinfoModel(), range)).toBe(text);
    expect(toOpenMetrics(bookinfoModel(7), range)).not.toBe(text);
    const steady = { ...bookinfoModel(), jitter: 0 };
    expect(toOpenMetrics(steady, range)).toBe(
      toOpenMetrics({ ...steady, seed: 7 }, range),
    );
  });

  it('writes OpenMetrics families with timestamps in seconds', () => {
    expect(text).toContain('# TYPE istio_requests counter\n');
    expect(text).toContain(
      '# TYPE istio_request_duration_milliseconds histogram\n',
    );
    expect(text.endsWith('# EOF\n')).toBe(true);
    const times = [...new Set(samples.map(s => s.time))].sort();
    expect(times).toHaveLength(21);
    expect(times[0]).toBe(start.getTime() / 1000);
    expect(times[20]).toBe(end.getTime() / 1000);
  });

  it('keeps counters cumulative, buckets monotonic and +Inf equal to _count', () => {
    const bySeries = new Map<string, Sample[]>();
    for (const s of samples) {
      const key = `${s.name}${JSON.stringify(s.labels)}`;
      bySeries.set(key, [...(bySeries.get(key) ?? []), s]);
    }
    for (const series of bySeries.values()) {
      expect(series[0].value).toBe(0);
      for (let k = 1; k < series.length; k++) {
        expect(series[k].time).toBeGreaterThan(series[k - 1].time);
        expect(series[k].value).toBeGreaterThanOrEqual(series[k - 1].value);
      }
      expect(series[series.length - 1].value).toBeGreaterThan(0);
    }
    const last = samples.filter(s => s.time === end.getTime() / 1000);
    const histograms = new Map<string, Sample[]>();
    for (const s of last.filter(x => x.name.endsWith('_bucket'))) {
      const { le, ...rest } = s.labels;
      const key = JSON.stringify(rest);
      histograms.set(key, [...(histograms.get(key) ?? []), s]);
    }
    expect(histograms.size).toBeGreaterThan(0);
    for (const [key, buckets] of histograms) {
      const counts = buckets
        .map(b => ({ le: Number(b.labels.le), value: b.value }))
        .sort((a, b) => a.le - b.le);
      expect(counts).toHaveLength(20);
      for (let i = 1; i < counts.length; i++) {
        expect(counts[i].value).toBeGreaterThanOrEqual(counts[i - 1].value);
      }
      const count = last.find(
        s =>
          s.name === 'istio_request_duration_milliseconds_count' &&
          JSON.stringify(s.labels) === key,
      );
      expect(counts[counts.length - 1].value).toBe(count?.value);
    }
  });

  it('reports mesh-internal requests from both sides, external ones once', () => {
    const reviews = requests.filter(
      s => s.labels.destination_service_name === 'reviews',
    );
    const total = (reporter: string) =>
      reviews
        .filter(
          s =>
            s.labels.reporter === reporter && s.time === end.getTime() / 1000,
        )
        .reduce((sum, s) => sum + s.value, 0);
    expect(total('destination')).toBeGreaterThan(0);
    expect(total('source')).toBeCloseTo(total('destination'), 6);
    const productpage = requests.filter(
      s => s.labels.destination_service_name === 'productpage',
    );
    expect(new Set(productpage.map(s => s.labels.reporter))).toEqual(
      new Set(['destination']),
    );
  });

  it('labels series like Istio', () => {
    const series = requests.filter(
      s => s.labels.destination_service_name === 'reviews',
    );
    expect(series[0].labels).toMatchObject({
      source_workload: 'productpage-v1',
      source_workload_namespace: 'bookinfo',
      source_app: 'productpage',
      source_version: 'v1',
      source_cluster: 'Kubernetes',
      destination_service: 'reviews.bookinfo.svc.cluster.local',
      destination_service_namespace: 'bookinfo',
      destination_app: 'reviews',
      destination_cluster: 'Kubernetes',
      request_protocol: 'http',
    });
    const mtls = series.find(
      s => s.labels.connection_security_policy === 'mutual_tls',
    );
    expect(mtls?.labels).toMatchObject({
      reporter: 'destination',
      source_principal: 'spiffe://cluster.local/ns/bookinfo/sa/productpage',
      destination_principal: 'spiffe://cluster.local/ns/bookinfo/sa/reviews',
    });
    const plain = series.find(
      s => s.labels.connection_security_policy === 'none',
    );
    expect(plain?.labels).toMatchObject({
      reporter: 'destination',
      source_principal: 'unknown',
      destination_principal: 'unknown',
    });
    expect(
      new Set(
        series
          .filter(s => s.labels.reporter === 'source')
          .map(s => s.labels.connection_security_policy),
      ),
    ).toEqual(new Set(['unknown']));
    expect(new Set(series.map(s => s.labels.destination_workload))).toEqual(
      new Set(['reviews-v1', 'reviews-v2']),
    );
    expect(
      series.find(s => s.labels.response_code === '503')?.labels.response_flags,
    ).toBe('URX');
    expect(series.every(s => !('grpc_response_status' in s.labels))).toBe(true);
    const ratings = requests.filter(
      s => s.labels.destination_service_name === 'ratings',
    );
    expect(ratings[0].labels).toMatchObject({
      request_protocol: 'grpc',
      grpc_response_status: '0',
    });
  });

  it('writes TCP metrics for TCP edges', () => {
    for (const name of [
      'istio_tcp_sent_bytes_total',
      'istio_tcp_received_bytes_total',
      'istio_tcp_connections_opened_total',
      'istio_tcp_connections_closed_total',
    ]) {
      const series = samples.filter(s => s.name === name);
      expect(series.length).toBeGreaterThan(0);
      expect(series[0].labels).toMatchObject({
        destination_service_name: 'mongodb',
        request_protocol: 'tcp',
      });
    }
  });
});
