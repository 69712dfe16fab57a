import {
  ApiBlueprint,
  PageBlueprint,
  createFrontendPlugin,
  createRouteRef,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import { FormFieldBlueprint } from '@backstage/plugin-scaffolder-react/alpha';
import DeviceHubIcon from '@material-ui/icons/DeviceHub';
import { MeshLifecycleClient, meshLifecycleApiRef } from './api';
import { isMeshLifecycleAvailable, isMeshService } from './isMeshService';
import { createFromTemplateRouteRef } from './routes';

const fleetRouteRef = createRouteRef();

const meshLifecycleApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: meshLifecycleApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new MeshLifecycleClient({ discoveryApi, fetchApi }),
    }),
});

const fleetPage = PageBlueprint.make({
  params: {
    path: '/mesh-lifecycle',
    title: 'Mesh Lifecycle',
    icon: <DeviceHubIcon />,
    routeRef: fleetRouteRef,
    loader: () => import('./components/FleetPage').then(m => <m.FleetTable />),
  },
});

const entityLifecycleCard = EntityCardBlueprint.make({
  name: 'lifecycle',
  params: {
    // Phase, gates and health need the main column's width.
    type: 'content',
    filter: isMeshService,
    loader: () =>
      import('./components/EntityLifecycleCard').then(m => (
        <m.EntityLifecycleCard />
      )),
  },
});

const entityAlertsCard = EntityCardBlueprint.make({
  name: 'alerts',
  params: {
    type: 'info',
    filter: isMeshLifecycleAvailable,
    loader: () =>
      import('./components/EntityAlertsCard').then(m => <m.EntityAlertsCard />),
  },
});

const entityHistoryCard = EntityCardBlueprint.make({
  name: 'history',
  params: {
    type: 'content',
    filter: isMeshLifecycleAvailable,
    loader: () =>
      import('./components/EntityHistoryCard').then(m => (
        <m.EntityHistoryCard />
      )),
  },
});

const entityMeshContent = EntityContentBlueprint.make({
  name: 'mesh',
  params: {
    path: '/mesh',
    title: 'Mesh',
    group: 'observability',
    filter: isMeshLifecycleAvailable,
    loader: () =>
      import('./components/EntityMeshContent').then(m => (
        <m.EntityMeshContent />
      )),
  },
});

const clusterPickerFormField = FormFieldBlueprint.make({
  name: 'cluster-picker',
  params: {
    field: () =>
      import('./components/MeshClusterPicker/MeshClusterPickerFormField').then(
        m => m.MeshClusterPickerFormField,
      ),
  },
});

const retirementBlockersFormField = FormFieldBlueprint.make({
  name: 'retirement-blockers',
  params: {
    field: () =>
      import(
        './components/MeshRetirementBlockers/MeshRetirementBlockersFormField'
      ).then(m => m.MeshRetirementBlockersFormField),
  },
});

/**
 * The mesh-lifecycle plugin for apps on the new frontend system: the API
 * client, the fleet page (with its nav entry), the lifecycle and alerts entity
 * cards, the history card, the mesh tab (`/mesh`) and the scaffolder fields `ui:field: MeshClusterPicker` and
 * `ui:field: MeshRetirementBlockers`.
 *
 * @alpha
 */
export default createFrontendPlugin({
  pluginId: 'mesh-lifecycle',
  info: { packageJson: () => import('../package.json') },
  routes: { fleet: fleetRouteRef },
  externalRoutes: { createFromTemplate: createFromTemplateRouteRef },
  extensions: [
    meshLifecycleApi,
    fleetPage,
    entityLifecycleCard,
    entityAlertsCard,
    entityHistoryCard,
    entityMeshContent,
    clusterPickerFormField,
    retirementBlockersFormField,
  ],
});
