import { KubernetesEmulator } from '@mesh-lifecycle/plugin-mesh-lifecycle-test-utils';
import { ClusterObject } from '../planDecommission';

/** The kinds a decommission reads of a namespace, as the emulator serves them. */
export const NAMESPACE_KINDS: Array<[string, string]> = [
  ['apps/v1', 'Deployment'],
  ['apps/v1', 'ReplicaSet'],
  ['v1', 'Pod'],
  ['v1', 'Service'],
  ['v1', 'ServiceAccount'],
  ['v1', 'ConfigMap'],
  ['v1', 'Secret'],
  ['v1', 'PersistentVolumeClaim'],
  ['networking.istio.io/v1', 'VirtualService'],
  ['networking.istio.io/v1', 'DestinationRule'],
  ['security.istio.io/v1', 'PeerAuthentication'],
  ['security.istio.io/v1', 'AuthorizationPolicy'],
  ['monitoring.coreos.com/v1', 'ServiceMonitor'],
  ['monitoring.coreos.com/v1', 'PrometheusRule'],
];

/** Every object of those kinds in a namespace of an emulated cluster. */
export function readNamespace(
  emulator: KubernetesEmulator,
  namespace: string,
): ClusterObject[] {
  return NAMESPACE_KINDS.flatMap(
    ([apiVersion, kind]) =>
      emulator.list(apiVersion, kind, namespace) as ClusterObject[],
  );
}

/** The demo's retiring service, as the catalog declares where it runs. */
export const LEGACY = {
  kubernetesId: 'legacy-pricing-service',
  namespace: 'shop',
};

/** The labels its objects carry on the demo's production cluster. */
export const LEGACY_LABELS = {
  app: 'legacy-pricing-service',
  'backstage.io/kubernetes-id': 'legacy-pricing-service',
};

/** A Secret of the retiring service, with a value that must not be archived. */
export const LEGACY_SECRET = {
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: {
    name: 'legacy-pricing-service-db',
    namespace: 'shop',
    labels: LEGACY_LABELS,
  },
  data: { password: 'c2VjcmV0' },
};
