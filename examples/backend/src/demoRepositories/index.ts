import {
  coreServices,
  createBackendFeatureLoader,
  createBackendModule,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { DEMO_REPOSITORIES_PLUGIN_ID, readRepositoriesDir } from './config';
import { createDemoRepositoriesHandler } from './createDemoRepositoriesHandler';
import { createPublishDemoAction } from './publishDemoAction';

/**
 * Serves the demo repositories read-only and without authentication, so the
 * catalog reads a published `catalog-info.yaml` over HTTP as from an SCM.
 */
export const demoRepositoriesPlugin = createBackendPlugin({
  pluginId: DEMO_REPOSITORIES_PLUGIN_ID,
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        httpRouter: coreServices.httpRouter,
      },
      async init({ config, httpRouter }) {
        const repositoriesDir = readRepositoriesDir(config);
        if (repositoriesDir === undefined) return;
        httpRouter.use(createDemoRepositoriesHandler(repositoriesDir));
        httpRouter.addAuthPolicy({ path: '/', allow: 'unauthenticated' });
      },
    });
  },
});

/** Adds `publish:demo` to the scaffolder. */
export const scaffolderModuleDemoRepositories = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'demo-repositories',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        discovery: coreServices.discovery,
        scaffolder: scaffolderActionsExtensionPoint,
      },
      async init({ config, discovery, scaffolder }) {
        const repositoriesDir = readRepositoriesDir(config);
        if (repositoriesDir === undefined) return;
        scaffolder.addActions(
          createPublishDemoAction({
            repositoriesDir,
            baseUrl: await discovery.getExternalBaseUrl(
              DEMO_REPOSITORIES_PLUGIN_ID,
            ),
          }),
        );
      },
    });
  },
});

/**
 * The demo portal's offline publishing: `publish:demo` and the route that
 * serves what it published. Off unless `meshLifecycleDemo.repositoriesDir`
 * is configured.
 */
export default createBackendFeatureLoader({
  loader() {
    return [demoRepositoriesPlugin, scaffolderModuleDemoRepositories];
  },
});
