import { ServiceDeclaration } from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import {
  EXTERNAL_SOURCE,
  MeshModel,
  PrometheusInstance,
  PrometheusRuleFile,
  startPrometheus,
  toOpenMetrics,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-test-utils';
import { Server, createServer } from 'http';
import { AddressInfo } from 'net';
import { AlertmanagerClient } from '../prometheus/AlertmanagerClient';
import { PrometheusClient } from '../prometheus/PrometheusClient';
import { AlertsReader, ruleForService } from './AlertsReader';

jest.setTimeout(60_000);

const cart: ServiceDeclaration = {
  entityRef: 'component:shop/cart',
  target: { kubernetesId: 'cart', namespace: 'shop', cluster: 'prod' },
  thresholds: {},
};

/** `cart` fails 10 % of its requests; `cart-api`, named with its prefix, none. */
const model: MeshModel = {
  seed: 7,
  services: ['cart', 'cart-api'].map(name => ({
    name,
    namespace: 'shop',
    versions: [{ version: 'v1', weight: 100 }],
    latencyMs: { kind: 'lognormal', medianMs: 20, p95Ms: 80 },
    errorRatio5xx: name === 'cart' ? 0.1 : 0,
  })),
  edges: ['cart', 'cart-api'].map(destination => ({
    source: EXTERNAL_SOURCE,
    destination,
    requestsPerSecond: 10,
  })),
};

const byService = 'destination_service_name, destination_service_namespace';
// Over 10 minutes: the backfill ends two to three minutes ago.
const requests = (matchers: string) =>
  `sum by (${byService}) (rate(istio_requests_total{reporter="destination"${matchers}}[10m]))`;

const rules: PrometheusRuleFile = {
  groups: [
    {
      name: 'mesh',
      rules: [
        {
          alert: 'ServiceErrors',
          expr: `${requests(',response_code=~"5.."')} / ${requests('')} > 0.05`,
          labels: { severity: 'critical' },
          annotations: {
            summary: '5xx on {{ $labels.destination_service_name }}',
          },
        },
      ],
    },
    {
      // As the demo's PrometheusRules write them.
      name: 'prod/cart-api.rules',
      rules: [
        {
          alert: 'HighErrorRate',
          expr: 'sum(rate(istio_requests_total{reporter="destination", destination_service="cart-api.shop.svc.cluster.local"}[10m])) > 0',
          labels: {
            severity: 'critical',
            service: 'cart-api',
            namespace: 'shop',
          },
        },
        {
          alert: 'CartApiTraffic',
          expr: 'sum(rate(istio_requests_total{reporter="destination",destination_service_name="cart-api"}[10m])) > 0',
        },
      ],
    },
    {
      name: 'prod/cart.rules',
      rules: [
        {
          alert: 'HighServiceLatency',
          expr: 'histogram_quantile(0.95, sum(rate(istio_request_duration_milliseconds_bucket{reporter="destination", destination_service="cart.shop.svc.cluster.local"}[10m])) by (le)) > 100000',
          for: '5m',
          labels: { severity: 'warning' },
          annotations: {
            summary: 'High service latency detected',
            description: 'p95 latency of cart is above 100 s',
          },
        },
        {
          alert: 'CartTraffic',
          expr: 'sum(rate(istio_requests_total{reporter="destination",destination_service_name="cart"}[10m])) > 0',
          for: '1h',
        },
        {
          alert: 'LegacyCart',
          expr: 'vector(1)',
          labels: { service: 'cart', namespace: 'legacy' },
        },
      ],
    },
  ],
};

/** Serves `/api/v2/silences` as Alertmanager does, or fails with `status`. */
async function fakeAlertmanager(
  silences: unknown[],
  status = 200,
): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    res.writeHead(req.url === '/api/v2/silences' ? status : 404, {
      'content-type': 'application/json',
    });
    res.end(JSON.stringify(status === 200 ? silences : { message: 'boom' }));
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    server,
  };
}

const silence = (
  id: string,
  state: string,
  matchers: Array<{ name: string; value: string; isRegex?: boolean }>,
) => ({
  id,
  status: { state },
  comment: `silence ${id}`,
  createdBy: 'alice',
  startsAt: '2026-01-01T10:00:00.000Z',
  endsAt: '2026-01-01T12:00:00.000Z',
  updatedAt: '2026-01-01T10:00:00.000Z',
  matchers: matchers.map(m => ({ isRegex: false, isEqual: true, ...m })),
});

