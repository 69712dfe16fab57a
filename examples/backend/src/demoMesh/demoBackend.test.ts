import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { JsonObject } from '@backstage/types';
import meshLifecyclePlugin from '@mesh-lifecycle/plugin-mesh-lifecycle-backend';
import {
  LifecycleResponse,
  MeshResponse,
  TrafficResponse,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import { groundTruth } from '@mesh-lifecycle/plugin-mesh-lifecycle-test-utils';
import { readFileSync } from 'fs';
import { mkdtemp, rm } from 'fs/promises';
import { Server } from 'http';
import { AddressInfo, createServer } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import request from 'supertest';
import yaml from 'yaml';
import { exampleCatalogEntities } from '../__testUtils__/exampleCatalog';
import { DemoMesh, startDemoMesh } from './startDemoMesh';
import { createDemoTrafficModels } from './trafficModels';

jest.setTimeout(120_000);

const examples = join(__dirname, '../../..');

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise(resolve => server.close(resolve));
  return port;
}

/**
 * The example catalog as the catalog backend serves it: with the relations
 * its processors derive from `dependsOn`, `consumesApis` and `providesApis`
 * (the mock catalog serves entities as given).
 */
function exampleEntities(): Entity[] {
  const entities = exampleCatalogEntities().filter(
    entity => entity.kind !== 'Location',
  );
  const byRef = new Map(entities.map(e => [stringifyEntityRef(e), e]));
  const relate = (
    source: Entity,
    targets: unknown,
    defaultKind: string,
    type: string,
    reverse: string,
  ) => {
    for (const target of Array.isArray(targets) ? targets : []) {
      const targetRef = stringifyEntityRef(
        parseEntityRef(String(target), {
          defaultKind,
          defaultNamespace: source.metadata.namespace ?? 'default',
        }),
      );
      (source.relations ??= []).push({ type, targetRef });
      const other = byRef.get(targetRef);
      (other ? (other.relations ??= []) : []).push({
        type: reverse,
        targetRef: stringifyEntityRef(source),
      });
    }
  };
  for (const entity of entities) {
    relate(
      entity,
      entity.spec?.dependsOn,
      'component',
      'dependsOn',
      'dependencyOf',
    );
    relate(
      entity,
      entity.spec?.consumesApis,
      'api',
      'consumesApi',
      'apiConsumedBy',
    );
    relate(
      entity,
      entity.spec?.providesApis,
      'api',
      'providesApi',
      'apiProvidedBy',
    );
  }
  return entities;
}

interface DemoClusterEntry {
  name: 'dev' | 'test' | 'prod';
  url: string;
  serviceAccountToken: string;
}

/**
 * The demo's own app-config.yaml, with the clusters and Prometheus moved to
 * free ports so that the test runs next to a running demo.
 */
function demoConfig(ports: Record<string, number>, prometheusUrl: string) {
  const config = yaml.parse(
    readFileSync(join(examples, '../app-config.yaml'), 'utf8'),
  ) as JsonObject & {
    kubernetes: {
      clusterLocatorMethods: Array<{ clusters: DemoClusterEntry[] }>;
    };
    meshLifecycle: { prometheus: { url: string } };
  };
  const [method] = config.kubernetes.clusterLocatorMethods;
  for (const cluster of method.clusters) {
    cluster.url = `https://127.0.0.1:${ports[cluster.name]}`;
  }
  config.meshLifecycle.prometheus.url = prometheusUrl;
  return { config, clusters: method.clusters };
}

/** |actual / expected - 1|. */
const off = (actual: number | null | undefined, expected: number) =>
  Math.abs((actual ?? NaN) / expected - 1);

/**
 * The demo backend, configured by the demo's app-config.yaml, against the
 * demo mesh: it serves the example services' mesh, traffic, dependencies
 * and alerts as the demo's traffic model says, and keeps answering from the
 * rest when one cluster or Prometheus stops.
 */
