/*
 * What a cached object costs (not a test): the heap a cluster's watch cache
 * holds per object of the kinds kept as the fields read (Pods, Deployments,
 * Services, ServiceAccounts), a view's parse included, kept whole (less the
 * bookkeeping) and kept as those fields, for the objects of the side-by-side
 * benchmark's clusters (realistic Pods with Istio sidecars, field managers'
 * bookkeeping, kubectl's last-applied copy).
 *
 *   node --expose-gc -r @backstage/cli/config/nodeTransform.cjs bench/cacheMemory.ts [objects]
 */
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
} from '../src/clusters/objectSchemas';
import { ResourceType } from '../src/clusters/ClusterObjectCache';
import { KUBERNETES_RESOURCES } from '../src/clusters/resources';
import { sideBySideObjects } from './sideBySideObjects';
import { quiet } from './sideBySideProtocol';

function heap(): number {
  if (!global.gc) throw new Error('run with node --expose-gc');
  global.gc();
  global.gc();
  return process.memoryUsage().heapUsed;
}

async function main() {
  const size = Number(process.argv[2] ?? 8_000);
  const objects = sideBySideObjects(size);
  const emulator = await startKubernetesEmulator({ name: 'memory', objects });
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(emulator.kubeconfig());
  const kinds: Array<[string, ResourceType, z.ZodType]> = [
    ['Pod', KUBERNETES_RESOURCES.pods, podSchema],
    ['Deployment', KUBERNETES_RESOURCES.deployments, deploymentSchema],
    ['Service', KUBERNETES_RESOURCES.services, serviceSchema],
    ['ServiceAccount', KUBERNETES_RESOURCES.serviceAccounts, namedObjectSchema],
  ];
  const column = (text: string | number, width: number) =>
    String(text).padStart(width);
  const lines = [
    `cache memory, ${new Date().toISOString()}, node ${
      process.version
    }: heap per cached object (a view's parse included), one cluster of ${
      objects.length
    } objects`,
    `${'kind'.padEnd(16)}${column('objects', 9)}${column(
      'JSON bytes each',
      17,
    )}${column('whole, bytes each', 19)}${column('kept, bytes each', 18)}`,
  ];
  const kept: unknown[] = [];
  for (const [kind, type, schema] of kinds) {
    const served = objects.filter(o => o.kind === kind);
    const json =
      served.reduce((sum, o) => sum + JSON.stringify(o).length, 0) /
      served.length;
    const cost = async (cachedType: ResourceType) => {
      const cache = new ClusterObjectCache({
        kubeConfig,
        clusterName: 'memory',
        logger: quiet,
      });
      // Discovery and the watch's connection, paid once per kind.
      await cache.list({
        ...cachedType,
        plural: 'limitranges',
        kind: 'LimitRange',
        apiVersion: 'v1',
      });
      const before = heap();
      const listed = await cache.list(cachedType);
      kept.push(parseObjects(schema, listed, () => {}));
      const bytes = (heap() - before) / listed.length;
      await cache.stop();
      kept.length = 0;
      return bytes;
    };
    // Without `keep`, a kind is cached whole, less its bookkeeping.
    const whole = await cost({ ...type, keep: undefined });
    const trimmed = await cost(type);
    lines.push(
      `${kind.padEnd(16)}${column(served.length, 9)}${column(
        Math.round(json),
        17,
      )}${column(Math.round(whole), 19)}${column(Math.round(trimmed), 18)}`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  await emulator.stop();
}

main().catch(error => {
  process.stderr.write(`${error?.stack ?? error}\n`);
  process.exit(1);
});
