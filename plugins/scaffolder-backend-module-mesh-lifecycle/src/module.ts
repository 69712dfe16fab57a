import { createBackendModule } from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import {
  createCatalogAnnotateAction,
  createManifestsGenerateAction,
} from './actions';

/**
 * Registers the Mesh Lifecycle actions with the scaffolder.
 *
 * @public
 */
export const scaffolderModuleMeshLifecycle = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'mesh-lifecycle',
  register(env) {
    env.registerInit({
      deps: { scaffolder: scaffolderActionsExtensionPoint },
      async init({ scaffolder }) {
        scaffolder.addActions(
          createCatalogAnnotateAction(),
          createManifestsGenerateAction(),
        );
      },
    });
  },
});
