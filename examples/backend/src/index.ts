/*
 * The demo backend of the Mesh Lifecycle plugin set: a plain Backstage
 * backend with the catalog, the scaffolder, guest sign-in, permissions,
 * notifications and our plugin and scaffolder module.
 */
import { createBackend } from '@backstage/backend-defaults';

const backend = createBackend();

backend.add(import('@backstage/plugin-app-backend'));
backend.add(import('@backstage/plugin-proxy-backend'));

backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));

backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(
  import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'),
);
backend.add(import('@backstage/plugin-catalog-backend-module-logs'));

backend.add(import('@backstage/plugin-permission-backend'));
// Everything allowed but Mesh Lifecycle's writes on a service: its owners'.
backend.add(import('./demoPolicy'));

backend.add(import('@backstage/plugin-scaffolder-backend'));
backend.add(
  import('@mesh-lifecycle/plugin-scaffolder-backend-module-mesh-lifecycle'),
);

backend.add(import('@mesh-lifecycle/plugin-mesh-lifecycle-backend'));
// Where retirement requests tell the owners of a service's dependents.
backend.add(import('@backstage/plugin-notifications-backend'));
backend.add(import('@backstage/plugin-signals-backend'));
// The demo's emulated clusters, telemetry and Prometheus (see app-config.yaml).
backend.add(import('./demoMesh'));
backend.add(import('./demoRepositories'));

backend.start();
