import { join } from 'path';
import {
  KubernetesEmulator,
  startKubernetesEmulator,
} from '../kubernetes/startKubernetesEmulator';
import { setRouteWeights } from '../kubernetes/setRouteWeights';
import { MeshModel, EXTERNAL_SOURCE } from './MeshModel';
import {
  followVirtualServices,
  modelFollowingVirtualServices,
} from './followVirtualServices';
import {
  TelemetryExporter,
  startTelemetryExporter,
} from './startTelemetryExporter';

/** checkout-service as the demo runs it: 90/10 between v1 and v2. */
const model: MeshModel = {
  seed: 3,
  jitter: 0,
  services: [
    {
      name: 'checkout-service',
      namespace: 'shop',
      versions: [
        { version: 'v1', weight: 90 },
        { version: 'v2', weight: 10 },
      ],
      latencyMs: { kind: 'lognormal', medianMs: 60, p95Ms: 280 },
    },
  ],
  edges: [
    {
      source: EXTERNAL_SOURCE,
      destination: 'checkout-service',
      requestsPerSecond: 10,
    },
  ],
};

/** Requests per version the destination reported, from an exposition. */
function requestsPerVersion(exposition: string): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const line of exposition.split('\n')) {
    if (!line.startsWith('istio_requests_total{')) continue;
    if (!line.includes('reporter="destination"')) continue;
    const version = /destination_version="([^"]*)"/.exec(line)![1];
    totals[version] = (totals[version] ?? 0) + Number(line.split(' ').pop());
  }
  return totals;
}

describe('followVirtualServices', () => {
  let emulator: KubernetesEmulator;
  let exporter: TelemetryExporter;
  let now = 1_800_000_000_000;

  beforeAll(async () => {
    emulator = await startKubernetesEmulator({
      manifests: join(__dirname, '../../../../examples/clusters/prod'),
    });
    exporter = await startTelemetryExporter(
      {
        ...model,
        services: model.services.map(s => ({
          ...s,
          versions: s.versions.map(v => ({ ...v, weight: 50 })),
        })),
      },
      { clock: () => now },
    );
  });
  afterAll(async () => {
    await exporter?.stop();
    await emulator?.stop();
  });

  it('sends each version the share its VirtualService routes to it, from the moment it changes', () => {
    const follower = followVirtualServices({ emulator, exporter, model });
    try {
      // The cluster's 90/10, whatever the model said.
      expect(
        follower.current().services[0].versions.map(v => v.weight),
      ).toEqual([90, 10]);
      const start = requestsPerVersion(exporter.render());
      now += 100_000;
      const before = requestsPerVersion(exporter.render());
      const v2Before = (before.v2 ?? 0) - (start.v2 ?? 0);
      const allBefore = v2Before + (before.v1 ?? 0) - (start.v1 ?? 0);
      expect(v2Before / allBefore).toBeCloseTo(0.1, 2);

      // Promoted: 0/100.
      setRouteWeights(
        emulator,
        { namespace: 'shop', name: 'checkout-service' },
        { v1: 0, v2: 100 },
      );
      expect(
        follower.refresh().services[0].versions.map(v => v.weight),
      ).toEqual([0, 100]);
      now += 100_000;
      const after = requestsPerVersion(exporter.render());
      // Over the last 100 s, v1 got nothing more: every request went to v2.
      expect((after.v1 ?? 0) - (before.v1 ?? 0)).toBeCloseTo(0, 6);
      expect((after.v2 ?? 0) - (before.v2 ?? 0)).toBeGreaterThan(900);
    } finally {
      follower.stop();
    }
  });

  it('leaves services no route splits as the model has them', () => {
    const other: MeshModel = {
      ...model,
      services: [{ ...model.services[0], name: 'not-routed' }],
    };
    expect(
      modelFollowingVirtualServices(other, {
        virtualServices: [],
        destinationRules: [],
      }),
    ).toEqual(other);
  });

  it('leaves a service as the model has it when its route names a subset no DestinationRule defines', async () => {
    const test = await startKubernetesEmulator({
      manifests: join(__dirname, '../../../../examples/clusters/test'),
    });
    try {
      // search-service routes 80 % to v1 and 20 % to the undefined v2.
      const searchModel: MeshModel = {
        ...model,
        services: [
          {
            ...model.services[0],
            name: 'search-service',
            namespace: 'shop-test',
            versions: [
              { version: 'v1', weight: 70 },
              { version: 'v2', weight: 30 },
            ],
          },
        ],
      };
      expect(
        modelFollowingVirtualServices(searchModel, {
          virtualServices: test.list(
            'networking.istio.io/v1',
            'VirtualService',
          ),
          destinationRules: test.list(
            'networking.istio.io/v1',
            'DestinationRule',
          ),
        }),
      ).toEqual(searchModel);
    } finally {
      await test.stop();
    }
  });
});
