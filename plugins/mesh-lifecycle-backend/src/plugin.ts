import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { meshLifecyclePermissions } from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import { ClusterObjectCache } from './clusters/ClusterObjectCache';
import { warmClusterCaches } from './clusters/warmClusterCaches';
import { rememberServedApis } from './clusters/discoverServedVersion';
import {
  createKubeConfig,
  createMeshClustersService,
  readMeshLifecycleConfig,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-node';
import { createRouter } from './router';
import { CatalogServiceDeclarations } from './service/CatalogServiceDeclarations';
import { ClusterMeshReader, MeshCluster } from './service/ClusterMeshReader';
import { TrafficReader } from './service/TrafficReader';
import { FleetReader } from './service/FleetReader';
import { AlertsReader } from './service/AlertsReader';
import { DependenciesReader } from './service/DependenciesReader';
import { LifecycleReader } from './service/LifecycleReader';
import { MeshValidationReader } from './service/MeshValidationReader';
import { AnswerCache } from './service/answerCache';
import { DatabaseLifecycleHistoryStore } from './history/LifecycleHistoryStore';
import { TrafficShiftStore } from './shifts/TrafficShiftStore';
import { RetirementStore } from './retirements/RetirementStore';
import { lifecycleHistorySource } from './history/lifecycleHistorySource';
import { scheduleHistory } from './history/scheduleHistory';
import { scheduleTestEnvironmentCleanup } from './environments/expireTestEnvironments';
import { alertmanagerSources } from './prometheus/alertmanagerSources';
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
        permissions: coreServices.permissions,
        httpRouter: coreServices.httpRouter,
        permissionsRegistry: coreServices.permissionsRegistry,
        database: coreServices.database,
        scheduler: coreServices.scheduler,
        auth: coreServices.auth,
        catalog: catalogServiceRef,
      },
      async init({
        config,
        logger,
        lifecycle,
        cache,
        httpAuth,
        permissions,
        httpRouter,
        permissionsRegistry,
        database,
        scheduler,
        auth,
        catalog,
      }) {
        permissionsRegistry.addPermissions(meshLifecyclePermissions);
        const meshConfig = readMeshLifecycleConfig(config, { logger });
        const clusters = meshConfig.clusters.map((cluster): MeshCluster => {
          const kubeConfig = createKubeConfig(cluster);
          return {
            name: cluster.name,
            environment: cluster.environment,
            objects: new ClusterObjectCache({
              kubeConfig,
              clusterName: cluster.name,
              config: cluster,
              logger,
              syncTimeoutMs: meshConfig.timeouts.clusterMs,
              // Mesh-wide policies live in Istio's root namespace.
              ...(cluster.namespaces
                ? {
                    namespaces: [
                      ...new Set([...cluster.namespaces, 'istio-system']),
                    ],
                  }
                : {}),
            }),
            servedApis: rememberServedApis(kubeConfig, {
              timeoutMs: meshConfig.timeouts.clusterMs,
            }),
          };
        });
        lifecycle.addShutdownHook(async () => {
          await Promise.all(clusters.map(c => c.objects.stop()));
        });
        if (meshConfig.caches.warmOnStart && clusters.length > 0) {
          // Readiness waits (a bounded while) for the caches, so that the
          // first page view after a start is answered from memory.
          lifecycle.addStartupHook(async () => {
            await warmClusterCaches({
              clusters,
              logger,
              waitMs: meshConfig.caches.startupWaitMs,
            });
          });
        }

        const sources = trafficSources(meshConfig, cache);
        const mesh = new ClusterMeshReader({ clusters, logger });
        const clusterNames = clusters.map(c => c.name);
        const traffic = new TrafficReader({ sources, clusterNames });
        const dependencies = new DependenciesReader({
          sources,
          catalog,
          clusterNames,
        });
        const alerts = new AlertsReader({
          sources,
          alertmanagers: alertmanagerSources(meshConfig),
          clusterNames,
        });
        const declarations = new CatalogServiceDeclarations({ catalog });
        const history = await DatabaseLifecycleHistoryStore.create({
          database,
        });
        const retirements = await RetirementStore.create({ database });
        const lifecycleReader = new LifecycleReader({
          clusters,
          mesh,
          traffic,
          dependencies,
          alerts,
          logger,
          thresholds: meshConfig.thresholds,
          rules: meshConfig.phaseRules,
          recordedPhase: async entityRef =>
            (await history.history(entityRef, { limit: 1 }))[0]?.phase,
          retirementFacts: entityRef => retirements.lifecycleFacts(entityRef),
        });
        await scheduleHistory({
          scheduler,
          logger,
          store: history,
          frequencyMs: meshConfig.history.frequencyMs,
          ...lifecycleHistorySource({
            auth,
            catalog,
            declarations,
            lifecycle: lifecycleReader,
          }),
        });
        await scheduleTestEnvironmentCleanup({
          scheduler,
          logger,
          clusters: meshConfig.clusters,
          frequencyMs: meshConfig.environments.cleanupFrequencyMs,
          clusterTimeoutMs: meshConfig.timeouts.clusterMs,
        });
        httpRouter.use(
          await createRouter({
            httpAuth,
            permissions,
            catalog,
            declarations,
            mesh,
            traffic,
            fleet: new FleetReader({
              catalog,
              clusters,
              sources,
              logger,
              shared: cache,
            }),
            dependencies,
            alerts,
            lifecycle: lifecycleReader,
            validation: new MeshValidationReader({ clusters, logger }),
            history,
            shifts: await TrafficShiftStore.create({ database }),
            retirements,
            clusters: createMeshClustersService(meshConfig.clusters),
            answers: new AnswerCache({ cache }),
          }),
        );
        httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });
      },
    });
  },
});
