import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { MeshLifecycleClient, meshLifecycleApiRef } from './api';
import { rootRouteRef } from './routes';

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
});

/**
 * The fleet page: every service and its lifecycle phase.
 *
 * @public
 */
export const MeshLifecycleFleetPage = meshLifecyclePlugin.provide(
  createRoutableExtension({
    name: 'MeshLifecycleFleetPage',
    component: () => import('./components/FleetPage').then(m => m.FleetPage),
    mountPoint: rootRouteRef,
  }),
);

/**
 * Entity card with the service's lifecycle phase.
 *
 * @public
 */
export const EntityMeshLifecycleCard = meshLifecyclePlugin.provide(
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
