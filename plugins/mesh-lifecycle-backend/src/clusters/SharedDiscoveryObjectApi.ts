import {
  Configuration,
  HttpMethod,
  KubeConfig,
  KubernetesObject,
  KubernetesObjectApi,
  ResponseContext,
  V1APIResource,
} from '@kubernetes/client-node';

/** A page of a list as the API server serves it (JSON field names). */
export interface ServedListPage {
  apiVersion?: string;
  kind?: string;
  metadata?: { resourceVersion?: string; continue?: string };
  items: KubernetesObject[];
}

/** Marks a list answer to be returned as served (see `listPage`). */
const AS_SERVED = 'mesh-lifecycle:as-served';

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

  /**
   * One page of a list, as the cluster served it: parsed JSON, without the
   * client's typed copy of every object (which the cache would drop at once
   * for its own). `limit` bounds the page (none: the whole list);
   * `continueToken` is the previous page's `metadata.continue`.
   */
  async listPage(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    limit?: number,
    continueToken?: string,
  ): Promise<ServedListPage> {
    const path = await this.specUriPath(
      { apiVersion, kind, metadata: { namespace } },
      'list',
    );
    const request = this.configuration.baseServer.makeRequestContext(
      path,
      HttpMethod.GET,
    );
    request.setHeaderParam('Accept', 'application/json');
    if (limit !== undefined) {
      request.setQueryParam('limit', String(limit));
    }
    if (continueToken) {
      request.setQueryParam('continue', continueToken);
    }
    const page: unknown = await this.requestPromise(request, AS_SERVED);
    return page as ServedListPage;
  }

  protected override async processResponse<T extends KubernetesObject>(
    response: ResponseContext,
    type?: string,
  ): Promise<T> {
    const ok = response.httpStatusCode >= 200 && response.httpStatusCode < 300;
    if (type === AS_SERVED && ok) {
      return JSON.parse(await response.body.text()) as T;
    }
    // Failures are the client's ApiException, as for every other call.
    return super.processResponse(response, type);
  }
}
