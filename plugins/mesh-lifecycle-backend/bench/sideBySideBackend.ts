/*
 * One backend of the side-by-side benchmark, in a process of its own so that
 * its memory is measured alone: Mesh Lifecycle's or the Kubernetes plugin's,
 * each with the same test harness (`startTestBackend`, a catalog holding the
 * viewed entity) and the same clusters, from the Kubernetes plugin's
 * configuration (which Mesh Lifecycle reads too). Run by sideBySide.ts only.
 */
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { BackendFeature } from '@backstage/backend-plugin-api';
import { meshLifecyclePlugin } from '../src/plugin';
import {
  BackendMessage,
  BackendRequest,
  EmulatedCluster,
  System,
  kubernetesClustersConfig,
} from './sideBySideProtocol';
import { viewedEntity } from './sideBySideObjects';

function send(message: BackendMessage) {
  process.send?.(message);
}

/** The Istio kinds the Kubernetes plugin is told to fetch too. */
const istioCustomResources = [
  ['networking.istio.io', 'virtualservices'],
  ['networking.istio.io', 'destinationrules'],
  ['security.istio.io', 'peerauthentications'],
  ['security.istio.io', 'authorizationpolicies'],
].map(([group, plural]) => ({ group, apiVersion: 'v1', plural }));

async function kubernetesPlugin(): Promise<BackendFeature> {
  const loaded: { default: BackendFeature } = await import(
    '@backstage/plugin-kubernetes-backend'
  );
  return loaded.default;
}

let peakRss = 0;
let rssBefore = 0;

async function start(
  system: System,
  clusters: EmulatedCluster[],
  warmOnStart: boolean,
) {
  const t = performance.now();
  const plugin =
    system === 'mesh-lifecycle'
      ? meshLifecyclePlugin
      : await kubernetesPlugin();
  const backend = await startTestBackend({
    features: [
      plugin,
      catalogServiceMock.factory({ entities: [viewedEntity] }),
      mockServices.rootConfig.factory({
        data: {
          kubernetes: {
            // The emulator has no metrics server; Mesh Lifecycle reads no
            // metrics either.
            ...kubernetesClustersConfig(clusters, { skipMetricsLookup: true }),
            customResources: istioCustomResources,
          },
          meshLifecycle: { caches: { warmOnStart } },
        },
      }),
    ],
  });
  send({
    type: 'ready',
    port: backend.server.port(),
    startMs: performance.now() - t,
  });
  return backend;
}

async function main() {
  process.once('disconnect', () => process.exit(0));
  if (global.gc) global.gc();
  rssBefore = process.memoryUsage().rss;
  peakRss = rssBefore;
  setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 20).unref();
  let backend: Awaited<ReturnType<typeof start>> | undefined;
  process.on('message', async (request: BackendRequest) => {
    try {
      if (request.type === 'start') {
        backend = await start(
          request.system,
          request.clusters,
          request.warmOnStart ?? true,
        );
      } else if (request.type === 'memory') {
        if (global.gc) global.gc();
        const { rss, heapUsed } = process.memoryUsage();
        send({ type: 'memory', peakRss, rss, heapUsed, rssBefore });
      } else if (request.type === 'stop') {
        await backend?.stop();
        process.exit(0);
      }
    } catch (error) {
      send({
        type: 'error',
        message: String((error as Error)?.stack ?? error),
      });
    }
  });
}

main().catch(error => {
  send({ type: 'error', message: String(error?.stack ?? error) });
  process.exit(1);
});
