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
  return (await servedVersions(kubeConfig, { [group]: preferred }))[group];
}

/** For each group, the first of its preferred versions served: one call. */
async function servedVersions(
  kubeConfig: KubeConfig,
  wanted: Record<string, readonly string[]>,
): Promise<Record<string, string | undefined>> {
  const { groups } = await kubeConfig.makeApiClient(ApisApi).getAPIVersions();
  return Object.fromEntries(
    Object.entries(wanted).map(([group, preferred]) => {
      const served = new Set(
        groups.find(g => g.name === group)?.versions.map(v => v.version) ?? [],
      );
      return [group, preferred.find(version => served.has(version))];
    }),
  );
}

/**
 * The versions a cluster serves of the API groups that may be missing: Istio's
 * and prometheus-operator's (each undefined when none is).
 */
export interface ServedApis {
  /** `networking.istio.io`: `v1` (Istio 1.22 and later) or `v1beta1`. */
  networking?: string;
  /** `security.istio.io`: `v1` (Istio 1.22 and later) or `v1beta1`. */
  security?: string;
  /**
   * `monitoring.coreos.com` (ServiceMonitors): `v1`, undefined on a cluster
   * without prometheus-operator's CRDs.
   */
  monitoring?: string;
}

const PREFERRED = ['v1', 'v1beta1'] as const;

/**
 * The API versions the cluster serves of Istio's and prometheus-operator's
 * groups, all from one discovery call,
 * remembered for a while (default 5 minutes), so that discovery costs one
 * call per cluster per period, not one per page view. Failures are not
 * remembered.
 */
export function rememberServedApis(
  kubeConfig: KubeConfig,
  options: { ttlMs?: number; timeoutMs?: number; now?: () => number } = {},
): () => Promise<ServedApis> {
  const ttlMs = options.ttlMs ?? 300_000;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const now = options.now ?? Date.now;
  let remembered: { at: number; versions: Promise<ServedApis> } | undefined;
  const discover = async (): Promise<ServedApis> => {
    const served = await servedVersions(kubeConfig, {
      'networking.istio.io': PREFERRED,
      'security.istio.io': PREFERRED,
      'monitoring.coreos.com': ['v1'],
    });
    return {
      networking: served['networking.istio.io'],
      security: served['security.istio.io'],
      monitoring: served['monitoring.coreos.com'],
    };
  };
  return () => {
    if (!remembered || now() - remembered.at > ttlMs) {
      const versions = Promise.race([
        discover(),
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
      const entry = { at: now(), versions };
      remembered = entry;
      versions.catch(() => {
        if (remembered === entry) remembered = undefined;
      });
    }
    return remembered.versions;
  };
}
