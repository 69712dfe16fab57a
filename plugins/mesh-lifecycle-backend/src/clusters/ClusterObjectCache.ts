import { LoggerService } from '@backstage/backend-plugin-api';
import {
  ERROR,
  KubeConfig,
  KubernetesObject,
  KubernetesObjectApi,
  ObjectCache,
  makeInformer,
} from '@kubernetes/client-node';

/** A kind of object the plugin reads from clusters. */
export interface ResourceType {
  /** `v1` or `<group>/<version>`. */
  apiVersion: string;
  kind: string;
  /** Plural resource name, as in the API path. */
  plural: string;
}

interface CacheEntry {
  ready: Promise<ObjectCache<KubernetesObject>>;
  /** `disconnected` is set while the watch is broken and not re-established. */
  status: { disconnected?: { since: Date; error: unknown } };
  stop(): Promise<void>;
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

function collectionPath(type: ResourceType): string {
  const segments = type.apiVersion.includes('/')
    ? ['apis', ...type.apiVersion.split('/'), type.plural]
    : ['api', type.apiVersion, type.plural];
  return `/${segments.map(s => encodeURIComponent(s)).join('/')}`;
}

function timeout(ms: number, what: string): Promise<never> {
  return new Promise((_, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${what} did not answer within ${ms} ms`)),
      ms,
    );
    timer.unref?.();
  });
}

/**
 * Objects of one cluster served from watch-synchronised caches: one informer
 * per kind, started on first use, relisting after a 410 and restarted after a
 * broken watch. Once a kind is warm, reading it costs no cluster call.
 */
export class ClusterObjectCache {
  private readonly kubeConfig: KubeConfig;
  private readonly clusterName: string;
  private readonly logger: LoggerService;
  private readonly syncTimeoutMs: number;
  private readonly restartDelayMs: number;
  private readonly failureBackoffMs: number;
  private readonly entries = new Map<string, CacheEntry>();

  constructor(options: {
    kubeConfig: KubeConfig;
    clusterName: string;
    logger: LoggerService;
    /** How long the first list of a kind may take (default 10 s). */
    syncTimeoutMs?: number;
    /** Pause before restarting a failed watch (default 5 s). */
    restartDelayMs?: number;
    /**
     * How long a failed first list is remembered and answered without
     * asking the cluster again (default 30 s), so that a cluster that is down
     * or hanging does not cost every page view a timeout.
     */
    failureBackoffMs?: number;
  }) {
    this.kubeConfig = options.kubeConfig;
    this.clusterName = options.clusterName;
    this.logger = options.logger;
    this.syncTimeoutMs = options.syncTimeoutMs ?? 10_000;
    this.restartDelayMs = options.restartDelayMs ?? 5_000;
    this.failureBackoffMs = options.failureBackoffMs ?? 30_000;
  }

  /**
   * The cached objects of a kind, in one namespace or all. The first call for
   * a kind lists it from the cluster and starts watching; a failed first
   * list rejects, and so does every call within the failure backoff; the
   * next call after it tries again.
   */
  async list(
    type: ResourceType,
    namespace?: string,
  ): Promise<readonly KubernetesObject[]> {
    const entry = this.entry(type);
    const cache = await entry.ready;
    const { disconnected } = entry.status;
    if (disconnected) {
      // Objects from a broken watch may be stale: say so rather than serve
      // them as current.
      const since = disconnected.since.toISOString();
      throw new Error(
        `Cluster ${this.clusterName} unreachable since ${since} (${
          type.kind
        } watch: ${describe(disconnected.error)})`,
      );
    }
    return cache.list(namespace);
  }

  /** Stops every informer. */
  async stop(): Promise<void> {
    const entries = [...this.entries.values()];
    this.entries.clear();
    await Promise.allSettled(entries.map(entry => entry.stop()));
  }

  private entry(type: ResourceType): CacheEntry {
    const key = `${type.apiVersion}/${type.plural}`;
    const existing = this.entries.get(key);
    if (existing) {
      return existing;
    }
    const entry = this.start(type, key);
    this.entries.set(key, entry);
    return entry;
  }

  private start(type: ResourceType, key: string): CacheEntry {
    const objects = KubernetesObjectApi.makeApiClient(this.kubeConfig);
    const informer = makeInformer<KubernetesObject>(
      this.kubeConfig,
      collectionPath(type),
      () => objects.list<KubernetesObject>(type.apiVersion, type.kind),
    );
    let stopped = false;
    let syncing = true;
    let syncError: unknown;
    let restartTimer: NodeJS.Timeout | undefined;
    let failures = 0;
    const status: CacheEntry['status'] = {};
    informer.on(ERROR, error => {
      if (stopped) return;
      if (syncing) {
        // A failed first list is reported by start() resolving: keep it.
        syncError = error ?? new Error('list failed');
        return;
      }
      failures += 1;
      if (!status.disconnected) {
        status.disconnected = { since: new Date(), error };
      }
      this.logger.warn(
        `Watch of ${key} on cluster ${
          this.clusterName
        } failed, restarting: ${describe(error)}`,
      );
      restartTimer = setTimeout(() => {
        if (stopped) return;
        const attempt = failures;
        informer
          .start()
          .then(() => {
            // Relisted and watching again, unless it failed meanwhile.
            if (failures === attempt) status.disconnected = undefined;
          })
          .catch(() => {
            // The informer reports the failure through its ERROR event.
          });
      }, this.restartDelayMs);
      restartTimer.unref?.();
    });
    const ready = Promise.race([
      informer.start().then(() => {
        syncing = false;
        if (syncError !== undefined) {
          throw syncError;
        }
        return informer;
      }),
      timeout(this.syncTimeoutMs, `Cluster ${this.clusterName}`),
    ]);
    const created: CacheEntry = {
      ready,
      status,
      stop: async () => {
        stopped = true;
        clearTimeout(restartTimer);
        await informer.stop();
      },
    };
    ready.catch(() => {
      created.stop().catch(() => {});
      // Answer the failure for a while, then forget the cache so that the
      // next read retries.
      const forget = () => {
        if (this.entries.get(key) === created) {
          this.entries.delete(key);
        }
      };
      if (this.failureBackoffMs > 0) {
        setTimeout(forget, this.failureBackoffMs).unref?.();
      } else {
        forget();
      }
    });
    return created;
  }
}
