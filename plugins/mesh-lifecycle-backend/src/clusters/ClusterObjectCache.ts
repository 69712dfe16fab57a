import { LoggerService } from '@backstage/backend-plugin-api';
import {
  ADD,
  ApiException,
  DELETE,
  ERROR,
  KubeConfig,
  KubernetesListObject,
  KubernetesObject,
  ListWatch,
  ObjectCache,
  UPDATE,
} from '@kubernetes/client-node';
import {
  ClusterConfig,
  describeClusterFailure,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-node';
import {
  ANNOTATION_KUBERNETES_ID,
  withoutBookkeeping,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import { ClusterConnections } from './ClusterConnections';
import { ClusterWatch } from './ClusterWatch';
import { LabelIndex } from './LabelIndex';
import { z } from 'zod';
import { keepFields } from './objectSchemas';
import {
  ServedListPage,
  SharedDiscoveryObjectApi,
} from './SharedDiscoveryObjectApi';

/** A kind of object the plugin reads from clusters. */
export interface ResourceType {
  /** `v1` or `<group>/<version>`. */
  apiVersion: string;
  kind: string;
  /** Plural resource name, as in the API path. */
  plural: string;
  /** `true` for kinds that live outside namespaces (Namespaces...). */
  clusterScoped?: boolean;
  /**
   * The fields read of this kind, for kinds whose manifests are never
   * shown: the cache keeps only these (see `keepFields`). Kinds without
   * keep their whole manifest, less the bookkeeping.
   */
  keep?: z.ZodType;
}

/**
 * A cluster that failed to answer. Its message is one line naming the
 * cluster, what failed and what to check; it never holds a response header,
 * a body dump or a credential.
 */
export class ClusterError extends Error {
  /** The cluster's name. */
  readonly cluster: string;
  /** The HTTP status, when the API server answered. */
  readonly status?: number;

  constructor(cluster: string, message: string, status?: number) {
    super(message);
    this.name = 'ClusterError';
    this.cluster = cluster;
    if (status !== undefined) this.status = status;
  }
}

interface CacheEntry {
  ready: Promise<ObjectCache<KubernetesObject>>;
  /** Set once `ready` has resolved. */
  synced: boolean;
  /**
   * `disconnected` is set while the watch is broken and not re-established,
   * with the latest failure.
   */
  status: { disconnected?: { since: Date; error: ClusterError } };
  /** The cached objects by their `backstage.io/kubernetes-id` label. */
  byKubernetesId: LabelIndex;
  stop(): Promise<void>;
}

/** How long a failure is logged at debug level after its warning. */
const WARN_AGAIN_AFTER_MS = 300_000;

/** The resource as `kubectl` and RBAC name it: `pods`, `deployments.apps`. */
function resourceName(type: ResourceType): string {
  const [group] = type.apiVersion.split('/');
  return type.apiVersion.includes('/')
    ? `${type.plural}.${group}`
    : type.plural;
}

/** A kind, whatever namespaces it is watched in: `apps/v1/deployments`. */
function kindKey(type: ResourceType): string {
  return `${type.apiVersion}/${type.plural}`;
}

function collectionPath(type: ResourceType, namespace?: string): string {
  const scope = namespace === undefined ? [] : ['namespaces', namespace];
  const segments = type.apiVersion.includes('/')
    ? ['apis', ...type.apiVersion.split('/'), ...scope, type.plural]
    : ['api', type.apiVersion, ...scope, type.plural];
  return `/${segments.map(s => encodeURIComponent(s)).join('/')}`;
}

/**
 * An object as kept in the cache: only the fields read, for kinds that say
 * which; otherwise, and for an object that does not fit its kind's fields
 * (kept for the readers to report), without the field managers' bookkeeping
 * (`managedFields`) and kubectl's last-applied copy, which nothing here
 * reads and which can be most of an object's size.
 */
function cached(
  type: ResourceType,
  object: KubernetesObject,
): KubernetesObject {
  const kept = type.keep ? keepFields(type.keep, object) : object;
  return kept !== object
    ? kept
    : (withoutBookkeeping(object) as KubernetesObject);
}

/** How many objects a list asks for at a time, as client-go's informers do. */
const LIST_PAGE_SIZE = 500;

function isExpired(error: unknown): boolean {
  return error instanceof ApiException && error.code === 410;
}

/**
 * A whole kind (in a namespace or everywhere), a page at a time, each page
 * reduced to what the cache keeps before the next is asked for: a cluster's
 * thousands of Pods never sit in memory twice over. Every page reads the
 * revision the first one read, so the list is one consistent snapshot; if the
 * cluster has compacted that revision before the last page (410 Expired), the
 * list starts over in one piece, as client-go's pager does.
 */
async function listInPages(
  objects: SharedDiscoveryObjectApi,
  type: ResourceType,
  namespace: string | undefined,
  pageSize: number,
  keep: (object: KubernetesObject) => KubernetesObject,
): Promise<KubernetesListObject<KubernetesObject>> {
  let page: ServedListPage = await objects.listPage(
    type.apiVersion,
    type.kind,
    namespace,
    keep,
    { limit: pageSize },
  );
  const items = [...page.items];
  for (;;) {
    const next = page.metadata?.continue;
    if (!next) break;
    try {
      page = await objects.listPage(
        type.apiVersion,
        type.kind,
        namespace,
        keep,
        {
          limit: pageSize,
          continueToken: next,
        },
      );
      for (const object of page.items) items.push(object);
    } catch (error) {
      if (!isExpired(error)) throw error;
      page = await objects.listPage(
        type.apiVersion,
        type.kind,
        namespace,
        keep,
      );
      items.length = 0;
      for (const object of page.items) items.push(object);
    }
  }
  return {
    apiVersion: page.apiVersion,
    kind: page.kind,
    metadata: { resourceVersion: page.metadata?.resourceVersion },
    items,
  };
}

function timeout(ms: number): Promise<never> {
  return new Promise((_, reject) => {
    const timer = setTimeout(() => {
      const error = new Error(`no answer within ${ms} ms`);
      error.name = 'TimeoutError';
      reject(error);
    }, ms);
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
  private readonly config?: Pick<ClusterConfig, 'auth' | 'source'>;
  private readonly logger: LoggerService;
  private readonly syncTimeoutMs: number;
  private readonly restartDelayMs: number;
  private readonly failureBackoffMs: number;
  private readonly listPageSize: number;
  private readonly entries = new Map<string, CacheEntry>();
  /** The namespaces watched, when not all. */
  private readonly namespaces?: readonly string[];
  /** When each failure was last logged as a warning. */
  private readonly warned = new Map<string, number>();
  /** Per kind, how many changes its watches have brought (see `revisionOf`). */
  private readonly changes = new Map<string, number>();
  /**
   * The client every informer lists with: each API version's resources are
   * discovered once per cluster, not once per kind watched.
   */
  private objectsClient?: SharedDiscoveryObjectApi;
  /** The TLS connections the cluster's lists and watches share. */
  private readonly connections = new ClusterConnections();

  constructor(options: {
    kubeConfig: KubeConfig;
    clusterName: string;
    /**
     * How the cluster is configured, so that failures name the setting to
     * check (the token, the kubeconfig context...).
     */
    config?: Pick<ClusterConfig, 'auth' | 'source'>;
    logger: LoggerService;
    /**
     * Watch only these namespaces (one watch per kind and namespace)
     * instead of every namespace. Cluster-scoped kinds are watched whole.
     */
    namespaces?: readonly string[];
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
    /** How many objects a list asks for at a time (default 500). */
    listPageSize?: number;
  }) {
    this.kubeConfig = options.kubeConfig;
    this.clusterName = options.clusterName;
    this.config = options.config;
    this.logger = options.logger;
    this.syncTimeoutMs = options.syncTimeoutMs ?? 10_000;
    this.restartDelayMs = options.restartDelayMs ?? 5_000;
    this.failureBackoffMs = options.failureBackoffMs ?? 30_000;
    this.listPageSize = options.listPageSize ?? LIST_PAGE_SIZE;
    if (options.namespaces) this.namespaces = [...options.namespaces];
  }

  /**
   * The cached objects of a kind, in one namespace or all. The first call for
   * a kind lists it from the cluster and starts watching; a failed first
   * list rejects with a {@link ClusterError}, and so does every call within
   * the failure backoff; the next call after it tries again.
   */
  async list(
    type: ResourceType,
    namespace?: string,
  ): Promise<readonly KubernetesObject[]> {
    const scopes = this.scopes(type, namespace);
    const caches = await Promise.all(
      scopes.map(scope => this.current(type, this.entry(type, scope))),
    );
    return scopes.length === 1 && scopes[0] === undefined
      ? caches[0].list(namespace)
      : caches.flatMap(cache => cache.list());
  }

  /**
   * The cached objects of a kind labelled `backstage.io/kubernetes-id:
   * <id>`, in one namespace or all, as {@link ClusterObjectCache.list} would
   * filter them, from an index kept as watch events arrive: what it costs
   * depends on the service's objects, not the cluster's.
   */
  async listByKubernetesId(
    type: ResourceType,
    id: string,
    namespace?: string,
  ): Promise<readonly KubernetesObject[]> {
    const entries = this.scopes(type, namespace).map(scope =>
      this.entry(type, scope),
    );
    await Promise.all(entries.map(entry => this.current(type, entry)));
    return entries.flatMap(entry => entry.byKubernetesId.get(id, namespace));
  }

  /**
   * Waits until the caches of these kinds (in one namespace or all) are
   * current, rejecting as {@link ClusterObjectCache.list} would (a failed
   * list, a broken watch, a namespace not watched), and answers a token that
   * changes whenever an object of one of them is added, changed or deleted,
   * by a watch event or a relist: what was computed from these kinds can be
   * reused for as long as the token is the same.
   */
  async revisionOf(
    types: readonly ResourceType[],
    namespace?: string,
  ): Promise<string> {
    const entries = types.flatMap(type =>
      this.scopes(type, namespace).map(scope => ({
        type,
        entry: this.entry(type, scope),
      })),
    );
    // Asked on every view: waits (and fails) only when a cache is not
    // current.
    if (
      entries.some(({ entry }) => !entry.synced || entry.status.disconnected)
    ) {
      await Promise.all(
        entries.map(({ type, entry }) => this.current(type, entry)),
      );
    }
    return types.map(type => this.changes.get(kindKey(type)) ?? 0).join(',');
  }

  /**
   * The namespaces watched when the configuration names some (Istio's root
   * namespace included); undefined when every namespace is.
   */
  get watchedNamespaces(): readonly string[] | undefined {
    return this.namespaces;
  }

  /**
   * Which watches hold a kind's objects of a namespace (or of all): the
   * cluster-wide one, or those of the namespaces configured. A namespace
   * outside them is an error, not an empty answer.
   */
  private scopes(
    type: ResourceType,
    namespace: string | undefined,
  ): Array<string | undefined> {
    const watched = this.namespaces;
    if (!watched || type.clusterScoped) return [undefined];
    if (namespace === undefined) return [...watched];
    if (watched.includes(namespace)) return [namespace];
    throw new ClusterError(
      this.clusterName,
      `cluster ${
        this.clusterName
      }: namespace ${namespace} is not one the backend watches (${watched.join(
        ', ',
      )}); add it to the cluster's namespaces in the meshLifecycle configuration`,
    );
  }

  /** The entry's cache once synchronised, unless its watch is broken. */
  private async current(
    type: ResourceType,
    entry: CacheEntry,
  ): Promise<ObjectCache<KubernetesObject>> {
    const cache = await entry.ready;
    const { disconnected } = entry.status;
    if (disconnected) {
      // Objects from a broken watch may be stale: say so rather than serve
      // them as current.
      const { error } = disconnected;
      throw new ClusterError(
        this.clusterName,
        `${error.message} (${
          type.kind
        } watch broken since ${disconnected.since.toISOString()})`,
        error.status,
      );
    }
    return cache;
  }

  /**
   * Starts the informers of these kinds (those not started yet) and waits
   * for their first lists. Never rejects: a kind whose list failed is
   * counted in `failed`, its failure logged and answered as on a view.
   */
  async warm(types: readonly ResourceType[]): Promise<{ failed: string[] }> {
    const outcomes = await Promise.allSettled(
      types.map(type =>
        Promise.all(
          this.scopes(type, undefined).map(
            scope => this.entry(type, scope).ready,
          ),
        ),
      ),
    );
    return {
      failed: types
        .filter((_, i) => outcomes[i].status === 'rejected')
        .map(type => resourceName(type)),
    };
  }

  /**
   * A failed call to this cluster as a {@link ClusterError} (one line: what
   * failed and what to check), its detail logged (credentials redacted): as a
   * warning, or at debug level when the same failure was warned about in the
   * last five minutes (a broken watch fails again at every restart).
   */
  failure(error: unknown, type?: ResourceType): ClusterError {
    if (error instanceof ClusterError) return error;
    const { summary, detail, code } = describeClusterFailure(error, {
      cluster: this.clusterName,
      ...(this.config ? { config: this.config } : {}),
      ...(type ? { resource: resourceName(type) } : {}),
    });
    const now = Date.now();
    for (const [warned, at] of this.warned) {
      if (now - at >= WARN_AGAIN_AFTER_MS) this.warned.delete(warned);
    }
    if (this.warned.has(summary)) {
      this.logger.debug(detail);
    } else {
      this.warned.set(summary, now);
      this.logger.warn(detail);
    }
    return new ClusterError(this.clusterName, summary, code);
  }

  /** Stops every informer. */
  async stop(): Promise<void> {
    const entries = [...this.entries.values()];
    this.entries.clear();
    await Promise.allSettled(entries.map(entry => entry.stop()));
    this.connections.close();
  }

  private entry(type: ResourceType, namespace?: string): CacheEntry {
    const key = `${type.apiVersion}/${type.plural}${
      namespace === undefined ? '' : `@${namespace}`
    }`;
    const existing = this.entries.get(key);
    if (existing) {
      return existing;
    }
    const entry = this.start(type, key, namespace);
    this.entries.set(key, entry);
    return entry;
  }

  private start(
    type: ResourceType,
    key: string,
    namespace: string | undefined,
  ): CacheEntry {
    const objects = (this.objectsClient ??= SharedDiscoveryObjectApi.forCluster(
      this.kubeConfig,
      this.connections,
    ));
    const byKubernetesId = new LabelIndex(ANNOTATION_KUBERNETES_ID);
    // The informer, once made (it lists and watches only once started).
    const made: { informer?: ListWatch<KubernetesObject> } = {};
    // What the cache keeps of an object listed or watched, seen before the
    // informer replaces the version it holds: an object whose label changed
    // leaves its former value's objects.
    const keep = (object: KubernetesObject) => {
      const kept = cached(type, object);
      const name = kept.metadata?.name;
      if (name !== undefined) {
        byKubernetesId.replacing(
          made.informer?.get(name, kept.metadata?.namespace),
          kept,
        );
      }
      return kept;
    };
    const informer = new ListWatch<KubernetesObject>(
      collectionPath(type, namespace),
      new ClusterWatch(this.kubeConfig, this.connections, keep),
      () => listInPages(objects, type, namespace, this.listPageSize, keep),
      false,
    );
    made.informer = informer;
    const kind = kindKey(type);
    const changed = () =>
      this.changes.set(kind, (this.changes.get(kind) ?? 0) + 1);
    informer.on(ADD, object => {
      byKubernetesId.put(object);
      changed();
    });
    informer.on(UPDATE, object => {
      byKubernetesId.put(object);
      changed();
    });
    informer.on(DELETE, object => {
      byKubernetesId.remove(object);
      changed();
    });
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
      status.disconnected = {
        since: status.disconnected?.since ?? new Date(),
        error: this.failure(error, type),
      };
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
      timeout(this.syncTimeoutMs),
    ]).catch((error: unknown) => {
      throw this.failure(error, type);
    });
    const created: CacheEntry = {
      ready,
      synced: false,
      status,
      byKubernetesId,
      stop: async () => {
        stopped = true;
        clearTimeout(restartTimer);
        await informer.stop();
      },
    };
    ready.then(
      () => {
        created.synced = true;
      },
      () => {},
    );
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
