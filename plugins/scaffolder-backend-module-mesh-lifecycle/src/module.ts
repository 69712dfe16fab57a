import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import {
  meshClustersServiceRef,
  readMeshLifecycleThresholds,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-node';
import {
  createCatalogAnnotateAction,
  createCatalogRetireAction,
  createEnvironmentCreateAction,
  createManifestsApplyAction,
  createManifestsGenerateAction,
  createPublishCheckAction,
  createServiceDecommissionAction,
  createTrafficShiftAction,
  meshLifecycleBackendClient,
  scaffolderTaskStatuses,
} from './actions';

/**
 * Registers the Mesh Lifecycle actions with the scaffolder. The actions that
 * write to a cluster take it by name from the clusters configured for Mesh
 * Lifecycle (`meshLifecycle.clusters`, read by `meshClustersServiceRef`), so
 * no template ever holds a token. Writing to a cluster needs the permissions
 * `mesh-lifecycle.manifests.apply` / `mesh-lifecycle.environment.create` for
 * the user who runs the template; shifting a service's traffic
 * (`mesh:traffic:shift`) needs `mesh-lifecycle.traffic.shift` on its entity
 * and the mesh-lifecycle backend plugin (analysis and records); retiring one
 * (`mesh:service:decommission`) needs `mesh-lifecycle.decommission` on its
 * entity and the backend plugin (retire conditions, callers, records,
 * archive).
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
        catalog: catalogServiceRef,
        discovery: coreServices.discovery,
        auth: coreServices.auth,
        config: coreServices.rootConfig,
        notifications: notificationService,
      },
      async init({
        scaffolder,
        clusters,
        permissions,
        catalog,
        discovery,
        auth,
        config,
        notifications,
      }) {
        const backend = meshLifecycleBackendClient({ discovery, auth });
        const thresholds = readMeshLifecycleThresholds(config);
        scaffolder.addActions(
          createCatalogAnnotateAction(),
          createCatalogRetireAction(),
          createManifestsGenerateAction(),
          createPublishCheckAction({ discovery, auth, config }),
          createManifestsApplyAction({ clusters, permissions }),
          createEnvironmentCreateAction({ clusters, permissions }),
          createTrafficShiftAction({
            clusters,
            permissions,
            catalog,
            backend,
            thresholds,
          }),
          createServiceDecommissionAction({
            clusters,
            permissions,
            catalog,
            backend,
            thresholds,
            notifications,
            tasks: scaffolderTaskStatuses({ discovery, auth }),
          }),
        );
      },
    });
  },
});
