import {
  Configuration,
  KubeConfig,
  KubernetesObjectApi,
  V1APIResource,
} from '@kubernetes/client-node';

/**
 * A `KubernetesObjectApi` that asks the cluster which resources an API
 * version serves once for all its callers: the client keeps each answer, and
 * here callers that start together (every informer of a cluster on its first
 * view) also wait for one request instead of each sending its own.
 */
export class SharedDiscoveryObjectApi extends KubernetesObjectApi {
  private readonly discovering = new Map<
    string,
    Promise<V1APIResource | undefined>
  >();

  /** One client for a cluster, in its kubeconfig's default namespace. */
  static forCluster(kubeConfig: KubeConfig): SharedDiscoveryObjectApi {
    const client = kubeConfig.makeApiClient(SharedDiscoveryObjectApi);
    client.setDefaultNamespace(kubeConfig);
    return client;
  }

  private known(apiVersion: string, kind: string): V1APIResource | undefined {
    return this.apiVersionResourceCache[apiVersion]?.resources.find(
      r => r.kind === kind,
    );
  }

  protected override async resource(
    apiVersion: string,
    kind: string,
    options?: Configuration,
  ): Promise<V1APIResource | undefined> {
    const known = this.known(apiVersion, kind);
    if (known) return known;
    const pending = this.discovering.get(apiVersion);
    if (pending) {
      // Another caller is asking for this version: its answer may do.
      await pending.catch(() => undefined);
      const answered = this.known(apiVersion, kind);
      if (answered) return answered;
    }
    const request = super.resource(apiVersion, kind, options);
    this.discovering.set(apiVersion, request);
    try {
      return await request;
    } finally {
      if (this.discovering.get(apiVersion) === request) {
        this.discovering.delete(apiVersion);
      }
    }
  }
}
