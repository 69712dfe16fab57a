import { ApisApi, KubeConfig } from '@kubernetes/client-node';

/**
 * The first of the preferred versions of an API group that the cluster
 * serves, e.g. Istio's `networking.istio.io` in `v1` where the cluster has it
 * (Istio 1.22 and later) and `v1beta1` before. `undefined` when the group or
 * none of the versions is served.
 */
export async function discoverServedVersion(
  kubeConfig: KubeConfig,
  group: string,
  preferred: readonly string[],
): Promise<string | undefined> {
  const { groups } = await kubeConfig.makeApiClient(ApisApi).getAPIVersions();
  const served = new Set(
    groups.find(g => g.name === group)?.versions.map(v => v.version) ?? [],
  );
  return preferred.find(version => served.has(version));
}