describe('the demo backend on the demo mesh', () => {
  let mesh: DemoMesh;
  let home: string;
  let server: Server;
  const started = new Date();

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'demo-backend-'));
    // Ports found free may be taken by another process before the mesh
    // listens on them (tests run in parallel): then again, on others.
    let config: JsonObject = {};
    for (let attempt = 1; !mesh; attempt++) {
      const ports = {
        dev: await freePort(),
        test: await freePort(),
        prod: await freePort(),
      };
      const prometheusPort = await freePort();
      const demo = demoConfig(ports, `http://127.0.0.1:${prometheusPort}`);
      config = demo.config;
      try {
        mesh = await startDemoMesh({
          clusters: demo.clusters.map(c => ({
            name: c.name,
            port: ports[c.name],
            token: c.serviceAccountToken,
          })),
          manifestsDir: join(examples, 'clusters'),
          prometheusPort,
          kubeconfigPath: join(home, 'kubeconfig'),
          historyHours: 1,
          interval: '1s',
          logger: mockServices.logger.mock(),
        });
      } catch (error) {
        if (
          attempt >= 3 ||
          !/EADDRINUSE|address already in use/.test(String(error))
        ) {
          throw error;
        }
      }
    }
    ({ server } = await startTestBackend({
      features: [
        meshLifecyclePlugin,
        catalogServiceMock.factory({ entities: exampleEntities() }),
        mockServices.rootConfig.factory({ data: config }),
      ],
    }));
  });

  afterAll(async () => {
    await mesh?.stop();
    await rm(home, { recursive: true, force: true });
  });

  const get = (name: string, route: string) =>
    request(server).get(
      `/api/mesh-lifecycle/entities/component/default/${name}/${route}`,
    );

  it('serves the canary: configured 90/10 on prod, observed as the model says', async () => {
    const meshAnswer: MeshResponse = (await get('checkout-service', 'mesh'))
      .body;
    const [prod] = meshAnswer.clusters;
    if (prod.status !== 'ok') throw new Error(prod.error.message);
    expect(
      prod.trafficSplit.flatMap(r =>
        r.destinations.map(d => [d.version, d.weight]),
      ),
    ).toEqual([
      ['v1', 90],
      ['v2', 10],
    ]);
    const traffic: TrafficResponse = (
      await get('checkout-service', 'traffic?window=600')
    ).body;
    const [source] = traffic.sources;
    if (source.status !== 'ok') throw new Error(source.error.message);
    // One Prometheus watches the three clusters: the figures are prod's.
    expect(source.istioCluster).toBe('prod');
    const model = createDemoTrafficModels(started).prod;
    const truth = groundTruth(model, {
      destination: 'checkout-service',
      from: new Date(Date.now() - 600_000),
      to: new Date(),
    });
    for (const version of source.figures.versions) {
      expect(
        off(version.share, truth.trafficSplit[version.version]),
      ).toBeLessThan(0.02);
    }
    expect(off(source.figures.ratio4xx, truth.ratio4xx)).toBeLessThan(0.02);
  });

  it('serves payment-service’s 5xx ratio and its active HighErrorRate alert', async () => {
    const traffic: TrafficResponse = (
      await get('payment-service', 'traffic?window=600')
    ).body;
    const [source] = traffic.sources;
    if (source.status !== 'ok') throw new Error(source.error.message);
    const model = createDemoTrafficModels(started).prod;
    const truth = groundTruth(model, {
      destination: 'payment-service',
      from: new Date(Date.now() - 600_000),
      to: new Date(),
    });
    expect(off(source.figures.ratio5xx, truth.ratio5xx)).toBeLessThan(0.02);

    // The rule holds from the first evaluation and fires after its `for`
    // of 2 minutes: pending until then.
    let active: Array<{ name: string; state: string; alerts: unknown[] }> = [];
    const deadline = Date.now() + 60_000;
    while (!active.length && Date.now() < deadline) {
      const alerts = (await get('payment-service', 'alerts')).body;
      active = alerts.sources[0].rules.filter(
        (r: { state: string }) => r.state !== 'inactive',
      );
      if (!active.length) await new Promise(r => setTimeout(r, 1000));
    }
    expect(active.map(r => r.name)).toEqual(['HighErrorRate']);
    expect(['pending', 'firing']).toContain(active[0].state);
    expect(active[0].alerts).toEqual([
      expect.objectContaining({
        labels: expect.objectContaining({ service: 'payment-service' }),
        activeAt: expect.any(String),
      }),
    ]);
  });

  it('maps checkout-service’s live callees to their catalog entities and owners', async () => {
    const answer = (await get('checkout-service', 'dependencies?window=600'))
      .body;
    const [source] = answer.sources;
    expect(source.status).toBe('ok');
    const callees = Object.fromEntries(
      source.callees.map(
        (c: { service: string; entities: Array<{ owner?: string }> }) => [
          c.service,
          c.entities.map(e => e.owner),
        ],
      ),
    );
    expect(callees).toEqual({
      'cart-service': ['group:default/team-commerce'],
      'payment-service': ['group:default/team-commerce'],
      'inventory-service': ['group:default/team-platform'],
      'pricing-service': ['group:default/team-platform'],
      'user-service': ['group:default/team-commerce'],
    });
  });

  it('infers from the evidence the phase each example service was built for', async () => {
    const services = exampleEntities().filter(
      e => e.kind === 'Component' && e.spec?.type === 'service',
    );
    const phases: Record<string, [string | undefined, string]> = {};
    for (const service of services) {
      const response = await get(service.metadata.name, 'lifecycle');
      expect(response.status).toBe(200);
      const answer: LifecycleResponse = response.body;
      phases[service.metadata.name] = [
        service.metadata.annotations?.['mesh-lifecycle.io/phase'],
        answer.phase.inferred,
      ];
      // Every fact names where it was seen.
      expect(answer.phase.evidence.every(e => e.source && e.detail)).toBe(true);
    }
    // The scenario's phase (annotated) is what the clusters and telemetry say.
    for (const [name, [scenario, inferred]] of Object.entries(phases)) {
      expect({ name, inferred }).toEqual({ name, inferred: scenario });
    }
    expect(Object.keys(phases)).toHaveLength(11);
  });

  it('shows the misconfigured search-service’s findings and its failing gate', async () => {
    const answer: LifecycleResponse = (await get('search-service', 'lifecycle'))
      .body;
    const [test] = answer.validation;
    if (test.status !== 'ok') throw new Error(test.error.message);
    expect([...new Set(test.findings.map(f => f.code))].sort()).toEqual([
      'KIA0601',
      'KIA1106',
      'KIA1107',
      'MESH0001',
    ]);
    const configGate = answer.gates.gates.find(
      g => g.id === 'no-config-errors',
    );
    expect(answer.gates).toMatchObject({ from: 'test', to: 'deploy' });
    expect(configGate?.status).toBe('fail');
  });

  it('shows which retire gates the retiring service still fails, and why', async () => {
    const answer: LifecycleResponse = (
      await get('legacy-pricing-service', 'lifecycle')
    ).body;
    expect(answer.phase.phase).toBe('retire');
    expect(answer.health.verdict).toBe('idle');
    expect(answer.gates.from).toBe('retire');
    const gates = Object.fromEntries(
      answer.gates.gates.map(g => [g.id, [g.status, g.evidence]]),
    );
    // Its last caller moved away an hour ago: not quiet for 7 days yet.
    expect(gates['no-inbound-requests']).toEqual([
      'fail',
      [expect.stringMatching(/^\d+ inbound requests in the last 7 days$/)],
    ]);
    // inventory-service still declares it and consumes its API.
    expect(gates['no-dependents']).toEqual([
      'fail',
      ['component:default/inventory-service still depends on it'],
    ]);
    expect(gates['replacement-named']).toEqual([
      'pass',
      ['replaced by component:default/pricing-service'],
    ]);
    expect(gates['owners-notified'][0]).toBe('fail');
    expect(gates['cleaned-up']).toEqual([
      'fail',
      [expect.stringMatching(/^prod: \d+ objects left$/)],
    ]);
  });

  it('keeps answering from the rest when a cluster, then Prometheus, stops', async () => {
    const test = mesh.emulators.find(e => e.name === 'test')!;
    await test.stop();
    // Its watches break: from then on the cluster is reported, not served
    // from a cache that no longer follows it.
    let search: MeshResponse = (await get('search-service', 'mesh')).body;
    for (let i = 0; i < 100 && search.clusters[0]?.status === 'ok'; i++) {
      await new Promise(resolve => setTimeout(resolve, 100));
      search = (await get('search-service', 'mesh')).body;
    }
    expect(search.clusters).toEqual([
      expect.objectContaining({
        source: 'test',
        status: 'error',
        error: expect.objectContaining({
          message: expect.stringMatching(
            /^cluster test: connection refused \(ECONNREFUSED\) — check the url of /,
          ),
        }),
      }),
    ]);
    const recommendation: MeshResponse = (
      await get('recommendation-service', 'mesh')
    ).body;
    expect(recommendation.clusters.map(c => [c.source, c.status])).toEqual([
      ['dev', 'ok'],
      ['test', 'error'],
      ['prod', 'ok'],
    ]);

    await mesh.prometheus.stop();
    // (A window not asked before: answers are cached for 10 s.)
    const traffic: TrafficResponse = (
      await get('cart-service', 'traffic?window=420')
    ).body;
    expect(traffic.sources).toEqual([
      expect.objectContaining({
        status: 'error',
        error: expect.objectContaining({
          message: expect.stringMatching(/unreachable/),
        }),
      }),
    ]);
    const cart: MeshResponse = (await get('cart-service', 'mesh')).body;
    expect(cart.clusters.map(c => [c.source, c.status])).toEqual([
      ['prod', 'ok'],
    ]);
  });
});
