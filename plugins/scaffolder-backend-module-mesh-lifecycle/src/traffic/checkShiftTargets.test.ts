import { loadKubernetesManifests } from '@mesh-lifecycle/plugin-mesh-lifecycle-test-utils';
import { join } from 'path';
import { ShiftTargetsSnapshot, checkShiftTargets } from './checkShiftTargets';

const HOST = 'checkout-service.shop.svc.cluster.local';

/** The demo's production cluster: checkout-service's canary, v1 and v2. */
async function prod(): Promise<ShiftTargetsSnapshot> {
  const objects = (await loadKubernetesManifests(
    join(__dirname, '../../../../examples/clusters/prod'),
  )) as unknown as Array<{ kind: string }>;
  const of = <T>(kind: string) =>
    objects.filter(o => o.kind === kind) as unknown as T[];
  return {
    namespace: 'shop',
    services: of('Service'),
    destinationRules: of('DestinationRule'),
    pods: of('Pod'),
  };
}

describe('checkShiftTargets', () => {
  it('lets the canary move on when both subsets exist and have ready pods', async () => {
    expect(
      checkShiftTargets(
        [
          { host: HOST, subset: 'v1', weight: 75 },
          // Short names resolve from the VirtualService's namespace.
          { host: 'checkout-service', subset: 'v2', weight: 25 },
        ],
        await prod(),
      ),
    ).toEqual([]);
  });

  it('names each destination that cannot take traffic, and why', async () => {
    const snapshot = await prod();
    // v2's only pod turns unready.
    for (const pod of snapshot.pods) {
      if (
        pod.metadata.labels?.app === 'checkout-service' &&
        pod.metadata.labels.version === 'v2'
      ) {
        pod.status = { conditions: [{ type: 'Ready', status: 'False' }] };
      }
    }
    expect(
      checkShiftTargets(
        [
          { host: HOST, subset: 'v2', weight: 50 },
          { host: HOST, subset: 'v3', weight: 25 },
          { host: 'checkout-v3.shop.svc.cluster.local', weight: 25 },
          // Drained: not checked.
          { host: 'gone.shop.svc.cluster.local', weight: 0 },
        ],
        snapshot,
      ),
    ).toEqual([
      `${HOST} (v2): none of the 1 pods it selects is ready`,
      `${HOST} (v3): no DestinationRule for ${HOST} defines subset v3`,
      'checkout-v3.shop.svc.cluster.local: no Kubernetes Service is checkout-v3.shop.svc.cluster.local; Istio would answer its requests with 503',
    ]);
  });
});
