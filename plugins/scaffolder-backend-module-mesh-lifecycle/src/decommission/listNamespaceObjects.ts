import { KubernetesObjectApi } from '@kubernetes/client-node';
import { kubernetesFailure } from '@mesh-lifecycle/plugin-mesh-lifecycle-node';
import { ClusterObject } from './planDecommission';

/**
 * The kinds a decommission reads of a namespace, each with the API versions
 * to try, newest first: what it may delete, and the workloads and pods that
 * tell whether an object is shared or owned.
 */
export const DECOMMISSION_READ_KINDS: ReadonlyArray<{
  kind: string;
  apiVersions: readonly string[];
}> = [
  { kind: 'Deployment', apiVersions: ['apps/v1'] },
  { kind: 'StatefulSet', apiVersions: ['apps/v1'] },
  { kind: 'ReplicaSet', apiVersions: ['apps/v1'] },
  { kind: 'Pod', apiVersions: ['v1'] },
  { kind: 'Service', apiVersions: ['v1'] },
  { kind: 'ServiceAccount', apiVersions: ['v1'] },
  { kind: 'ConfigMap', apiVersions: ['v1'] },
  { kind: 'Secret', apiVersions: ['v1'] },
  { kind: 'PersistentVolumeClaim', apiVersions: ['v1'] },
  { kind: 'HorizontalPodAutoscaler', apiVersions: ['autoscaling/v2'] },
  { kind: 'PodDisruptionBudget', apiVersions: ['policy/v1'] },
  {
    kind: 'VirtualService',
    apiVersions: ['networking.istio.io/v1', 'networking.istio.io/v1beta1'],
  },
  {
    kind: 'DestinationRule',
    apiVersions: ['networking.istio.io/v1', 'networking.istio.io/v1beta1'],
  },
  {
    kind: 'PeerAuthentication',
    apiVersions: ['security.istio.io/v1', 'security.istio.io/v1beta1'],
  },
  {
    kind: 'AuthorizationPolicy',
    apiVersions: ['security.istio.io/v1', 'security.istio.io/v1beta1'],
  },
  { kind: 'ServiceMonitor', apiVersions: ['monitoring.coreos.com/v1'] },
  { kind: 'PrometheusRule', apiVersions: ['monitoring.coreos.com/v1'] },
];

/**
 * Every object of {@link DECOMMISSION_READ_KINDS} in a namespace, read
 * through the real client, each with its `apiVersion` and `kind` (a list's
 * items may come without). A kind the cluster does not serve (no Istio, no
 * Prometheus Operator) has no objects; any other failure is thrown, so a
 * plan is never made from a partial read.
 */
export async function listNamespaceObjects(
  objects: KubernetesObjectApi,
  namespace: string,
): Promise<ClusterObject[]> {
  const lists = await Promise.all(
    DECOMMISSION_READ_KINDS.map(async ({ kind, apiVersions }) => {
      for (const apiVersion of apiVersions) {
        try {
          const list = await objects.list(apiVersion, kind, namespace);
          return list.items.map(
            item => ({ ...item, apiVersion, kind } as unknown as ClusterObject),
          );
        } catch (error) {
          if (kubernetesFailure(error).code !== 404) throw error;
        }
      }
      return [];
    }),
  );
  return lists.flat();
}
