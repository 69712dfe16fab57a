import { mockServices } from '@backstage/backend-test-utils';
import { execFile } from 'child_process';
import { mkdtemp, rm } from 'fs/promises';
import { connect } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import { promisify } from 'util';
import {
  modelFollowingVirtualServices,
  setRouteWeights,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-test-utils';
import { DemoMesh, startDemoMesh } from './startDemoMesh';
import { createDemoTrafficModels } from './trafficModels';

jest.setTimeout(90_000);

/** Whether something accepts connections on the port. */
function accepts(port: number): Promise<boolean> {
  return new Promise(resolve => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('the demo mesh', () => {
  let mesh: DemoMesh;
  let home: string;
  let listening: Promise<boolean[]> | undefined;

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'demo-mesh-'));
    mesh = await startDemoMesh({
      clusters: [
        // Ports chosen by the system as each server listens: a port found
        // free beforehand may be taken by a parallel test meanwhile.
        { name: 'dev', port: 0, token: 'dev-token' },
        { name: 'test', port: 0, token: 'test-token' },
        { name: 'prod', port: 0, token: 'prod-token' },
      ],
      // Before Prometheus is backfilled, every API server listens.
      onClustersListening: emulators => {
        listening = Promise.all(
          emulators.map(emulator =>
            accepts(Number(new URL(emulator.url).port)),
          ),
        );
      },
      manifestsDir: join(__dirname, '../../../clusters'),
      kubeconfigPath: join(home, 'kubeconfig'),
      historyHours: 1,
      interval: '1s',
      logger: mockServices.logger.mock(),
    });
  });

  afterAll(async () => {
    await mesh?.stop();
    await rm(home, { recursive: true, force: true });
  });

  it('says when its clusters listen, before Prometheus is ready', async () => {
    expect(await listening).toEqual([true, true, true]);
  });

  it('lets kubectl list the VirtualServices of the production cluster', async () => {
    const { stdout } = await promisify(execFile)('kubectl', [
      '--kubeconfig',
      join(home, 'kubeconfig'),
      '--context',
      'prod',
      'get',
      'virtualservices.networking.istio.io',
      '-n',
      'shop',
      '-o',
      'name',
    ]);
    expect(stdout.trim().split('\n')).toContain(
      'virtualservice.networking.istio.io/checkout-service',
    );
    expect(stdout.trim().split('\n')).toHaveLength(8);
  });

  it('serves Istio networking v1beta1 only in the dev cluster', async () => {
    const apiVersions = async (context: string) =>
      (
        await promisify(execFile)('kubectl', [
          '--kubeconfig',
          join(home, 'kubeconfig'),
          '--context',
          context,
          'api-versions',
        ])
      ).stdout
        .split('\n')
        .filter(v => v.startsWith('networking.istio.io/'));
    expect(await apiVersions('dev')).toEqual(['networking.istio.io/v1beta1']);
    expect((await apiVersions('prod')).sort()).toEqual([
      'networking.istio.io/v1',
      'networking.istio.io/v1beta1',
    ]);
  });

  it("starts with traffic models that agree with the clusters' routes", () => {
    // Else the live telemetry would jump away from the backfilled history.
    const models = createDemoTrafficModels(new Date());
    for (const emulator of mesh.emulators) {
      const version = emulator.name === 'dev' ? 'v1beta1' : 'v1';
      const model = models[emulator.name as keyof typeof models];
      expect({
        cluster: emulator.name,
        model: modelFollowingVirtualServices(model, {
          virtualServices: emulator.list(
            `networking.istio.io/${version}`,
            'VirtualService',
          ),
          destinationRules: emulator.list(
            `networking.istio.io/${version}`,
            'DestinationRule',
          ),
        }),
      }).toEqual({ cluster: emulator.name, model });
    }
  });

  it('sends traffic where a VirtualService now routes it', async () => {
    const prod = mesh.emulators.find(e => e.name === 'prod')!;
    const exporter = mesh.exporters[mesh.emulators.indexOf(prod)];
    const v2Requests = () =>
      exporter
        .render()
        .split('\n')
        .filter(
          line =>
            line.startsWith('istio_requests_total{') &&
            line.includes('reporter="destination"') &&
            line.includes('destination_service_name="checkout-service"'),
        )
        .map(line => ({
          version: /destination_version="([^"]*)"/.exec(line)![1],
          value: Number(line.split(' ').pop()),
        }));
    const total = (version: string) =>
      v2Requests()
        .filter(r => r.version === version)
        .reduce((sum, r) => sum + r.value, 0);
    setRouteWeights(
      prod,
      { namespace: 'shop', name: 'checkout-service' },
      { v1: 0, v2: 100 },
    );
    try {
      // The follower looks every half second.
      await new Promise(resolve => setTimeout(resolve, 1500));
      const v1 = total('v1');
      const v2 = total('v2');
      await new Promise(resolve => setTimeout(resolve, 2000));
      expect(total('v1')).toBeCloseTo(v1, 6);
      expect(total('v2')).toBeGreaterThan(v2);
    } finally {
      setRouteWeights(
        prod,
        { namespace: 'shop', name: 'checkout-service' },
        { v1: 90, v2: 10 },
      );
    }
  });

  it('scrapes live telemetry', async () => {
    const newest = async () => {
      const data = await mesh.prometheus.query(
        'max(timestamp(istio_requests_total{reporter="destination"}))',
      );
      return data.resultType === 'vector' && data.result.length
        ? Number(data.result[0].value[1]) * 1000
        : 0;
    };
    const started = Date.now();
    while ((await newest()) < started && Date.now() < started + 30_000) {
      await new Promise(resolve => setTimeout(resolve, 500));
    }
    expect(await newest()).toBeGreaterThanOrEqual(started);
  });

  it('has telemetry history of every cluster in Prometheus', async () => {
    const data = await mesh.prometheus.query(
      'sum by (destination_cluster) (rate(istio_requests_total{reporter="destination"}[5m] offset 10m))',
    );
    if (data.resultType !== 'vector') throw new Error(data.resultType);
    expect(data.result.map(s => s.metric.destination_cluster).sort()).toEqual([
      'dev',
      'prod',
      'test',
    ]);
  });

  it('evaluates the clusters alert rules: payment-service errors, not cart-service', async () => {
    const alertsOf = async (service: string) =>
      (await mesh.prometheus.alerts()).alerts
        .filter(alert => alert.labels.service === service)
        .map(alert => alert.labels.alertname);
    const deadline = Date.now() + 30_000;
    while (
      !(await alertsOf('payment-service')).length &&
      Date.now() < deadline
    ) {
      await new Promise(resolve => setTimeout(resolve, 500));
    }
    expect(await alertsOf('payment-service')).toEqual(['HighErrorRate']);
    expect(await alertsOf('cart-service')).toEqual([]);
  });
});
