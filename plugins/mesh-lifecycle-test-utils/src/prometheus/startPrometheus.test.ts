import { existsSync } from 'node:fs';
import {
  EXTERNAL_SOURCE,
  MeshModel,
  TelemetryExporter,
  bookinfoModel,
  groundTruth,
  startTelemetryExporter,
  toOpenMetrics,
} from '../telemetry';
import { findFreePort } from './findFreePort';
import { PromQueryData } from './prometheusApi';
import { PrometheusInstance, startPrometheus } from './startPrometheus';

jest.setTimeout(60_000);

/** The single value of an instant-vector answer. */
function single(data: PromQueryData): number {
  if (data.resultType !== 'vector' || data.result.length !== 1) {
    throw new Error(`expected one sample, got ${JSON.stringify(data)}`);
  }
  return Number(data.result[0].value[1]);
}

/** |actual / expected - 1|, to compare with the 2 % tolerance. */
function relativeError(actual: number, expected: number): number {
  return Math.abs(actual / expected - 1);
}

async function eventually<T>(
  probe: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await probe();
    if (result !== undefined) return result;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise(resolve => setTimeout(resolve, 250));
  }
}

describe('startPrometheus with backfilled Istio telemetry', () => {
  const model = bookinfoModel();
  const end = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 120_000);
  const start = new Date(end.getTime() - 3_600_000);
  const window = { from: new Date(end.getTime() - 300_000), to: end };
  const reviews = 'reporter="destination",destination_service_name="reviews"';
  let prometheus: PrometheusInstance | undefined;

  beforeAll(async () => {
    prometheus = await startPrometheus({
      backfill: toOpenMetrics(model, { start, end, stepSeconds: 30 }),
    });
  });
  afterAll(() => prometheus?.stop());

  const query = async (promql: string) =>
    single(await prometheus!.query(promql, end));

  /** Share of the reviews requests matching further label matchers. */
  const shareOf = (matchers: string) =>
    query(
      `sum(rate(istio_requests_total{${reviews},${matchers}}[5m]))` +
        ` / sum(rate(istio_requests_total{${reviews}}[5m]))`,
    );

  it('recovers request rate, error ratio, p95 and traffic split', async () => {
    const truth = groundTruth(model, { destination: 'reviews', ...window });
    const rate = await query(`sum(rate(istio_requests_total{${reviews}}[5m]))`);
    expect(relativeError(rate, truth.requestsPerSecond)).toBeLessThan(0.02);
    const ratio5xx = await shareOf('response_code=~"5.."');
    expect(relativeError(ratio5xx, truth.ratio5xx)).toBeLessThan(0.02);
    const p95 = await query(
      `histogram_quantile(0.95, sum by (le) (rate(istio_request_duration_milliseconds_bucket{${reviews}}[5m])))`,
    );
    expect(relativeError(p95, truth.estimatedLatencyMs.p95)).toBeLessThan(0.02);
    // The coarse buckets overestimate the true p95 here.
    expect(p95).toBeGreaterThan(truth.latencyMs.p95 * 1.1);
    for (const [version, split] of Object.entries(truth.trafficSplit)) {
      const share = await shareOf(`destination_version="${version}"`);
      expect(relativeError(share, split)).toBeLessThan(0.02);
    }
    const mtls = await shareOf('connection_security_policy="mutual_tls"');
    expect(relativeError(mtls, truth.mtlsShare)).toBeLessThan(0.02);
  });

  it('double counts when the reporter is not filtered', async () => {
    const truth = groundTruth(model, { destination: 'reviews', ...window });
    const naive = await query(
      'sum(rate(istio_requests_total{destination_service_name="reviews"}[5m]))',
    );
    expect(relativeError(naive / truth.requestsPerSecond, 2)).toBeLessThan(
      0.02,
    );
  });

  it('serves the whole backfilled hour to range queries', async () => {
    const data = await prometheus!.queryRange(
      `sum(rate(istio_requests_total{${reviews}}[5m]))`,
      new Date(start.getTime() + 600_000),
      end,
      600,
    );
    expect(data.result).toHaveLength(1);
    expect(data.result[0].values).toHaveLength(6);
    for (const [time, value] of data.result[0].values) {
      const to = new Date(time * 1000);
      const truth = groundTruth(model, {
        destination: 'reviews',
        from: new Date(to.getTime() - 300_000),
        to,
      });
      expect(
        relativeError(Number(value), truth.requestsPerSecond),
      ).toBeLessThan(0.02);
    }
  });

  it('throws a clear error on a bad query', async () => {
    await expect(prometheus!.query('sum(')).rejects.toThrow(
      /api\/v1\/query failed for query sum\(: bad_data/,
    );
  });
});

