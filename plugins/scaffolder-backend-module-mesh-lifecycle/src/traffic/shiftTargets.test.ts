import { KubernetesObjectApi } from '@kubernetes/client-node';
import { objectApiFor } from '../kubernetes/__testUtils__/objectApiFor';
import { StepAnalysisResponse } from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import {
  KubernetesEmulator,
  startKubernetesEmulator,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-test-utils';
import { join } from 'path';
import {
  analysisQuery,
  combineAnalysis,
  findVirtualService,
  readShiftSnapshot,
} from './shiftTargets';

const answer = (
  sources: StepAnalysisResponse['sources'],
): StepAnalysisResponse => ({
  service: 'checkout-service',
  namespace: 'shop',
  cluster: 'prod',
  version: 'v2',
  windowSeconds: 60,
  sources,
});

describe('combineAnalysis', () => {
  it('takes the fewest requests and the worst ratio and p95 of the Prometheus that answered', () => {
    expect(
      combineAnalysis(
        answer([
          {
            source: 'a',
            status: 'ok',
            requests: 600,
            ratio5xx: 0.001,
            p95LatencyMs: 120,
          },
          {
            source: 'b',
            status: 'ok',
            requests: 580,
            ratio5xx: 0.002,
            p95LatencyMs: 110,
          },
        ]),
      ),
    ).toEqual({
      figures: { requests: 580, ratio5xx: 0.002, p95LatencyMs: 120 },
    });
  });

  it('measures nothing when a Prometheus did not answer or none watches the cluster, and says why', () => {
    const unmeasured = { requests: null, ratio5xx: null, p95LatencyMs: null };
    expect(
      combineAnalysis(
        answer([
          {
            source: 'a',
            status: 'ok',
            requests: 600,
            ratio5xx: 0,
            p95LatencyMs: 120,
          },
          {
            source: 'b',
            status: 'error',
            error: { name: 'Error', message: 'timed out' },
          },
        ]),
      ),
    ).toEqual({
      figures: unmeasured,
      unmeasured: 'Prometheus did not answer (b: timed out)',
    });
    expect(combineAnalysis(answer([]))).toEqual({
      figures: unmeasured,
      unmeasured: 'no Prometheus is configured for cluster prod',
    });
  });

  it('keeps a figure unknown when one Prometheus has no series for it', () => {
    expect(
      combineAnalysis(
        answer([
          {
            source: 'a',
            status: 'ok',
            requests: 600,
            ratio5xx: 0,
            p95LatencyMs: null,
          },
          {
            source: 'b',
            status: 'ok',
            requests: null,
            ratio5xx: null,
            p95LatencyMs: 90,
          },
        ]),
      ).figures,
    ).toEqual({ requests: null, ratio5xx: null, p95LatencyMs: null });
  });
});

describe('on the demo production cluster', () => {
  let emulator: KubernetesEmulator;
  let objects: KubernetesObjectApi;

  beforeAll(async () => {
    emulator = await startKubernetesEmulator({
      manifests: join(__dirname, '../../../../examples/clusters/prod'),
    });
    objects = objectApiFor(emulator);
  });
  afterAll(async () => {
    await emulator?.stop();
  });

  it("finds a service's VirtualService by its labels, or by the one named", async () => {
    const found = await findVirtualService(objects, {
      namespace: 'shop',
      target: { kubernetesId: 'checkout-service' },
    });
    expect(found.apiVersion).toBe('networking.istio.io/v1');
    expect(found.virtualService.metadata.name).toBe('checkout-service');
    await expect(
      findVirtualService(objects, {
        namespace: 'shop',
        name: 'nope',
        target: { kubernetesId: 'checkout-service' },
      }),
    ).rejects.toThrow(
      /no VirtualService shop\/nope; the namespace has .*checkout-service/,
    );
    await expect(
      findVirtualService(objects, {
        namespace: 'shop',
        target: { kubernetesId: 'no-such-service' },
      }),
    ).rejects.toThrow(
      'No VirtualService of shop routes the service: give virtualService',
    );
  });

  it("names each destination by its Service and its subset's version label", async () => {
    const snapshot = await readShiftSnapshot(objects, {
      namespace: 'shop',
      apiVersion: 'networking.istio.io/v1',
      hosts: ['checkout-service'],
    });
    expect(
      analysisQuery({ host: 'checkout-service', subset: 'v2' }, snapshot),
    ).toEqual({
      service: 'checkout-service',
      namespace: 'shop',
      version: 'v2',
    });
    // A whole host (a migration) is analysed as a whole.
    expect(
      analysisQuery(
        { host: 'checkout-service.shop.svc.cluster.local' },
        snapshot,
      ),
    ).toEqual({ service: 'checkout-service', namespace: 'shop' });
    // A subset no DestinationRule defines has no version to tell it by.
    expect(() =>
      analysisQuery({ host: 'checkout-service', subset: 'v9' }, snapshot),
    ).toThrow(
      "selects pods by no label, none of service.istio.io/canonical-revision, app.kubernetes.io/version, version: Istio's metrics could not tell its traffic from the others'",
    );
    expect(() => analysisQuery({ host: 'api.example.com' }, snapshot)).toThrow(
      'api.example.com is not a Kubernetes Service of the cluster',
    );
  });
});
