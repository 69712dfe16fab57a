import {
  BackstageCredentials,
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
  istioQueries,
  readServiceDeclaration,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import { z } from 'zod';
import { parseObjects } from '../clusters/objectSchemas';
import { KUBERNETES_RESOURCES } from '../clusters/resources';
import { PrometheusClient, VectorSample } from '../prometheus/PrometheusClient';
import { MeshCluster } from './ClusterMeshReader';
import { sourceError } from './sourceError';
import { TrafficSource } from './TrafficReader';

const PAGE_SIZE = 500;

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
  namespace: string;
  replicas: number;
  readyReplicas: number;
}

/** Per `backstage.io/kubernetes-id`, the Deployments of one cluster. */
type ClusterWorkloads = Map<string, Workloads[]>;

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

  constructor(options: {
    catalog: CatalogService;
    clusters: MeshCluster[];
    sources: TrafficSource[];
    logger: LoggerService;
  }) {
    this.catalog = options.catalog;
    this.clusters = options.clusters;
    this.sources = options.sources;
    this.logger = options.logger;
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
            this.figures(source.client, options),
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
            figures: result.value,
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
          ? { ...result.outcome, series: result.value?.size ?? 0 }
          : result.outcome,
      ),
      clusters: clusters.map(result =>
        result.outcome.status === 'ok'
          ? {
              ...result.outcome,
              workloads: [...(result.value?.values() ?? [])].reduce(
                (sum, list) => sum + list.length,
                0,
              ),
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

  /** One query per figure for the whole fleet, grouped by service. */
  private async figures(
    client: PrometheusClient,
    options: { windowSeconds: number; at?: Date },
  ): Promise<SourceFigures> {
    const fleet = {};
    const window = options.windowSeconds;
    const ask = async (query: PromQL) =>
      byService(await client.instant(query, options.at));
    const [rate, success, r5xx, p95, mtls] = await Promise.all([
      ask(istioQueries.requestRate(fleet, window)),
      ask(istioQueries.successRatio(fleet, window)),
      ask(istioQueries.errorRatio(fleet, window, '5xx')),
      ask(istioQueries.latencyQuantile(fleet, window, 0.95)),
      ask(istioQueries.mtlsShare(fleet, window)),
    ]);
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
    const deployments = parseObjects(
      workloadSchema,
      await cluster.objects.list(KUBERNETES_RESOURCES.deployments),
      message =>
        this.logger.warn(
          `Ignoring a Deployment on cluster ${cluster.name}: ${message}`,
        ),
    );
    const grouped: ClusterWorkloads = new Map();
    for (const d of deployments) {
      const id = d.metadata.labels?.[ANNOTATION_KUBERNETES_ID];
      if (id === undefined) continue;
      const list = grouped.get(id) ?? [];
      list.push({
        namespace: d.metadata.namespace ?? '',
        replicas: d.spec?.replicas ?? 1,
        readyReplicas: d.status?.readyReplicas ?? 0,
      });
      grouped.set(id, list);
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
    const { kubernetesId, namespace, cluster } = declaration.target;
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
        const owned = (workloads.get(kubernetesId ?? '') ?? []).filter(
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
