import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { createRouter } from './router';
import { CatalogServiceDeclarations } from './service/CatalogServiceDeclarations';

/**
 * The mesh-lifecycle backend plugin.
 *
 * @public
 */
export const meshLifecyclePlugin = createBackendPlugin({
  pluginId: 'mesh-lifecycle',
  register(env) {
    env.registerInit({
      deps: {
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        catalog: catalogServiceRef,
      },
      async init({ httpAuth, httpRouter, catalog }) {
        const declarations = new CatalogServiceDeclarations({ catalog });
        httpRouter.use(await createRouter({ httpAuth, declarations }));
        httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });
      },
    });
  },
});
