import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { resolve } from 'path';
import { DemoClusterConfig, startDemoMesh } from './startDemoMesh';
import { DemoClusterName } from './trafficModels';

const DEMO_CLUSTERS: DemoClusterName[] = ['dev', 'test', 'prod'];

/**
 * Starts the demo's emulated clusters, telemetry and Prometheus with the
 * backend and stops them with it. Reads the clusters (port and token) from
 * the Kubernetes plugin's `kubernetes.clusterLocatorMethods` config, so the
 * backend and the emulators agree by construction. Off unless
 * `meshLifecycleDemo` is configured.
 */
export const demoMeshModule = createBackendModule({
  pluginId: 'mesh-lifecycle',
  moduleId: 'demo-mesh',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        lifecycle: coreServices.rootLifecycle,
      },
      async init({ config, logger, lifecycle }) {
        const demo = config.getOptionalConfig('meshLifecycleDemo');
        if (!demo) {
          return;
        }
        const clusters: DemoClusterConfig[] = [];
        for (const method of config.getConfigArray(
          'kubernetes.clusterLocatorMethods',
        )) {
          if (method.getString('type') !== 'config') continue;
          for (const cluster of method.getConfigArray('clusters')) {
            const name = cluster.getString('name');
            if (!(DEMO_CLUSTERS as string[]).includes(name)) continue;
            clusters.push({
              name: name as DemoClusterName,
              port: Number(new URL(cluster.getString('url')).port),
              token: cluster.getString('serviceAccountToken'),
            });
          }
        }
        // Started in the background: the portal need not wait for the
        // backfill, and a mesh that fails to start leaves the portal up.
        // Its clusters, though, listen before the plugin starts, whose
        // caches list them while the backend starts.
        let clustersListening: () => void = () => {};
        const listening = new Promise<void>(done => {
          clustersListening = done;
        });
        const mesh = startDemoMesh({
          onClustersListening: () => clustersListening(),
          clusters,
          manifestsDir: resolve(demo.getString('manifestsDir')),
          prometheusPort: demo.getNumber('prometheusPort'),
          kubeconfigPath: resolve(demo.getString('kubeconfigPath')),
          historyHours: demo.getOptionalNumber('historyHours') ?? 2,
          unreachableClusters:
            demo.getOptionalStringArray('unreachableClusters') ?? [],
          logger,
        }).catch(error => {
          logger.error(`The demo mesh did not start: ${error}`);
          return undefined;
        });
        lifecycle.addShutdownHook(async () => {
          await (await mesh)?.stop();
        });
        await Promise.race([listening, mesh]);
      },
    });
  },
});