describe('startPrometheus scraping a live exporter', () => {
  const model: MeshModel = {
    seed: 1,
    services: [
      {
        name: 'checkout',
        namespace: 'shop',
        versions: [{ version: 'v1', weight: 100 }],
        latencyMs: { kind: 'lognormal', medianMs: 30, p95Ms: 120 },
        errorRatio5xx: 0.05,
      },
      {
        name: 'cart',
        namespace: 'shop',
        versions: [{ version: 'v1', weight: 100 }],
        latencyMs: { kind: 'lognormal', medianMs: 10, p95Ms: 40 },
        errorRatio5xx: 0.002,
      },
    ],
    edges: [
      {
        source: EXTERNAL_SOURCE,
        destination: 'checkout',
        requestsPerSecond: 50,
      },
      { source: 'checkout', destination: 'cart', requestsPerSecond: 80 },
    ],
  };
  const errorRatio = (threshold: number) =>
    `sum by (destination_service_name) (rate(istio_requests_total{reporter="destination",response_code=~"5.."}[10s]))` +
    ` / sum by (destination_service_name) (rate(istio_requests_total{reporter="destination"}[10s])) > ${threshold}`;
  const rules = (threshold: number) => ({
    groups: [
      {
        name: 'mesh',
        rules: [
          { alert: 'HighErrorRate', expr: errorRatio(threshold), for: '1s' },
        ],
      },
    ],
  });
  let exporter: TelemetryExporter | undefined;
  let prometheus: PrometheusInstance | undefined;

  beforeAll(async () => {
    exporter = await startTelemetryExporter(model);
    prometheus = await startPrometheus({
      scrapeTargets: [{ job: 'mesh', url: exporter.url, interval: '1s' }],
      rules: rules(0.01),
      evaluationInterval: '1s',
    });
  });
  afterAll(async () => {
    await prometheus?.stop();
    await exporter?.stop();
  });

  it('sees istio_requests_total increasing', async () => {
    const total = async () =>
      prometheus!
        .query('sum(istio_requests_total{reporter="destination"})')
        .then(data => (data.result.length ? single(data) : undefined));
    const first = await eventually(total, 'a first scrape');
    const later = await eventually(async () => {
      const value = await total();
      return value !== undefined && value > first ? value : undefined;
    }, 'istio_requests_total to increase');
    expect(later).toBeGreaterThan(first);
  });

  it('fires HighErrorRate for the failing service only, and reloads rules', async () => {
    const firing = await eventually(async () => {
      const { alerts } = await prometheus!.alerts();
      return alerts.find(a => a.state === 'firing');
    }, 'HighErrorRate to fire');
    expect(firing.labels).toMatchObject({
      alertname: 'HighErrorRate',
      destination_service_name: 'checkout',
    });
    const { alerts } = await prometheus!.alerts();
    expect(alerts.map(a => a.labels.destination_service_name)).toEqual([
      'checkout',
    ]);

    await prometheus!.reload(rules(0.1));
    const { groups } = await prometheus!.rules();
    expect(groups[0].rules[0].query).toContain('> 0.1');
    await eventually(
      async () => (await prometheus!.alerts()).alerts.length === 0 || undefined,
      'no alert once the threshold is 10 %',
    );
  });
});

describe('startPrometheus failures', () => {
  it('explains how to install a missing prometheus', async () => {
    await expect(
      startPrometheus({ binary: '/nonexistent/prometheus' }),
    ).rejects.toThrow(/apt-get install -y prometheus.*PROMETHEUS_BINARY/);
  });

  it('explains how to install a missing promtool', async () => {
    await expect(
      startPrometheus({
        promtoolBinary: '/nonexistent/promtool',
        backfill: '# EOF\n',
      }),
    ).rejects.toThrow(/apt-get install -y prometheus.*PROMTOOL_BINARY/);
  });

  it('reports the last lines of stderr when Prometheus does not start', async () => {
    await expect(
      startPrometheus({ extraArgs: ['--no-such-flag'] }),
    ).rejects.toThrow(
      /exited with code \d+ before it was ready.*\n.*no-such-flag/s,
    );
  });

  it('removes its files on stop', async () => {
    const prometheus = await startPrometheus();
    try {
      expect(existsSync(prometheus.dataDir)).toBe(true);
    } finally {
      await prometheus.stop();
    }
    expect(existsSync(prometheus.dataDir)).toBe(false);
  });
});

describe('startPrometheus with several backfills on a chosen port', () => {
  it('loads every text and listens where asked', async () => {
    const end = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 120_000);
    const start = new Date(end.getTime() - 600_000);
    const texts = ['east', 'west'].map(cluster =>
      toOpenMetrics(
        { ...bookinfoModel(), cluster },
        { start, end, stepSeconds: 60 },
      ),
    );
    const port = await findFreePort();
    const prometheus = await startPrometheus({ backfill: texts, port });
    try {
      expect(prometheus.url).toBe(`http://127.0.0.1:${port}`);
      const data = await prometheus.query(
        'count by (destination_cluster) (istio_requests_total{reporter="destination"})',
        end,
      );
      if (data.resultType !== 'vector') throw new Error(data.resultType);
      expect(
        data.result.map(sample => sample.metric.destination_cluster).sort(),
      ).toEqual(['east', 'west']);
    } finally {
      await prometheus.stop();
    }
  });
});
