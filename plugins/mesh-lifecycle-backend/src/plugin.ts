import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { ClusterObjectCache } from './clusters/ClusterObjectCache';
import { rememberServedVersion } from './clusters/discoverServedVersion';
import { createKubeConfig, readMeshLifecycleConfig } from './config';
import { createRouter } from './router';
import { CatalogServiceDeclarations } from './service/CatalogServiceDeclarations';
import { ClusterMeshReader, MeshCluster } from './service/ClusterMeshReader';
import { TrafficReader } from './service/TrafficReader';
import { trafficSources } from './prometheus/trafficSources';

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
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        lifecycle: coreServices.lifecycle,
        cache: coreServices.cache,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        catalog: catalogServiceRef,
      },
      async init({
        config,
        logger,
        lifecycle,
        cache,
        httpAuth,
        httpRouter,
        catalog,
      }) {
        const meshConfig = readMeshLifecycleConfig(config, { logger });
        const clusters = meshConfig.clusters.map((cluster): MeshCluster => {
          const kubeConfig = createKubeConfig(cluster);
          return {
            name: cluster.name,
            environment: cluster.environment,
            objects: new ClusterObjectCache({
              kubeConfig,
              clusterName: cluster.name,
              logger,
              syncTimeoutMs: meshConfig.timeouts.clusterMs,
            }),
            istioNetworkingVersion: rememberServedVersion(
              kubeConfig,
              'networking.istio.io',
              ['v1', 'v1beta1'],
              { timeoutMs: meshConfig.timeouts.clusterMs },
            ),
          };
        });
        lifecycle.addShutdownHook(async () => {
          await Promise.all(clusters.map(c => c.objects.stop()));
        });

        httpRouter.use(
          await createRouter({
            httpAuth,
            declarations: new CatalogServiceDeclarations({ catalog }),
            mesh: new ClusterMeshReader({ clusters, logger }),
            traffic: new TrafficReader({
              sources: trafficSources(meshConfig, cache),
            }),
          }),
        );
        httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });
      },
    });
  },
});
