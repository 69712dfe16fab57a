import {
  coreServices,
  createBackendFeatureLoader,
  createBackendModule,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import {
  DEMO_REPOSITORIES_PLUGIN_ID,
  readRepositoriesDir,
  readSeedRepositoriesDir,
} from './config';
import { createDemoRepositoriesHandler } from './createDemoRepositoriesHandler';
import { DemoPullRequest, DemoPullRequests } from './demoPullRequests';
import { catalogModuleDemoTemplateChoices } from './demoMeshServiceTemplate';
import { createPublishDemoAction } from './publishDemoAction';
import { createPublishDemoPullRequestAction } from './publishDemoPullRequestAction';
import { seedRepositories } from './seedRepositories';
import { urlOf } from './urls';

/**
 * Serves the demo repositories read-only and without authentication, so the
 * catalog reads a published `catalog-info.yaml` over HTTP as from an SCM;
 * seeds them at start (`meshLifecycleDemo.seedRepositoriesDir`); shows and
 * merges their pull requests, after which the catalog reads the merged files
 * again.
 */
export const demoRepositoriesPlugin = createBackendPlugin({
  pluginId: DEMO_REPOSITORIES_PLUGIN_ID,
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        httpRouter: coreServices.httpRouter,
        logger: coreServices.logger,
        auth: coreServices.auth,
        discovery: coreServices.discovery,
        catalog: catalogServiceRef,
      },
      async init({ config, httpRouter, logger, auth, discovery, catalog }) {
        const repositoriesDir = readRepositoriesDir(config);
        if (repositoriesDir === undefined) return;
        const pullRequests = new DemoPullRequests(repositoriesDir);
        const seedDir = readSeedRepositoriesDir(config);
        if (seedDir !== undefined) {
          const seeded = await seedRepositories(
            seedDir,
            repositoriesDir,
            pullRequests,
          );
          logger.info(`Seeded the demo repositories ${seeded.join(', ')}`);
        }
        const baseUrl = await discovery.getExternalBaseUrl(
          DEMO_REPOSITORIES_PLUGIN_ID,
        );
        // The entities read from a merged file are refreshed, so the catalog
        // shows the change within seconds instead of at its next round.
        const onMerged = async (pull: DemoPullRequest) => {
          const credentials = await auth.getOwnServiceCredentials();
          for (const file of pull.files) {
            const location = `url:${urlOf(
              baseUrl,
              pull.repository,
              ...file.path.split('/'),
            )}`;
            const { items } = await catalog.getEntities(
              {
                filter: {
                  'metadata.annotations.backstage.io/managed-by-location':
                    location,
                },
                fields: ['kind', 'metadata.namespace', 'metadata.name'],
              },
              { credentials },
            );
            for (const entity of items) {
              await catalog.refreshEntity(stringifyEntityRef(entity), {
                credentials,
              });
            }
          }
        };
        httpRouter.use(
          createDemoRepositoriesHandler(repositoriesDir, {
            pullRequests,
            onMerged,
            warn: message => logger.warn(message),
          }),
        );
        httpRouter.addAuthPolicy({ path: '/', allow: 'unauthenticated' });
      },
    });
  },
});

/** Adds `publish:demo` and `publish:demo:pull-request` to the scaffolder. */
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
        const baseUrl = await discovery.getExternalBaseUrl(
          DEMO_REPOSITORIES_PLUGIN_ID,
        );
        scaffolder.addActions(
          createPublishDemoAction({ repositoriesDir, baseUrl }),
          createPublishDemoPullRequestAction({
            pullRequests: new DemoPullRequests(repositoriesDir),
            baseUrl,
          }),
        );
      },
    });
  },
});

/**
 * The demo portal's offline publishing: `publish:demo`,
 * `publish:demo:pull-request`, the route that serves what they published and
 * the mesh-service template's demo choices. Off unless
 * `meshLifecycleDemo.repositoriesDir` is configured.
 */
export default createBackendFeatureLoader({
  loader() {
    return [
      demoRepositoriesPlugin,
      scaffolderModuleDemoRepositories,
      catalogModuleDemoTemplateChoices,
    ];
  },
});
