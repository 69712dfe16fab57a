import { MeshClusterInfo } from '@mesh-lifecycle/plugin-mesh-lifecycle-common';

/**
 * The clusters a picker offers: all of them, or with `allowedEnvironments`
 * only those of these environments (a cluster without an environment is
 * then left out).
 */
export function clusterOptions(
  clusters: readonly MeshClusterInfo[],
  allowedEnvironments: readonly string[] | undefined,
): MeshClusterInfo[] {
  if (!allowedEnvironments) {
    return [...clusters];
  }
  return clusters.filter(
    cluster =>
      cluster.environment !== undefined &&
      allowedEnvironments.includes(cluster.environment),
  );
}

/** How a cluster is shown: `name (environment)`, or its name alone. */
export function clusterLabel(cluster: MeshClusterInfo): string {
  return cluster.environment
    ? `${cluster.name} (${cluster.environment})`
    : cluster.name;
}
