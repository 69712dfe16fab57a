import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { createScaffolderFieldExtension } from '@backstage/plugin-scaffolder-react';
import { MeshLifecycleClient, meshLifecycleApiRef } from './api';
import {
  MESH_CLUSTER_PICKER_NAME,
  MeshClusterPicker,
  MeshClusterPickerFieldSchema,
  meshClusterPickerValidation,
} from './components/MeshClusterPicker';
import {
  MESH_RETIREMENT_BLOCKERS_NAME,
  MeshRetirementBlockers,
  MeshRetirementBlockersFieldSchema,
} from './components/MeshRetirementBlockers';
import { createFromTemplateRouteRef, rootRouteRef } from './routes';

/**
 * The mesh-lifecycle plugin for apps on the legacy frontend system. Apps on
 * the new frontend system use the `/alpha` export instead.
 *
 * @public
 */
export const meshLifecyclePlugin = createPlugin({
  id: 'mesh-lifecycle',
  apis: [
    createApiFactory({
      api: meshLifecycleApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new MeshLifecycleClient({ discoveryApi, fetchApi }),
    }),
  ],
  routes: {
    root: rootRouteRef,
  },
  externalRoutes: {
    createFromTemplate: createFromTemplateRouteRef,
  },
});

/**
 * The fleet page: every service and its lifecycle phase.
 *
 * @public
 */
export const MeshLifecycleFleetPage: () => JSX.Element =
  meshLifecyclePlugin.provide(
    createRoutableExtension({
      name: 'MeshLifecycleFleetPage',
      component: () => import('./components/FleetPage').then(m => m.FleetPage),
      mountPoint: rootRouteRef,
    }),
  );

/**
 * Scaffolder field `ui:field: MeshClusterPicker`: picks one of the clusters
 * configured for Mesh Lifecycle (`ui:options.allowedEnvironments` narrows
 * them). Place it inside the app's `<ScaffolderFieldExtensions>`.
 *
 * @public
 */
export const MeshClusterPickerFieldExtension = meshLifecyclePlugin.provide(
  createScaffolderFieldExtension({
    name: MESH_CLUSTER_PICKER_NAME,
    component: MeshClusterPicker,
    validation: meshClusterPickerValidation,
    schema: MeshClusterPickerFieldSchema.schema,
  }),
);

/**
 * Scaffolder field `ui:field: MeshRetirementBlockers`: the chosen service's
 * retire conditions over the chosen drain window, before a retirement
 * request is filed (the retire-service template). Place it inside the
 * app's `<ScaffolderFieldExtensions>`.
 *
 * @public
 */
export const MeshRetirementBlockersFieldExtension = meshLifecyclePlugin.provide(
  createScaffolderFieldExtension({
    name: MESH_RETIREMENT_BLOCKERS_NAME,
    component: MeshRetirementBlockers,
    schema: MeshRetirementBlockersFieldSchema.schema,
  }),
);

/**
 * Entity card with the service's lifecycle phase, the evidence behind it,
 * the gates to the next phase and its health.
 *
 * @public
 */
export const EntityMeshLifecycleCard: () => JSX.Element =
  meshLifecyclePlugin.provide(
    createComponentExtension({
      name: 'EntityMeshLifecycleCard',
      component: {
        lazy: () =>
          import('./components/EntityLifecycleCard').then(
            m => m.EntityLifecycleCard,
          ),
      },
    }),
  );

/**
 * Entity card with the service's alert rules, firing and pending alerts and
 * their silences. Show it where {@link isMeshLifecycleAvailable} holds.
 *
 * @public
 */
export const EntityMeshAlertsCard: () => JSX.Element =
  meshLifecyclePlugin.provide(
    createComponentExtension({
      name: 'EntityMeshAlertsCard',
      component: {
        lazy: () =>
          import('./components/EntityAlertsCard').then(m => m.EntityAlertsCard),
      },
    }),
  );

/**
 * Entity card with the recorded changes of the service's phase, health and
 * gates. Show it where {@link isMeshLifecycleAvailable} holds.
 *
 * @public
 */
export const EntityMeshHistoryCard: () => JSX.Element =
  meshLifecyclePlugin.provide(
    createComponentExtension({
      name: 'EntityMeshHistoryCard',
      component: {
        lazy: () =>
          import('./components/EntityHistoryCard').then(
            m => m.EntityHistoryCard,
          ),
      },
    }),
  );

/**
 * The mesh tab of a service: golden signals over a chosen range, the
 * configured and observed split, mTLS, workloads and pods per cluster, and
 * live callers and callees. Mount it as an entity tab where
 * {@link isMeshLifecycleAvailable} holds.
 *
 * @public
 */
export const EntityMeshContent: () => JSX.Element = meshLifecyclePlugin.provide(
  createComponentExtension({
    name: 'EntityMeshContent',
    component: {
      lazy: () =>
        import('./components/EntityMeshContent').then(m => m.EntityMeshContent),
    },
  }),
);
