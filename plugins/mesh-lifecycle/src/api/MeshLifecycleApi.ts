import { createApiRef } from '@backstage/frontend-plugin-api';
import { MeshLifecycleApi as MeshLifecycleReadApi } from '@mesh-lifecycle/plugin-mesh-lifecycle-common';

/**
 * Client of the mesh-lifecycle backend: the read API its OpenAPI spec
 * describes, shared with other packages through -common.
 *
 * @public
 */
export type MeshLifecycleApi = MeshLifecycleReadApi;

/**
 * Reference to the {@link MeshLifecycleApi}.
 *
 * @public
 */
export const meshLifecycleApiRef = createApiRef<MeshLifecycleApi>().with({
  id: 'plugin.mesh-lifecycle.api',
  pluginId: 'mesh-lifecycle',
});
