import { CacheService } from '@backstage/backend-plugin-api';
import { JsonValue } from '@backstage/types';
import { PromQL } from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import {
  PrometheusInstance,
  bookinfoModel,
  groundTruth,
  startPrometheus,
  toOpenMetrics,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-test-utils';
import { AddressInfo } from 'net';
import { Server, createServer } from 'http';
import { PrometheusClient, PrometheusError } from './PrometheusClient';

jest.setTimeout(60_000);

// Tests of the client alone; queries are built by the common package's
// builder everywhere else.
const promql = (text: string) => text as PromQL;

/** A Backstage cache service kept in a Map. */
function memoryCache(): CacheService {
  const values = new Map<string, JsonValue>();
  const cache: CacheService = {
    get: async <T extends JsonValue>(key: string) =>
      values.get(key) as T | undefined,
    set: async (key, value) => {
      values.set(key, value);
    },
    delete: async key => {
      values.delete(key);
    },
    withOptions: () => cache,
  };
  return cache;
}

describe('PrometheusClient against the real Prometheus', () => {
  const model = bookinfoModel();
  const end = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 120_000);
  const start = new Date(end.getTime() - 1_800_000);
  let prometheus: PrometheusInstance;

  beforeAll(async () => {
    prometheus = await startPrometheus({
      backfill: toOpenMetrics(model, { start, end, stepSeconds: 30 }),
      rules: {
        groups: [
          {
            name: 'mesh',
            rules: [
              {
                alert: 'Http5xx',
                // Over the backfill, which ends two to three minutes ago.
                expr: 'sum by (destination_service_name) (rate(istio_requests_total{reporter="destination",response_code=~"5.."}[10m])) > 0',
                labels: { severity: 'critical' },
                annotations: {
                  summary: 'Errors on {{ $labels.destination_service_name }}',
                },
              },
              { alert: 'Slowly', expr: 'vector(1)', for: '1h' },
              { alert: 'Never', expr: 'vector(1) < 0', for: '5m' },
            ],
          },
        ],
      },
    });
  });
  afterAll(() => prometheus?.stop());

  const client = () =>
    new PrometheusClient({
      source: { name: 'prom', url: prometheus.url, timeoutMs: 5_000 },
    });

  it('answers instant queries with parsed samples', async () => {
    const truth = groundTruth(model, {
      destination: 'reviews',
      from: new Date(end.getTime() - 300_000),
      to: end,
    });
    const [sample, ...rest] = await client().instant(
      promql(
        'sum(rate(istio_requests_total{reporter="destination",destination_service_name="reviews"}[5m]))',
      ),
      end,
    );
    expect(rest).toEqual([]);
    expect(Number(sample.value[1]) / truth.requestsPerSecond).toBeCloseTo(1, 2);
  });

  it('answers range queries', async () => {
    const series = await client().range(
      promql(
        'sum by (destination_version) (rate(istio_requests_total{reporter="destination",destination_service_name="reviews"}[5m]))',
      ),
      new Date(end.getTime() - 600_000),
      end,
      60,
    );
    expect(series.length).toBeGreaterThan(1);
    expect(series[0].values.length).toBe(11);
  });

  it('lists the alerting rules with their state and active alerts', async () => {
    let groups = await client().rules();
    // Rules are evaluated every second after start.
    for (let i = 0; i < 40 && groups[0]?.rules[0]?.state !== 'firing'; i++) {
      await new Promise(resolve => setTimeout(resolve, 250));
      groups = await client().rules();
    }
    expect(groups.map(g => g.name)).toEqual(['mesh']);
    const [http5xx, slowly, never] = groups[0].rules;
    expect(http5xx).toMatchObject({
      name: 'Http5xx',
      state: 'firing',
      duration: 0,
      health: 'ok',
      labels: { severity: 'critical' },
    });
    expect(http5xx.query).toContain('destination_service_name');
    // Only reviews answers 5xx in the model.
    expect(http5xx.alerts).toEqual([
      expect.objectContaining({
        state: 'firing',
        labels: {
          alertname: 'Http5xx',
          destination_service_name: 'reviews',
          severity: 'critical',
        },
        annotations: { summary: 'Errors on reviews' },
      }),
    ]);
    expect(Number(http5xx.alerts[0].value)).toBeGreaterThan(0);
    expect(Date.parse(http5xx.alerts[0].activeAt ?? '')).toBeLessThanOrEqual(
      Date.now(),
    );
    expect(slowly).toMatchObject({ state: 'pending', duration: 3600 });
    expect(slowly.alerts.map(a => a.state)).toEqual(['pending']);
    expect(never).toMatchObject({
      state: 'inactive',
      duration: 300,
      alerts: [],
      labels: {},
      annotations: {},
    });
  });

  it('reports a query error as a PrometheusError naming the source', async () => {
    await expect(client().instant(promql('sum(rate('))).rejects.toThrow(
      /^Prometheus prom: bad_data: /,
    );
  });
});

