import {
  ANNOTATION_KUBERNETES_CLUSTER,
  ServiceDeclaration,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';

/**
 * What to answer for an entity pinned (`backstage.io/kubernetes-cluster`) to
 * a cluster that is not configured: a per-source error that names the
 * cluster and lists the configured ones, instead of an empty answer. Nothing
 * when the entity is not pinned, or pinned to a configured cluster.
 */
export function unconfiguredCluster(
  declaration: ServiceDeclaration,
  configured: readonly string[] | undefined,
):
  | {
      source: string;
      status: 'error';
      error: { name: string; message: string };
    }
  | undefined {
  const { cluster } = declaration.target;
  if (!cluster || !configured || configured.includes(cluster)) {
    return undefined;
  }
  const list = configured.length
    ? `the configured clusters are ${[...configured].sort().join(', ')}`
    : 'no cluster is configured';
  return {
    source: `cluster ${cluster}`,
    status: 'error',
    error: {
      name: 'NotFoundError',
      message: `cluster ${JSON.stringify(
        cluster,
      )}, named by the ${ANNOTATION_KUBERNETES_CLUSTER} annotation of ${
        declaration.entityRef
      }, is not configured; ${list} (meshLifecycle.clusters, or the Kubernetes plugin's kubernetes.clusterLocatorMethods)`,
    },
  };
}
