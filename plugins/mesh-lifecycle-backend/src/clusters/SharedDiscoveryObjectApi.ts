import {
  ApiException,
  Configuration,
  HttpMethod,
  KubeConfig,
  KubernetesObject,
  KubernetesObjectApi,
  V1APIResource,
} from '@kubernetes/client-node';
import { ClusterConnections } from './ClusterConnections';
import { ListAnswerReader } from './ListAnswerReader';

/** A page of a list as the API server serves it (JSON field names). */
export interface ServedListPage {
  apiVersion?: string;
  kind?: string;
  metadata?: { resourceVersion?: string; continue?: string };
  items: KubernetesObject[];
}

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

  /**
   * The cluster's connections lists are sent over (see
   * {@link SharedDiscoveryObjectApi.listPage}).
   */
  private connections = new ClusterConnections();

  /**
   * One client for a cluster, in its kubeconfig's default namespace, its
   * lists sent over `connections`.
   */
  static forCluster(
    kubeConfig: KubeConfig,
    connections: ClusterConnections,
  ): SharedDiscoveryObjectApi {
    const client = kubeConfig.makeApiClient(SharedDiscoveryObjectApi);
    client.setDefaultNamespace(kubeConfig);
    client.connections = connections;
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
   * One page of a list, as the cluster served it, each object handed to
   * `keep` as it arrives and kept as it returns (undefined: dropped): parsed
   * JSON, without the client's typed copy of every object, and read as a
   * stream, so that the page is never in memory whole (as text, buffer or
   * parsed objects) beside what is kept of it. `limit` bounds the page
   * (none: the whole list); `continueToken` is the previous page's
   * `metadata.continue`. A failure is the client's `ApiException` with the
   * server's answer, as for every other call.
   */
  async listPage(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    keep: (object: KubernetesObject) => KubernetesObject | undefined,
    page: { limit?: number; continueToken?: string } = {},
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
    if (page.limit !== undefined) {
      request.setQueryParam('limit', String(page.limit));
    }
    if (page.continueToken) {
      request.setQueryParam('continue', page.continueToken);
    }
    await this.configuration.authMethods.default?.applySecurityAuthentication(
      request,
    );
    const answer = await this.connections.get(
      new URL(request.getUrl()),
      { headers: request.getHeaders() },
      request.getAgent(),
      'list',
    );
    const { status, body } = answer;
    const ok = status >= 200 && status < 300;
    body.setEncoding('utf8');
    if (!ok) {
      let text = '';
      for await (const piece of body) text += piece;
      throw new ApiException(
        status,
        'Unsuccessful HTTP Request',
        text,
        answer.headers,
      );
    }
    const reader = new ListAnswerReader(item =>
      typeof item === 'object' && item !== null
        ? keep(item as KubernetesObject)
        : undefined,
    );
    for await (const piece of body) reader.push(piece);
    return reader.end() as ServedListPage;
  }
}
