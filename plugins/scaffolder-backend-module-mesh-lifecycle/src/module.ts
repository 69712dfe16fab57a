import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { meshClustersServiceRef } from '@mesh-lifecycle/plugin-mesh-lifecycle-node';
import {
  createCatalogAnnotateAction,
  createEnvironmentCreateAction,
  createManifestsApplyAction,
  createManifestsGenerateAction,
} from './actions';

/**
 * Registers the Mesh Lifecycle actions with the scaffolder. The actions that
 * write to a cluster take it by name from the clusters configured for Mesh
 * Lifecycle (`meshLifecycle.clusters`, read by `meshClustersServiceRef`), so
 * no template ever holds a token. Writing to a cluster needs the permissions
 * `mesh-lifecycle.manifests.apply` / `mesh-lifecycle.environment.create` for
 * the user who runs the template.
 *
 * @public
 */
export const scaffolderModuleMeshLifecycle = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'mesh-lifecycle',
  register(env) {
    env.registerInit({
      deps: {
        scaffolder: scaffolderActionsExtensionPoint,
        clusters: meshClustersServiceRef,
        permissions: coreServices.permissions,
      },
      async init({ scaffolder, clusters, permissions }) {
        scaffolder.addActions(
          createCatalogAnnotateAction(),
          createManifestsGenerateAction(),
          createManifestsApplyAction({ clusters, permissions }),
          createEnvironmentCreateAction({ clusters, permissions }),
        );
      },
    });
  },
});
