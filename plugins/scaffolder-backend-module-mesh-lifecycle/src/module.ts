import { createBackendModule } from '@backstage/backend-plugin-api';
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
 * no template ever holds a token.
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
      },
      async init({ scaffolder, clusters }) {
        scaffolder.addActions(
          createCatalogAnnotateAction(),
          createManifestsGenerateAction(),
          createManifestsApplyAction({ clusters }),
          createEnvironmentCreateAction({ clusters }),
        );
      },
    });
  },
});
