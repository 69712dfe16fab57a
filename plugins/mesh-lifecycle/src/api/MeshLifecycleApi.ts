import { CompoundEntityRef } from '@backstage/catalog-model';
import { createApiRef } from '@backstage/frontend-plugin-api';
import { ServiceDeclaration } from '@mesh-lifecycle/plugin-mesh-lifecycle-common';

/**
 * Client of the mesh-lifecycle backend.
 *
 * @public
 */
export interface MeshLifecycleApi {
  /** What the catalog declares about the service, as the backend validated it. */
  getDeclaration(entityRef: CompoundEntityRef): Promise<ServiceDeclaration>;
}

/**
 * Reference to the {@link MeshLifecycleApi}.
 *
 * @public
 */
export const meshLifecycleApiRef = createApiRef<MeshLifecycleApi>().with({
  id: 'plugin.mesh-lifecycle.api',
  pluginId: 'mesh-lifecycle',
});