describe('PrometheusClient calls', () => {
  let server: Server;
  let url: string;
  let requests: string[];
  let respond: (path: string) => { status: number; body: string } | undefined;

  beforeEach(async () => {
    requests = [];
    respond = () => ({
      status: 200,
      body: JSON.stringify({
        status: 'success',
        data: {
          resultType: 'vector',
          result: [{ metric: {}, value: [1, '42'] }],
        },
      }),
    });
    server = createServer((req, res) => {
      requests.push(req.url ?? '');
      const answer = respond(req.url ?? '');
      if (!answer) return; // never answer
      setTimeout(() => {
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(answer.body);
      }, 20);
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/prom`;
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise(resolve => server.close(resolve));
  });

  const query = promql('up{job="a b"}');

  it('escapes parameters into the URL and sends the bearer token', async () => {
    let authorization: string | undefined;
    server.prependListener('request', req => {
      authorization = req.headers.authorization;
    });
    const client = new PrometheusClient({
      source: { name: 'p', url, bearerToken: 's3cret', timeoutMs: 1_000 },
    });
    await client.instant(query);
    expect(requests).toEqual([
      `/prom/api/v1/query?query=up%7Bjob%3D%22a+b%22%7D`,
    ]);
    expect(authorization).toBe('Bearer s3cret');
  });

  it('shares one request between identical concurrent calls', async () => {
    const client = new PrometheusClient({
      source: { name: 'p', url, timeoutMs: 1_000 },
    });
    const answers = await Promise.all([
      client.instant(query),
      client.instant(query),
      client.instant(query),
    ]);
    expect(answers.map(a => a[0].value[1])).toEqual(['42', '42', '42']);
    expect(requests).toHaveLength(1);
  });

  it('serves repeated calls from the cache service, across client instances', async () => {
    const cache = memoryCache();
    const source = { name: 'p', url, timeoutMs: 1_000 };
    await new PrometheusClient({ source, cache }).instant(query);
    await new PrometheusClient({ source, cache }).instant(query);
    expect(requests).toHaveLength(1);
    await new PrometheusClient({ source, cache, cacheTtlMs: 0 }).instant(query);
    expect(requests).toHaveLength(2);
  });

  it('gives up after its timeout', async () => {
    respond = () => undefined;
    const client = new PrometheusClient({
      source: { name: 'slow', url, timeoutMs: 200 },
    });
    await expect(client.instant(query)).rejects.toThrow(
      new PrometheusError('slow', 'no answer within 200 ms'),
    );
  });

  it('rejects answers it cannot parse, without echoing credentials', async () => {
    respond = () => ({
      status: 200,
      body: '{"status":"success","data":{"resultType":"vector","result":[{"value":"x"}]}}',
    });
    const client = new PrometheusClient({
      source: { name: 'p', url, bearerToken: 's3cret', timeoutMs: 1_000 },
    });
    const error = await client.instant(query).catch(e => e);
    expect(error).toBeInstanceOf(PrometheusError);
    expect(error.message).toMatch(
      /^Prometheus p: unexpected answer to \/prom\/api\/v1\/query/,
    );
    expect(error.message).not.toContain('s3cret');

    respond = () => ({ status: 502, body: '<html>bad gateway</html>' });
    await expect(client.instant(promql('other'))).rejects.toThrow(
      /^Prometheus p: HTTP 502 \(application\/json\) from http:\/\/127\.0\.0\.1:\d+\/prom\/api\/v1\/query, not a Prometheus answer$/,
    );
  });

  it('asks for the alerting rules only, and rejects a malformed rule list', async () => {
    respond = () => ({
      status: 200,
      body: JSON.stringify({
        status: 'success',
        data: { groups: [{ name: 'g', rules: [{ name: 'r', state: 'on' }] }] },
      }),
    });
    const client = new PrometheusClient({
      source: { name: 'p', url, timeoutMs: 1_000 },
    });
    await expect(client.rules()).rejects.toThrow(
      /^Prometheus p: unexpected answer to \/prom\/api\/v1\/rules: groups\.0\.rules\.0\./,
    );
    expect(requests).toEqual(['/prom/api/v1/rules?type=alert']);
  });

  it('shares and caches rule lists like queries', async () => {
    respond = () => ({
      status: 200,
      body: JSON.stringify({ status: 'success', data: { groups: [] } }),
    });
    const cache = memoryCache();
    const source = { name: 'p', url, timeoutMs: 1_000 };
    const client = new PrometheusClient({ source, cache });
    expect(await Promise.all([client.rules(), client.rules()])).toEqual([
      [],
      [],
    ]);
    await new PrometheusClient({ source, cache }).rules();
    expect(requests).toHaveLength(1);
  });

  it('reports an unreachable Prometheus', async () => {
    const client = new PrometheusClient({
      source: { name: 'gone', url: 'http://127.0.0.1:1', timeoutMs: 1_000 },
    });
    await expect(client.instant(query)).rejects.toThrow(
      /^Prometheus gone: unreachable/,
    );
  });
});
