/*
 * What a cached object costs (not a test): the heap one cluster's watch
 * caches hold per object of each kind an entity page reads, once listed and
 * once a view has parsed them, for the objects of the side-by-side
 * benchmark's clusters (realistic Pods with Istio sidecars, field managers'
 * bookkeeping, kubectl's last-applied copy).
 *
 *   node --expose-gc -r @backstage/cli/config/nodeTransform.cjs bench/cacheMemory.ts [objects]
 */
import { LoggerService } from '@backstage/backend-plugin-api';
import { KubeConfig } from '@kubernetes/client-node';
import { startKubernetesEmulator } from '@mesh-lifecycle/plugin-mesh-lifecycle-test-utils';
import { z } from 'zod';
import { ClusterObjectCache } from '../src/clusters/ClusterObjectCache';
import {
  deploymentSchema,
  namedObjectSchema,
  parseObjects,
  podSchema,
  serviceSchema,
  virtualServiceSchema,
  destinationRuleSchema,
  workloadPolicySchema,
} from '../src/clusters/objectSchemas';
import { ResourceType } from '../src/clusters/ClusterObjectCache';
import {
  KUBERNETES_RESOURCES,
  istioResources,
} from '../src/clusters/resources';
import { sideBySideObjects } from './sideBySideObjects';

const quiet: LoggerService = {
  error() {},
  warn() {},
  info() {},
  debug() {},
  child: () => quiet,
};

function heap(): number {
  if (!global.gc) throw new Error('run with node --expose-gc');
  global.gc();
  global.gc();
  return process.memoryUsage().heapUsed;
}

interface KindCost {
  objects: number;
  json: number;
  cached: number;
  parsed: number;
}

/** The heap one cluster's caches hold per kind, for a cluster of `size` objects. */
async function measure(size: number): Promise<Map<string, KindCost>> {
  const objects = sideBySideObjects(size);
  const emulator = await startKubernetesEmulator({ name: 'memory', objects });
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(emulator.kubeconfig());
  const cache = new ClusterObjectCache({
    kubeConfig,
    clusterName: 'memory',
    logger: quiet,
  });
  const istio = istioResources({ networking: 'v1', security: 'v1' });
  const kinds: Array<[string, ResourceType, z.ZodType]> = [
    ['Pod', KUBERNETES_RESOURCES.pods, podSchema],
    ['Deployment', KUBERNETES_RESOURCES.deployments, deploymentSchema],
    ['Service', KUBERNETES_RESOURCES.services, serviceSchema],
    ['ServiceAccount', KUBERNETES_RESOURCES.serviceAccounts, namedObjectSchema],
    ['VirtualService', istio.virtualServices, virtualServiceSchema],
    ['DestinationRule', istio.destinationRules, destinationRuleSchema],
    ['AuthorizationPolicy', istio.authorizationPolicies, workloadPolicySchema],
  ];
  // Discovery and the first connection, paid once per cluster, not per object.
  await cache.list(KUBERNETES_RESOURCES.namespaces);
  await cache.list(istioResources({ networking: 'v1' }).gateways);
  await cache.list(
    istioResources({ networking: 'v1', security: 'v1' }).peerAuthentications,
  );
  const kept: unknown[] = [];
  const costs = new Map<string, KindCost>();
  for (const [kind, type, schema] of kinds) {
    const served = objects.filter(o => o.kind === kind);
    const before = heap();
    const listed = await cache.list(type);
    const cached = heap() - before;
    kept.push(parseObjects(schema, listed, () => {}));
    costs.set(kind, {
      objects: listed.length,
      json: served.reduce((sum, o) => sum + JSON.stringify(o).length, 0),
      cached,
      parsed: heap() - before,
    });
  }
  await cache.stop();
  await emulator.stop();
  if (kept.length !== kinds.length) throw new Error('lost a parse');
  return costs;
}

async function main() {
  const size = Number(process.argv[2] ?? 4_000);
  // Each kind's cost per object is the slope between a cluster and one
  // twice its size: what a watch, its connection and its informer cost
  // whatever the size drops out.
  const small = await measure(size);
  const large = await measure(size * 2);
  const column = (text: string, width: number) => text.padStart(width);
  const lines = [
    `cache memory, ${new Date().toISOString()}, node ${
      process.version
    }: heap per cached object, clusters of ${size} and ${size * 2} objects`,
    `${'kind'.padEnd(22)}${column('objects', 9)}${column(
      'JSON bytes each',
      18,
    )}${column('cached, bytes each', 21)}${column('+ parsed, bytes each', 23)}`,
  ];
  let objects = 0;
  let bytes = 0;
  for (const [kind, a] of small) {
    const b = large.get(kind)!;
    const n = b.objects - a.objects;
    objects += b.objects;
    bytes += (b.parsed / b.objects) * b.objects;
    lines.push(
      `${kind.padEnd(22)}${column(String(b.objects), 9)}${column(
        String(Math.round(b.json / b.objects)),
        18,
      )}${column(String(Math.round((b.cached - a.cached) / n)), 21)}${column(
        String(Math.round((b.parsed - a.parsed) / n)),
        23,
      )}`,
    );
  }
  lines.push(
    `the larger cluster's ${objects} objects of these kinds: ${Math.round(
      bytes / 1024 / 1024,
    )} MB of heap in all (${Math.round(
      bytes / objects,
    )} bytes each, fixed costs included)`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch(error => {
  process.stderr.write(`${error?.stack ?? error}\n`);
  process.exit(1);
});
