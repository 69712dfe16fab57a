/*
 * What a cluster's connections cost (not a test): the caches of 20 emulated
 * clusters (HTTPS, the emulators in another process) warmed in a bare
 * process, as the backend warms them at start, with their watches and, as an
 * experiment (not a mode), without any (each watch answered at once without a
 * connection): the process's RSS, V8's heap and the C heap (`[heap]` in
 * /proc/self/maps: what OpenSSL and Node.js's sockets allocate), and the
 * connections the clusters saw opened and open.
 *
 *   node --expose-gc -r @backstage/cli/config/nodeTransform.cjs bench/connectionMemory.ts [objects]
 */
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { ClusterObjectCache } from '../src/clusters/ClusterObjectCache';
import { ClusterWatch } from '../src/clusters/ClusterWatch';
import { entityPageResources } from '../src/clusters/resources';
import {
  ClustersMessage,
  EmulatedCluster,
  waitForMessage,
} from './sideBySideProtocol';
import { quiet } from './sideBySideProtocol';

const CLUSTERS = 20;
const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);

/** The size of the C heap (brk), from /proc (Linux). */
function cHeap(): number {
  const line = readFileSync('/proc/self/maps', 'utf8')
    .split('\n')
    .find(l => l.endsWith('[heap]'));
  if (!line) return 0;
  const [start, end] = line
    .split(' ')[0]
    .split('-')
    .map(x => parseInt(x, 16));
  return end - start;
}

function settle(): Promise<void> {
  if (!global.gc) throw new Error('run with node --expose-gc');
  global.gc();
  return new Promise(resolve =>
    setTimeout(() => {
      global.gc?.();
      resolve();
    }, 500),
  );
}

async function measure(clusters: readonly EmulatedCluster[], watches: boolean) {
  const original = ClusterWatch.prototype.watch;
  if (!watches) {
    // The experiment: every watch "opened" at once, no connection made.
    ClusterWatch.prototype.watch = async () => new AbortController();
  }
  await settle();
  const before = { usage: process.memoryUsage(), cHeap: cHeap() };
  const caches = clusters.map(c => {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromClusterAndUser(
      { name: c.name, server: c.url, caData: c.caData, skipTLSVerify: false },
      { name: 'bench', token: c.token },
    );
    return new ClusterObjectCache({
      kubeConfig,
      clusterName: c.name,
      logger: quiet,
    });
  });
  const kinds = entityPageResources({
    networking: 'v1',
    security: 'v1',
    monitoring: 'v1',
  });
  const started = performance.now();
  // Four clusters at a time, as the backend's warm-up.
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < caches.length) {
        const { failed } = await caches[next++].warm(kinds);
        if (failed.length > 0) throw new Error(`failed: ${failed.join()}`);
      }
    }),
  );
  const ms = performance.now() - started;
  await settle();
  const after = { usage: process.memoryUsage(), cHeap: cHeap() };
  await Promise.all(caches.map(c => c.stop()));
  ClusterWatch.prototype.watch = original;
  return {
    ms,
    rss: after.usage.rss - before.usage.rss,
    heapUsed: after.usage.heapUsed - before.usage.heapUsed,
    heapTotal: after.usage.heapTotal - before.usage.heapTotal,
    cHeap: after.cHeap - before.cHeap,
  };
}

type Measured = Awaited<ReturnType<typeof measure>>;

/** Measures one variant in a process of its own (a freed C heap is reused). */
function measureApart(
  clusters: readonly EmulatedCluster[],
  watches: boolean,
): Promise<Measured> {
  const child = fork(__filename, ['--measure'], {
    execArgv: ['--expose-gc', '-r', '@backstage/cli/config/nodeTransform.cjs'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.on('message', (message: { measured?: Measured; error?: string }) => {
      if (message.measured) resolve(message.measured);
      if (message.error) reject(new Error(message.error));
    });
    child.once('exit', code =>
      reject(new Error(`measuring exited with ${code}`)),
    );
    child.send({ clusters, watches });
  });
}

async function main() {
  if (process.argv.includes('--measure')) {
    process.once(
      'message',
      (task: { clusters: EmulatedCluster[]; watches: boolean }) => {
        measure(task.clusters, task.watches).then(
          measured => process.send?.({ measured }, () => process.exit(0)),
          error =>
            process.send?.({ error: String(error) }, () => process.exit(1)),
        );
      },
    );
    return;
  }
  const size = Number(process.argv[2] ?? 1_000);
  const emulated = fork(
    join(__dirname, 'sideBySideClusters.ts'),
    [String(CLUSTERS), String(size)],
    {
      execArgv: ['-r', '@backstage/cli/config/nodeTransform.cjs'],
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    },
  );
  try {
    const { clusters, objectsPerCluster } = await waitForMessage<
      Extract<ClustersMessage, { type: 'ready' }>
    >(emulated, 'ready');
    const withWatches = await measureApart(clusters, true);
    const withoutWatches = await measureApart(clusters, false);
    const row = (label: string, r: Measured) =>
      `${label.padEnd(34)}${[r.rss, r.heapTotal, r.heapUsed, r.cHeap]
        .map(v => `${mb(v)} MB`.padStart(12))
        .join('')}${`${Math.round(r.ms)} ms`.padStart(10)}`;
    const watchCount = CLUSTERS * 12;
    console.log(
      [
        `connection memory, ${new Date().toISOString()}, node ${
          process.version
        }: ${CLUSTERS} clusters × ${objectsPerCluster} objects (HTTPS), caches warmed 4 clusters at a time, each variant in a process of its own; growth after a full GC`,
        `${''.padEnd(34)}${['RSS', 'V8 heap', 'V8 used', 'C heap']
          .map(h => h.padStart(12))
          .join('')}${'warm-up'.padStart(10)}`,
        row(`with ${watchCount} watches`, withWatches),
        row('without any watch (experiment)', withoutWatches),
        `the watches: RSS ${mb(
          withWatches.rss - withoutWatches.rss,
        )} MB, C heap ${mb(
          withWatches.cHeap - withoutWatches.cHeap,
        )} MB, ~${Math.round(
          (withWatches.rss - withoutWatches.rss) / watchCount / 1024,
        )} KB per watch`,
      ].join('\n'),
    );
  } finally {
    emulated.send({ type: 'stop' });
  }
}

main().catch(error => {
  console.error(error);
  process.exit(2);
});
