import { LoggerService } from '@backstage/backend-plugin-api';
import { MeshCluster } from '../service/ClusterMeshReader';
import { entityPageResources } from './resources';

/** What {@link warmClusterCaches} found by the time it stopped waiting. */
export interface WarmUpOutcome {
  /** Clusters whose every kind was listed. */
  warm: string[];
  /** Clusters with a kind that failed to list, and which. */
  failed: Array<{ cluster: string; kinds: string[] }>;
  /** Clusters still listing when the wait ended (they go on behind). */
  pending: string[];
  ms: number;
}

/**
 * Starts watching every kind an entity page reads on every cluster, and
 * waits for the first lists at most `waitMs`: the backend's startup calls it
 * so that the first page view after a start is answered from memory. A
 * cluster that fails or is slow delays nothing beyond the wait; its failures
 * are logged and answered on views as usual.
 */
export async function warmClusterCaches(options: {
  clusters: readonly MeshCluster[];
  logger: LoggerService;
  waitMs: number;
  /** How many clusters list at once (default 4). */
  concurrency?: number;
}): Promise<WarmUpOutcome> {
  const { clusters, logger, waitMs } = options;
  const started = Date.now();
  const done = new Map<string, string[]>();
  const warmOne = async (cluster: MeshCluster) => {
    let failed: string[];
    try {
      const versions = await cluster.servedApis();
      ({ failed } = await cluster.objects.warm(entityPageResources(versions)));
    } catch (error) {
      cluster.objects.failure(error);
      failed = ['API discovery'];
    }
    done.set(cluster.name, failed);
  };
  // A few clusters at a time: every list of every cluster at once would
  // hold all their answers in memory together, and the heap keeps the size
  // it grew to.
  let next = 0;
  const warming = Promise.all(
    Array.from(
      { length: Math.min(options.concurrency ?? 4, clusters.length) },
      async () => {
        while (next < clusters.length) {
          await warmOne(clusters[next++]);
        }
      },
    ),
  );
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    warming,
    new Promise<void>(resolve => {
      timer = setTimeout(resolve, waitMs);
      timer.unref?.();
    }),
  ]);
  clearTimeout(timer);
  const outcome: WarmUpOutcome = {
    warm: clusters.filter(c => done.get(c.name)?.length === 0).map(c => c.name),
    failed: clusters.flatMap(c => {
      const kinds = done.get(c.name);
      return kinds && kinds.length > 0 ? [{ cluster: c.name, kinds }] : [];
    }),
    pending: clusters.filter(c => !done.has(c.name)).map(c => c.name),
    ms: Date.now() - started,
  };
  const parts = [
    `${outcome.warm.length} of ${clusters.length} cluster(s) cached`,
  ];
  if (outcome.failed.length > 0) {
    parts.push(
      `not all of ${outcome.failed
        .map(f => `${f.cluster} (${f.kinds.join(', ')})`)
        .join(', ')}`,
    );
  }
  if (outcome.pending.length > 0) {
    parts.push(
      `still listing ${outcome.pending.join(', ')} (goes on in the background)`,
    );
  }
  logger.info(`Cluster caches warmed in ${outcome.ms} ms: ${parts.join('; ')}`);
  return outcome;
}