describe('AlertsReader against the real Prometheus', () => {
  const end = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 120_000);
  const start = new Date(end.getTime() - 1_800_000);
  let prometheus: PrometheusInstance;
  const servers: Server[] = [];

  beforeAll(async () => {
    prometheus = await startPrometheus({
      backfill: toOpenMetrics(model, { start, end, stepSeconds: 30 }),
      rules,
    });
    // Wait for the first evaluation of every rule.
    const client = new PrometheusClient({
      source: { name: 'wait', url: prometheus.url, timeoutMs: 2_000 },
    });
    for (let i = 0; i < 80; i++) {
      const groups = await client.rules();
      // Go's zero time until a rule was evaluated.
      const evaluated = groups.every(g =>
        g.rules.every(r => !r.lastEvaluation?.startsWith('0001-')),
      );
      if (evaluated) break;
      await new Promise(resolve => setTimeout(resolve, 250));
    }
  });
  afterAll(async () => {
    for (const server of servers) {
      server.closeAllConnections();
      await new Promise(resolve => server.close(resolve));
    }
    await prometheus?.stop();
  });

  const source = (name: string, url: string, clusters: string[]) => ({
    client: new PrometheusClient({ source: { name, url, timeoutMs: 2_000 } }),
    clusters,
  });

  it('reports the rules that concern the service, with only its alerts', async () => {
    const reader = new AlertsReader({
      sources: [source('prometheus:prod', prometheus.url, ['prod'])],
    });
    const response = await reader.read(cart);
    expect(response.entityRef).toBe('component:shop/cart');
    expect(response.silences).toBeUndefined();
    const [outcome, ...others] = response.sources;
    expect(others).toEqual([]);
    if (outcome.status !== 'ok') throw new Error(outcome.error.message);
    expect(
      outcome.rules.map(rule => [rule.group, rule.name, rule.state]),
    ).toEqual([
      ['mesh', 'ServiceErrors', 'firing'],
      ['prod/cart.rules', 'HighServiceLatency', 'inactive'],
      ['prod/cart.rules', 'CartTraffic', 'pending'],
    ]);
    const [errors, latency, traffic] = outcome.rules;
    expect(errors).toMatchObject({
      severity: 'critical',
      durationSeconds: 0,
      health: 'ok',
    });
    expect(errors.alerts).toHaveLength(1);
    expect(errors.alerts[0]).toMatchObject({
      state: 'firing',
      labels: {
        alertname: 'ServiceErrors',
        destination_service_name: 'cart',
        destination_service_namespace: 'shop',
        severity: 'critical',
      },
      annotations: { summary: '5xx on cart' },
    });
    expect(Number(errors.alerts[0].value)).toBeCloseTo(0.1, 1);
    expect(Date.parse(errors.alerts[0].activeAt ?? '')).not.toBeNaN();
    expect(latency).toMatchObject({
      severity: 'warning',
      summary: 'High service latency detected',
      description: 'p95 latency of cart is above 100 s',
      durationSeconds: 300,
      alerts: [],
    });
    expect(latency.query).toContain(
      'destination_service="cart.shop.svc.cluster.local"',
    );
    // Its alert has no service label; the rule's expression names cart.
    expect(traffic.alerts).toEqual([
      expect.objectContaining({
        state: 'pending',
        labels: { alertname: 'CartTraffic' },
      }),
    ]);
  });

  it('reports the rules of the service whose name is the prefix, and not the others', async () => {
    const reader = new AlertsReader({
      sources: [source('prometheus:prod', prometheus.url, [])],
    });
    const response = await reader.read({
      ...cart,
      entityRef: 'component:shop/cart-api',
      target: { kubernetesId: 'cart-api', namespace: 'shop' },
    });
    const [outcome] = response.sources;
    if (outcome.status !== 'ok') throw new Error(outcome.error.message);
    expect(outcome.rules.map(rule => [rule.name, rule.state])).toEqual([
      ['HighErrorRate', 'firing'],
      ['CartApiTraffic', 'firing'],
    ]);
  });

  it('reports a Prometheus that is down as that source’s error, and answers from the rest', async () => {
    const reader = new AlertsReader({
      sources: [
        source('prometheus:gone', 'http://127.0.0.1:1', ['prod']),
        source('prometheus:prod', prometheus.url, ['prod']),
        source('prometheus:dev', prometheus.url, ['dev']),
      ],
    });
    const response = await reader.read(cart);
    expect(response.sources.map(s => [s.source, s.status])).toEqual([
      ['prometheus:gone', 'error'],
      ['prometheus:prod', 'ok'],
    ]);
    const [gone, prod] = response.sources;
    expect(gone).toMatchObject({
      error: {
        name: 'PrometheusError',
        message: expect.stringMatching(
          /^Prometheus prometheus:gone: unreachable/,
        ),
      },
    });
    expect(prod.status === 'ok' && prod.rules).toHaveLength(3);
  });

  it('reports the active silences that mute the service’s alerts, per Alertmanager', async () => {
    const working = await fakeAlertmanager([
      silence('errors-of-cart', 'active', [
        { name: 'alertname', value: 'ServiceErrors' },
        {
          name: 'destination_service_name',
          value: 'cart|checkout',
          isRegex: true,
        },
      ]),
      silence('expired', 'expired', [
        { name: 'alertname', value: 'ServiceErrors' },
      ]),
      silence('errors-of-cart-api', 'active', [
        { name: 'alertname', value: 'ServiceErrors' },
        { name: 'destination_service_name', value: 'cart-api' },
      ]),
      silence('prefix-regex', 'active', [
        { name: 'destination_service_name', value: 'car', isRegex: true },
      ]),
      silence('latency', 'active', [
        { name: 'alertname', value: 'HighServiceLatency' },
        { name: 'severity', value: 'warning' },
      ]),
    ]);
    const failing = await fakeAlertmanager([], 500);
    servers.push(working.server, failing.server);
    const alertmanager = (name: string, url: string, clusters: string[]) => ({
      client: new AlertmanagerClient({
        source: { name, url, timeoutMs: 2_000 },
      }),
      clusters,
    });
    const reader = new AlertsReader({
      sources: [source('prometheus:prod', prometheus.url, ['prod'])],
      alertmanagers: [
        alertmanager('alertmanager:prod', working.url, ['prod']),
        alertmanager('alertmanager:broken', failing.url, []),
        alertmanager('alertmanager:dev', working.url, ['dev']),
      ],
    });
    const { silences } = await reader.read(cart);
    expect(silences?.map(s => [s.source, s.status])).toEqual([
      ['alertmanager:prod', 'ok'],
      ['alertmanager:broken', 'error'],
    ]);
    const [prod, broken] = silences ?? [];
    if (prod?.status !== 'ok') throw new Error('alertmanager:prod failed');
    expect(prod.silences.map(s => [s.id, s.silencedAlerts])).toEqual([
      ['errors-of-cart', ['ServiceErrors']],
      ['latency', ['HighServiceLatency']],
    ]);
    expect(prod.silences[0]).toMatchObject({
      comment: 'silence errors-of-cart',
      createdBy: 'alice',
      endsAt: '2026-01-01T12:00:00.000Z',
    });
    expect(broken).toMatchObject({
      error: {
        message:
          'Alertmanager alertmanager:broken: HTTP 500 from /api/v2/silences',
      },
    });
  });

  it('needs the Kubernetes id of the service', async () => {
    const reader = new AlertsReader({ sources: [] });
    await expect(reader.read({ ...cart, target: {} })).rejects.toThrow(
      /needs the backstage.io\/kubernetes-id annotation/,
    );
  });
});

