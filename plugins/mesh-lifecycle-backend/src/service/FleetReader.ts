import {
  BackstageCredentials,
  CacheService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  ANNOTATION_KUBERNETES_ID,
  FleetClusterWorkloads,
  FleetResponse,
  FleetService,
  FleetTrafficFigures,
  ISTIO_SERVICE_LABELS,
  PromQL,
  SourceOutcome,
  RECORDED_P95_LATENCY_5M,
  hasRecordedP95,
  istioQueries,
  matchesLabelSelector,
  readServiceDeclaration,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import { z } from 'zod';
import { parseObjects } from '../clusters/objectSchemas';
import { KUBERNETES_RESOURCES } from '../clusters/resources';
import { VectorSample } from '../prometheus/PrometheusClient';
import { MeshCluster } from './ClusterMeshReader';
import { sourceError } from './sourceError';
import { TrafficSource } from './TrafficReader';

const PAGE_SIZE = 1_000;

/** The entity fields the fleet needs: enough for `readServiceDeclaration`. */
const ENTITY_FIELDS = [
  'kind',
  'metadata.namespace',
  'metadata.name',
  'metadata.title',
  'metadata.annotations',
  'spec.lifecycle',
];

/** Only what counting replicas needs of a Deployment. */
const workloadSchema = z.object({
  metadata: z.object({
    namespace: z.string().optional(),
    labels: z.record(z.string(), z.string()).optional(),
  }),
  spec: z.object({ replicas: z.number().optional() }).optional(),
  status: z.object({ readyReplicas: z.number().optional() }).optional(),
});

interface Workloads {
  /** Its `backstage.io/kubernetes-id` label. */
  id?: string;
  labels: Record<string, string>;
  namespace: string;
  replicas: number;
  readyReplicas: number;
}

/** The Deployments of one cluster, all and per `backstage.io/kubernetes-id`. */
interface ClusterWorkloads {
  all: Workloads[];
  byId: Map<string, Workloads[]>;
}

/** Per `<namespace>/<service>`, the figures of one Prometheus. */
type SourceFigures = Map<string, FleetTrafficFigures>;

const NO_FIGURES: FleetTrafficFigures = {
  requestsPerSecond: null,
  successRatio: null,
  ratio5xx: null,
  p95LatencyMs: null,
  mtlsShare: null,
};

const [SERVICE_LABEL, NAMESPACE_LABEL] = ISTIO_SERVICE_LABELS;

function serviceKey(namespace: string, service: string): string {
  return `${namespace}/${service}`;
}

function byService(samples: VectorSample[]): Map<string, number | null> {
  const values = new Map<string, number | null>();
  for (const sample of samples) {
    const service = sample.metric[SERVICE_LABEL];
    const namespace = sample.metric[NAMESPACE_LABEL];
    if (service === undefined || namespace === undefined) continue;
    const parsed = Number(sample.value[1]);
    values.set(
      serviceKey(namespace, service),
      Number.isFinite(parsed) ? parsed : null,
    );
  }
  return values;
}

/** A source's fleet figures, when they were asked for and computed. */
interface TimedFigures {
  figures: SourceFigures;
  asOf: Date;
  /** When they were computed (ms since the epoch), here or by another replica. */
  computedAt: number;
}

/** Figures kept for reuse: fresh until `until`, answered stale until `staleUntil`. */
interface RecentFigures {
  until: number;
  staleUntil: number;
  figures: Promise<TimedFigures>;
  settled: boolean;
  /** Whether newer figures are being computed behind. */
  refreshing?: boolean;
  /** When the settled figures were computed. */
  computedAt?: number;
}

const nullableNumber = z.number().nullable();

/** Figures as another replica shared them through the cache service. */
const sharedFiguresSchema = z.object({
  asOf: z.string(),
  computedAt: z.number(),
  figures: z.array(
    z.tuple([
      z.string(),
      z.object({
        requestsPerSecond: nullableNumber,
        successRatio: nullableNumber,
        ratio5xx: nullableNumber,
        p95LatencyMs: nullableNumber,
        mtlsShare: nullableNumber,
      }),
    ]),
  ),
});

/**
 * The key figures of every mesh service in the catalog: one PromQL query per
 * figure and Prometheus for the whole fleet, grouped by service, and the
 * replicas of each service's Deployments from the clusters' watch caches.
 * Each Prometheus and each cluster answers or fails on its own, and a
 * service with malformed annotations is listed with its error.
 */
export class FleetReader {
  private readonly catalog: CatalogService;
  private readonly clusters: MeshCluster[];
  private readonly sources: TrafficSource[];
  private readonly logger: LoggerService;
  private readonly figuresTtlMs: number;
  private readonly figuresStaleMs: number;
  private readonly shared?: CacheService;
  /** Sources configured with recording rules found without them (warned once). */
  private readonly missingRecordings = new Set<string>();
  /** Figures of each source and window, computed recently. */
  private readonly recent = new Map<string, RecentFigures>();
  /** Each Deployment object of the watch caches, parsed once. */
  private readonly parsed = new WeakMap<object, Workloads>();

  constructor(options: {
    catalog: CatalogService;
    clusters: MeshCluster[];
    sources: TrafficSource[];
    logger: LoggerService;
    /**
     * How long a source's fleet figures are reused (default 10 s, as the
     * Prometheus answers are cached); 0 turns reuse off.
     */
    figuresTtlMs?: number;
    /**
     * How long after that they may still be answered while new ones are
     * computed behind (default 5 minutes): a viewer then waits for no
     * Prometheus, and the answer says how old the figures are. 0: every
     * viewer after the reuse period waits for new figures.
     */
    figuresStaleMs?: number;
    /**
     * Where replicas share their figures (Backstage's cache service): a
     * replica's first view, and one whose figures aged, reads another's
     * instead of asking Prometheus. Optional.
     */
    shared?: CacheService;
  }) {
    this.catalog = options.catalog;
    this.clusters = options.clusters;
    this.sources = options.sources;
    this.logger = options.logger;
    this.figuresTtlMs = options.figuresTtlMs ?? 10_000;
    this.figuresStaleMs = options.figuresStaleMs ?? 300_000;
    this.shared = options.shared;
  }

  async read(options: {
    credentials: BackstageCredentials;
    windowSeconds: number;
    at?: Date;
  }): Promise<FleetResponse> {
    const [entities, prometheus, clusters] = await Promise.all([
      this.entities(options.credentials),
      Promise.all(
        this.sources.map(source =>
          outcome(source.client.name, () =>
            this.recentFigures(source, options),
          ),
        ),
      ),
      Promise.all(
        this.clusters.map(cluster =>
          outcome(cluster.name, () => this.workloads(cluster)),
        ),
      ),
    ]);

    const services = entities
      .map(entity =>
        this.service(entity, {
          prometheus: prometheus.map((result, i) => ({
            source: this.sources[i],
            figures: result.value?.figures,
          })),
          clusters: clusters.map((result, i) => ({
            cluster: this.clusters[i],
            workloads: result.value,
          })),
        }),
      )
      .sort((a, b) => a.entityRef.localeCompare(b.entityRef));

    return {
      windowSeconds: options.windowSeconds,
      services,
      prometheus: prometheus.map(result =>
        result.outcome.status === 'ok'
          ? {
              ...result.outcome,
              series: result.value?.figures.size ?? 0,
              ...(result.value
                ? { asOf: result.value.asOf.toISOString() }
                : {}),
            }
          : result.outcome,
      ),
      clusters: clusters.map(result =>
        result.outcome.status === 'ok'
          ? {
              ...result.outcome,
              workloads: result.value?.all.length ?? 0,
            }
          : result.outcome,
      ),
    };
  }

  /** Every entity with a Kubernetes id the caller may see, page by page. */
  private async entities(credentials: BackstageCredentials): Promise<Entity[]> {
    const entities: Entity[] = [];
    const query = {
      [`metadata.annotations.${ANNOTATION_KUBERNETES_ID}`]: { $exists: true },
    };
    let cursor: string | undefined;
    do {
      const page = await this.catalog.queryEntities(
        cursor
          ? { cursor, limit: PAGE_SIZE, fields: ENTITY_FIELDS }
          : { query, limit: PAGE_SIZE, fields: ENTITY_FIELDS },
        { credentials },
      );
      entities.push(...page.items);
      cursor = page.pageInfo.nextCursor;
    } while (cursor);
    // A catalog that ignores the query answers every entity.
    return entities.filter(
      e => e.metadata.annotations?.[ANNOTATION_KUBERNETES_ID] !== undefined,
    );
  }

  /**
   * The source's figures, reused for a while: the cached Prometheus answers
   * would be the same, and validating and regrouping thousands of series
   * again costs more than the rest of a warm fleet answer. After that, for
   * `figuresStaleMs`, the last figures are answered at once while new ones
   * are computed behind (one computation at a time); a failed one is
   * forgotten, so that the next viewer waits and sees the failure.
   */
  private recentFigures(
    source: TrafficSource,
    options: { windowSeconds: number; at?: Date },
  ): Promise<TimedFigures> {
    if (options.at || this.figuresTtlMs <= 0) {
      return this.timedFigures(source, options);
    }
    const key = `${source.client.name}\n${options.windowSeconds}`;
    const now = Date.now();
    const hit = this.recent.get(key);
    if (hit && hit.until > now) {
      return hit.figures;
    }
    if (hit?.settled && hit.staleUntil > now) {
      this.refresh(key, hit, source, options);
      return hit.figures;
    }
    for (const [k, entry] of this.recent) {
      if (entry.staleUntil <= now) this.recent.delete(k);
    }
    const entry = this.remember(
      key,
      this.sharedOrComputed(key, source, options, { stale: true }),
    );
    // Another replica's figures, past their reuse period: refresh behind.
    entry.figures.then(
      () => {
        if (entry.until <= Date.now())
          this.refresh(key, entry, source, options);
      },
      () => {},
    );
    return entry.figures;
  }

  /** Starts computing newer figures behind a settled entry, once. */
  private refresh(
    key: string,
    hit: RecentFigures,
    source: TrafficSource,
    options: { windowSeconds: number },
  ) {
    if (hit.refreshing) return;
    hit.refreshing = true;
    this.remember(
      key,
      this.sharedOrComputed(key, source, options, {
        newerThan: hit.computedAt ?? 0,
      }),
      { ifNewer: hit },
    );
  }

  /**
   * Figures another replica shared, when they will do (fresh, or with
   * `stale` within the stale period; newer than `newerThan`); else computed
   * here and shared.
   */
  private async sharedOrComputed(
    key: string,
    source: TrafficSource,
    options: { windowSeconds: number },
    accept: { stale?: boolean; newerThan?: number },
  ): Promise<TimedFigures> {
    const shared = await this.readShared(key);
    const age = shared ? Date.now() - shared.computedAt : Infinity;
    if (
      shared &&
      shared.computedAt > (accept.newerThan ?? -Infinity) &&
      (age < this.figuresTtlMs ||
        (accept.stale && age < this.figuresTtlMs + this.figuresStaleMs))
    ) {
      return shared;
    }
    const computed = await this.timedFigures(source, options);
    this.share(key, computed);
    return computed;
  }

  private sharedKey(key: string): string {
    return `fleet-figures:${key.replace('\n', ':')}`;
  }

  private async readShared(key: string): Promise<TimedFigures | undefined> {
    if (!this.shared) return undefined;
    try {
      const parsed = sharedFiguresSchema.safeParse(
        await this.shared.get(this.sharedKey(key)),
      );
      if (!parsed.success) return undefined;
      return {
        asOf: new Date(parsed.data.asOf),
        computedAt: parsed.data.computedAt,
        figures: new Map(parsed.data.figures),
      };
    } catch (error) {
      this.logger.debug(`Reading shared fleet figures failed: ${error}`);
      return undefined;
    }
  }

  private share(key: string, figures: TimedFigures) {
    this.shared
      ?.set(
        this.sharedKey(key),
        {
          asOf: figures.asOf.toISOString(),
          computedAt: figures.computedAt,
          figures: [...figures.figures].map(([service, f]) => [
            service,
            {
              requestsPerSecond: f.requestsPerSecond,
              successRatio: f.successRatio,
              ratio5xx: f.ratio5xx,
              p95LatencyMs: f.p95LatencyMs,
              mtlsShare: f.mtlsShare,
            },
          ]),
        },
        { ttl: this.figuresTtlMs + this.figuresStaleMs },
      )
      .catch(error =>
        this.logger.debug(`Sharing the fleet figures failed: ${error}`),
      );
  }

  /**
   * Keeps figures being computed for reuse. With `ifNewer`, they replace
   * that entry once computed (a background refresh; on failure the entry is
   * forgotten).
   */
  private remember(
    key: string,
    figures: Promise<TimedFigures>,
    options: { ifNewer?: RecentFigures } = {},
  ): RecentFigures {
    const entry: RecentFigures = {
      until: Infinity,
      staleUntil: Infinity,
      figures,
      settled: false,
    };
    const { ifNewer } = options;
    if (!ifNewer) this.recent.set(key, entry);
    figures.then(
      ({ computedAt }) => {
        entry.until = computedAt + this.figuresTtlMs;
        entry.staleUntil = entry.until + this.figuresStaleMs;
        entry.computedAt = computedAt;
        entry.settled = true;
        if (ifNewer && this.recent.get(key) === ifNewer) {
          this.recent.set(key, entry);
        }
      },
      (error: unknown) => {
        const current = ifNewer ?? entry;
        if (this.recent.get(key) === current) this.recent.delete(key);
        if (ifNewer) {
          this.logger.debug(
            `Refreshing the fleet figures of ${
              key.split('\n')[0]
            } failed: ${error}`,
          );
        }
      },
    );
    return entry;
  }

  private async timedFigures(
    source: TrafficSource,
    options: { windowSeconds: number; at?: Date },
  ): Promise<TimedFigures> {
    const asOf = options.at ?? new Date();
    const figures = await this.figures(source, options);
    return { figures, asOf, computedAt: Date.now() };
  }

  /**
   * One query per figure for the whole fleet, grouped by service; the p95
   * from the recorded series where the source records them.
   */
  private async figures(
    source: TrafficSource,
    options: { windowSeconds: number; at?: Date },
  ): Promise<SourceFigures> {
    const { client } = source;
    const fleet = {};
    const window = options.windowSeconds;
    const ask = async (query: PromQL) =>
      byService(await client.instant(query, options.at));
    const recorded = source.recordingRules && hasRecordedP95(window);
    const [rate, success, r5xx, recordedP95, mtls] = await Promise.all([
      ask(istioQueries.requestRate(fleet, window)),
      ask(istioQueries.successRatio(fleet, window)),
      ask(istioQueries.errorRatio(fleet, window, '5xx')),
      ask(
        recorded
          ? istioQueries.recordedP95Latency(fleet)
          : istioQueries.latencyQuantile(fleet, window, 0.95),
      ),
      ask(istioQueries.mtlsShare(fleet, window)),
    ]);
    let p95 = recordedP95;
    if (recorded && p95.size === 0 && rate.size > 0) {
      // Configured, but nothing is recorded: the rules are not installed.
      if (!this.missingRecordings.has(client.name)) {
        this.missingRecordings.add(client.name);
        this.logger.warn(
          `${client.name} is configured with recordingRules but has no ${RECORDED_P95_LATENCY_5M} series; computing the fleet p95 from the buckets until the rules are installed`,
        );
      }
      p95 = await ask(istioQueries.latencyQuantile(fleet, window, 0.95));
    }
    const figures: SourceFigures = new Map();
    const keys = new Set([...rate.keys(), ...p95.keys()]);
    for (const key of keys) {
      const total = rate.get(key) ?? null;
      // A ratio whose numerator has no series is 0 when there was traffic.
      const ratio = (values: Map<string, number | null>) =>
        values.get(key) ?? (total ? 0 : null);
      figures.set(key, {
        requestsPerSecond: total,
        successRatio: ratio(success),
        ratio5xx: ratio(r5xx),
        p95LatencyMs: p95.get(key) ?? null,
        mtlsShare: ratio(mtls),
      });
    }
    return figures;
  }

  /** The cluster's Deployments, grouped by their Kubernetes id label. */
  private async workloads(cluster: MeshCluster): Promise<ClusterWorkloads> {
    const grouped: ClusterWorkloads = { all: [], byId: new Map() };
    for (const object of await cluster.objects.list(
      KUBERNETES_RESOURCES.deployments,
    )) {
      // The caches replace an object when it changes, so its parse holds.
      let workload = this.parsed.get(object);
      if (!workload) {
        const [d] = parseObjects(workloadSchema, [object], message =>
          this.logger.warn(
            `Ignoring a Deployment on cluster ${cluster.name}: ${message}`,
          ),
        );
        if (!d) continue;
        workload = {
          id: d.metadata.labels?.[ANNOTATION_KUBERNETES_ID],
          labels: d.metadata.labels ?? {},
          namespace: d.metadata.namespace ?? '',
          replicas: d.spec?.replicas ?? 1,
          readyReplicas: d.status?.readyReplicas ?? 0,
        };
        this.parsed.set(object, workload);
      }
      grouped.all.push(workload);
      if (workload.id === undefined) continue;
      const list = grouped.byId.get(workload.id) ?? [];
      list.push(workload);
      grouped.byId.set(workload.id, list);
    }
    return grouped;
  }

  private service(
    entity: Entity,
    answers: {
      prometheus: Array<{ source: TrafficSource; figures?: SourceFigures }>;
      clusters: Array<{ cluster: MeshCluster; workloads?: ClusterWorkloads }>;
    },
  ): FleetService {
    let declaration;
    try {
      declaration = readServiceDeclaration(entity);
    } catch (error) {
      return {
        entityRef: stringifyEntityRef(entity),
        status: 'error',
        error: sourceError(error),
      };
    }
    const { kubernetesId, labelSelector, namespace, cluster } =
      declaration.target;
    const traffic = answers.prometheus.flatMap(({ source, figures }) =>
      figures &&
      kubernetesId !== undefined &&
      namespace !== undefined &&
      (!cluster ||
        source.clusters.length === 0 ||
        source.clusters.includes(cluster))
        ? [
            {
              source: source.client.name,
              figures:
                figures.get(serviceKey(namespace, kubernetesId)) ?? NO_FIGURES,
            },
          ]
        : [],
    );
    const clusters = answers.clusters.flatMap(
      ({ cluster: c, workloads }): FleetClusterWorkloads[] => {
        if (!workloads || (cluster && c.name !== cluster)) return [];
        // As the Kubernetes plugin: by the label selector when declared.
        const candidates = labelSelector
          ? workloads.all.filter(w =>
              matchesLabelSelector(labelSelector, w.labels),
            )
          : workloads.byId.get(kubernetesId ?? '') ?? [];
        const owned = candidates.filter(
          w => namespace === undefined || w.namespace === namespace,
        );
        if (owned.length === 0 && !cluster) return [];
        return [
          {
            cluster: c.name,
            workloads: owned.length,
            replicas: owned.reduce((sum, w) => sum + w.replicas, 0),
            readyReplicas: owned.reduce((sum, w) => sum + w.readyReplicas, 0),
          },
        ];
      },
    );
    return {
      entityRef: declaration.entityRef,
      status: 'ok',
      ...(entity.metadata.title ? { title: entity.metadata.title } : {}),
      target: declaration.target,
      ...(declaration.declaredPhase
        ? { declaredPhase: declaration.declaredPhase }
        : {}),
      traffic,
      clusters,
    };
  }
}

async function outcome<T>(
  source: string,
  read: () => Promise<T>,
): Promise<{ outcome: SourceOutcome<{}>; value?: T }> {
  try {
    return { outcome: { source, status: 'ok' }, value: await read() };
  } catch (error) {
    return {
      outcome: { source, status: 'error', error: sourceError(error) },
    };
  }
}
