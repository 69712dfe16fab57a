import { ApisApi, KubeConfig } from '@kubernetes/client-node';

/**
 * The first of the preferred versions of an API group that the cluster
 * serves, e.g. Istio's `networking.istio.io` in `v1` where the cluster has it
 * (Istio 1.22 and later) and `v1beta1` before. `undefined` when the group or
 * none of the versions is served.
 */
export function discoverServedVersion(
  kubeConfig: KubeConfig,
  group: string,
  preferred: readonly string[],
): Promise<string | undefined> {
  return servedVersion(kubeConfig, group, preferred);
}

async function servedVersion(
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

/**
 * {@link discoverServedVersion} remembered for a while (default 5 minutes),
 * so that discovery costs one call per cluster per period, not one per page
 * view. Failures are not remembered.
 */
export function rememberServedVersion(
  kubeConfig: KubeConfig,
  group: string,
  preferred: readonly string[],
  options: { ttlMs?: number; timeoutMs?: number; now?: () => number } = {},
): () => Promise<string | undefined> {
  const ttlMs = options.ttlMs ?? 300_000;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const now = options.now ?? Date.now;
  let remembered:
    | { at: number; version: Promise<string | undefined> }
    | undefined;
  return () => {
    if (!remembered || now() - remembered.at > ttlMs) {
      const version = Promise.race([
        servedVersion(kubeConfig, group, preferred),
        new Promise<never>((_, reject) =>
          setTimeout(
            () =>
              reject(
                new Error(
                  `API discovery did not answer within ${timeoutMs} ms`,
                ),
              ),
            timeoutMs,
          ).unref?.(),
        ),
      ]);
      const entry = { at: now(), version };
      remembered = entry;
      version.catch(() => {
        if (remembered === entry) remembered = undefined;
      });
    }
    return remembered.version;
  };
}
