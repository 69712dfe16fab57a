import { CompoundEntityRef } from '@backstage/catalog-model';
import { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';
import { ServiceDeclaration } from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import { MeshLifecycleApi } from './MeshLifecycleApi';

/**
 * {@link MeshLifecycleApi} over HTTP, through the app's discovery and fetch
 * APIs (so the user's Backstage token goes along).
 *
 * @public
 */
export class MeshLifecycleClient implements MeshLifecycleApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  getDeclaration(entityRef: CompoundEntityRef): Promise<ServiceDeclaration> {
    return this.request<ServiceDeclaration>([
      'entities',
      entityRef.kind,
      entityRef.namespace,
      entityRef.name,
      'declaration',
    ]);
  }

  private async request<T>(segments: string[]): Promise<T> {
    const baseUrl = await this.discoveryApi.getBaseUrl('mesh-lifecycle');
    const path = segments.map(s => encodeURIComponent(s)).join('/');
    const response = await this.fetchApi.fetch(`${baseUrl}/${path}`);
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
  }
}