describe('ruleForService', () => {
  // A rule of the demo's PrometheusRules, as Prometheus prints it.
  const demoRule = (service: string) => ({
    name: 'HighErrorRate',
    query: `sum(rate(istio_requests_total{destination_service="${service}.shop.svc.cluster.local",reporter="destination",response_code=~"5.*"}[5m])) / sum(rate(istio_requests_total{destination_service="${service}.shop.svc.cluster.local",reporter="destination"}[5m])) * 100 > 0.5`,
    duration: 120,
    labels: { severity: 'critical', service, namespace: 'shop' },
    annotations: { summary: 'High error rate detected' },
    state: 'inactive' as const,
    health: 'ok',
    alerts: [],
  });

  it('finds the demo’s rules for their service only', () => {
    const payment = { name: 'payment-service', namespace: 'shop' };
    expect(
      ruleForService(demoRule('payment-service'), 'g', payment),
    ).toMatchObject({ name: 'HighErrorRate', severity: 'critical' });
    expect(
      ruleForService(demoRule('payment-service'), 'g', { name: 'payment' }),
    ).toBeUndefined();
    expect(
      ruleForService(demoRule('payment-service'), 'g', {
        name: 'payment-service',
        namespace: 'billing',
      }),
    ).toBeUndefined();
    expect(
      ruleForService(demoRule('legacy-payment-service'), 'g', payment),
    ).toBeUndefined();
  });

  it('finds a rule by its expression alone, not by a regex or a negation', () => {
    const rule = (query: string) => ({
      ...demoRule('x'),
      labels: {},
      query,
    });
    const cartInShop = { name: 'cart', namespace: 'shop' };
    expect(
      ruleForService(
        rule('up{destination_service_name="cart"} == 0'),
        'g',
        cartInShop,
      ),
    ).toBeDefined();
    expect(
      ruleForService(
        rule('up{destination_service_name="cart",namespace="other"} == 0'),
        'g',
        cartInShop,
      ),
    ).toBeUndefined();
    for (const query of [
      'up{destination_service_name=~"cart"} == 0',
      'up{destination_service_name!="cart"} == 0',
      'up{destination_service_name="cart-api"} == 0',
      'up{job="cart"} == 0',
    ]) {
      expect(ruleForService(rule(query), 'g', cartInShop)).toBeUndefined();
    }
  });
});
