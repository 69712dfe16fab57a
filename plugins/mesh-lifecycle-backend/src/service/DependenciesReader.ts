import { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  DEFAULT_NAMESPACE,
  RELATION_API_CONSUMED_BY,
  RELATION_API_PROVIDED_BY,
  RELATION_CONSUMES_API,
  RELATION_DEPENDENCY_OF,
  RELATION_DEPENDS_ON,
  RELATION_PROVIDES_API,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  ANNOTATION_KUBERNETES_ID,
  ANNOTATION_KUBERNETES_NAMESPACE,
  DependenciesResponse,
  DependencyCallee,
  DependencyCaller,
  DependencyEntity,
  DependencyMapping,
  IstioTarget,
  ObservedDependencies,
  PromQL,
  ServiceDeclaration,
  SourceOutcome,
  UnobservedDependency,
  istioQueries,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import { z } from 'zod';
import { PrometheusClient, VectorSample } from '../prometheus/PrometheusClient';
import { unconfiguredCluster } from './pinnedCluster';
import { sourceError } from './sourceError';
import {
  TrafficSource,
  istioClusterFilter,
  sourcesWatching,
} from './TrafficReader';

/** Istio's name of a peer it knows nothing about (no sidecar). */
const UNKNOWN = 'unknown';

const CATALOG_FIELDS = [
  'kind',
  'metadata.namespace',
  'metadata.name',
  'metadata.title',
  `metadata.annotations.${ANNOTATION_KUBERNETES_ID}`,
  `metadata.annotations.${ANNOTATION_KUBERNETES_NAMESPACE}`,
  'spec.owner',
  'relations',
];

const catalogEntity = z.object({
  kind: z.string(),
  metadata: z.object({
    name: z.string(),
    namespace: z.string().optional(),
    title: z.string().optional(),
    annotations: z.record(z.string(), z.string()).optional(),
  }),
  spec: z.object({ owner: z.unknown().optional() }).optional(),
  relations: z
    .array(z.object({ type: z.string(), targetRef: z.string() }))
    .optional(),
});

type CatalogEntity = z.infer<typeof catalogEntity>;

/** A fetched entity, its refs normalised for comparison. */
interface Known {
  entity: DependencyEntity;
  key: string;
  kubernetesId?: string;
  kubernetesNamespace?: string;
  /** Relation type to the normalised refs of its targets. */
  relations: Map<string, Set<string>>;
}

type RawCaller = Omit<DependencyCaller, keyof DependencyMapping>;
type RawCallee = Omit<DependencyCallee, keyof DependencyMapping>;
type Observed = SourceOutcome<{
  callers: RawCaller[];
  callees: RawCallee[];
  istioCluster?: string;
}>;

/** What the catalog says about the service and the peers seen. */
interface CatalogView {
  entities: Map<string, Known>;
  /** Dependents and dependencies, normalised ref to how they are declared. */
  dependents: Map<string, Omit<UnobservedDependency, keyof DependencyEntity>>;
  dependencies: Map<string, Omit<UnobservedDependency, keyof DependencyEntity>>;
}

const normalise = (ref: string) => ref.toLocaleLowerCase('en-US');

function ownerRef(owner: unknown, namespace: string): string | undefined {
  if (typeof owner !== 'string' || owner === '') return undefined;
  try {
    return stringifyEntityRef(
      parseEntityRef(owner, {
        defaultKind: 'group',
        defaultNamespace: namespace,
      }),
    );
  } catch {
    return undefined;
  }
}

function toKnown(entity: CatalogEntity): Known {
  const namespace = entity.metadata.namespace ?? DEFAULT_NAMESPACE;
  const entityRef = stringifyEntityRef({
    kind: entity.kind,
    namespace,
    name: entity.metadata.name,
  });
  const relations = new Map<string, Set<string>>();
  for (const relation of entity.relations ?? []) {
    const refs = relations.get(relation.type) ?? new Set<string>();
    refs.add(normalise(relation.targetRef));
    relations.set(relation.type, refs);
  }
  return {
    entity: {
      entityRef,
      ...(entity.metadata.title ? { title: entity.metadata.title } : {}),
      ...withOwner(ownerRef(entity.spec?.owner, namespace)),
    },
    key: normalise(entityRef),
    kubernetesId: entity.metadata.annotations?.[ANNOTATION_KUBERNETES_ID],
    kubernetesNamespace:
      entity.metadata.annotations?.[ANNOTATION_KUBERNETES_NAMESPACE],
    relations,
  };
}

function withOwner(owner: string | undefined) {
  return owner ? { owner } : {};
}

function targets(known: Known | undefined, type: string): Set<string> {
  return known?.relations.get(type) ?? new Set();
}

function sumBy<T extends { requestsPerSecond: number }>(
  rows: T[],
  key: (row: T) => string,
): T[] {
  const byKey = new Map<string, T>();
  for (const row of rows) {
    const seen = byKey.get(key(row));
    byKey.set(
      key(row),
      seen
        ? {
            ...seen,
            requestsPerSecond: seen.requestsPerSecond + row.requestsPerSecond,
          }
        : row,
    );
  }
  return [...byKey.values()].sort(
    (a, b) =>
      b.requestsPerSecond - a.requestsPerSecond || key(a).localeCompare(key(b)),
  );
}

/**
 * Each edge with the share of its requests answered with a 5xx: no 5xx
 * series for an edge that has requests is 0 (Istio keeps a series per
 * response code, so a missing one means none was answered so), and an edge
 * without requests in the window has no ratio.
 */
function withErrorRatios<T extends { requestsPerSecond: number }>(
  edges: T[],
  errors: T[],
  key: (row: T) => string,
): Array<T & { errorRatio: number | null }> {
  const errorRate = new Map(errors.map(e => [key(e), e.requestsPerSecond]));
  return edges.map(edge => ({
    ...edge,
    errorRatio:
      edge.requestsPerSecond > 0
        ? Math.min(1, (errorRate.get(key(edge)) ?? 0) / edge.requestsPerSecond)
        : null,
  }));
}

function rate(sample: VectorSample): number {
  const parsed = Number(sample.value[1]);
  return Number.isFinite(parsed) ? parsed : 0;
}

/**
 * Reads a service's live callers and callees from the Prometheus servers
 * that watch its clusters (each source answering on its own) and maps them
 * to catalog entities, their owners and the relations the catalog declares,
 * with one catalog query per answer, made with the caller's credentials.
 */
export class DependenciesReader {
  private readonly sources: TrafficSource[];
  private readonly catalog: CatalogService;
  private readonly clusterNames?: readonly string[];

  constructor(options: {
    sources: TrafficSource[];
    catalog: CatalogService;
    /** The configured clusters, to tell an entity pinned to another one. */
    clusterNames?: readonly string[];
  }) {
    this.sources = options.sources;
    this.catalog = options.catalog;
    this.clusterNames = options.clusterNames;
  }

  async read(
    declaration: ServiceDeclaration,
    options: {
      windowSeconds: number;
      credentials: BackstageCredentials;
      at?: Date;
    },
  ): Promise<DependenciesResponse> {
    const { kubernetesId, namespace, cluster } = declaration.target;
    if (!kubernetesId || !namespace) {
      throw new InputError(
        `${declaration.entityRef} needs the backstage.io/kubernetes-id and backstage.io/kubernetes-namespace annotations for its dependencies`,
      );
    }
    const service = { service: kubernetesId, namespace };
    const unconfigured = unconfiguredCluster(declaration, this.clusterNames);
    const sources = unconfigured ? [] : sourcesWatching(this.sources, cluster);
    const observed = await Promise.all(
      sources.map(async (source): Promise<Observed> => {
        const istioCluster = istioClusterFilter(source, cluster);
        const target: IstioTarget = istioCluster
          ? { ...service, cluster: istioCluster }
          : service;
        try {
          return {
            source: source.client.name,
            status: 'ok',
            ...(await this.observe(source.client, target, options)),
            ...(istioCluster ? { istioCluster } : {}),
          };
        } catch (error) {
          return {
            source: source.client.name,
            status: 'error',
            error: sourceError(error),
          };
        }
      }),
    );

    const peers = new Set<string>();
    for (const outcome of observed) {
      if (outcome.status !== 'ok') continue;
      outcome.callers.forEach(c => !c.external && peers.add(c.service));
      outcome.callees.forEach(c => peers.add(c.service));
    }
    let catalog: DependenciesResponse['catalog'];
    let view: CatalogView;
    try {
      view = await this.lookUp(declaration.entityRef, [...peers], options);
      catalog = { source: 'catalog', status: 'ok' };
    } catch (error) {
      view = {
        entities: new Map(),
        dependents: new Map(),
        dependencies: new Map(),
      };
      catalog = {
        source: 'catalog',
        status: 'error',
        error: sourceError(error),
      };
    }

    const seenDependents = new Set<string>();
    const seenDependencies = new Set<string>();
    const map = (
      name: string,
      ns: string,
      declared: CatalogView['dependents'],
      seen: Set<string>,
    ): DependencyMapping => {
      const matches = match(view.entities, name, ns);
      matches.forEach(m => seen.add(m.key));
      return {
        entities: matches.map(m => m.entity),
        declared: matches.some(m => declared.has(m.key)),
      };
    };
    const sourcesOut = observed.map(
      (outcome): SourceOutcome<ObservedDependencies> =>
        outcome.status !== 'ok'
          ? outcome
          : {
              source: outcome.source,
              status: 'ok',
              ...(outcome.istioCluster
                ? { istioCluster: outcome.istioCluster }
                : {}),
              callers: outcome.callers.map(caller => ({
                ...caller,
                ...(caller.external
                  ? { entities: [], declared: false }
                  : map(
                      caller.service,
                      caller.namespace,
                      view.dependents,
                      seenDependents,
                    )),
              })),
              callees: outcome.callees.map(callee => ({
                ...callee,
                ...map(
                  callee.service,
                  callee.namespace,
                  view.dependencies,
                  seenDependencies,
                ),
              })),
            },
    );
    const unobserved = (
      declared: CatalogView['dependents'],
      seen: Set<string>,
    ): UnobservedDependency[] =>
      [...declared.entries()]
        .filter(([key]) => !seen.has(key))
        .map(([key, how]) => ({
          ...(view.entities.get(key)?.entity ?? { entityRef: key }),
          ...how,
        }))
        .sort((a, b) => a.entityRef.localeCompare(b.entityRef));

    return {
      entityRef: declaration.entityRef,
      windowSeconds: options.windowSeconds,
      catalog,
      sources: unconfigured ? [unconfigured] : sourcesOut,
      unobserved: {
        dependents: unobserved(view.dependents, seenDependents),
        dependencies: unobserved(view.dependencies, seenDependencies),
      },
    };
  }

  private async observe(
    client: PrometheusClient,
    target: IstioTarget,
    options: { windowSeconds: number; at?: Date },
  ): Promise<{ callers: RawCaller[]; callees: RawCallee[] }> {
    const ask = (query: PromQL) => client.instant(query, options.at);
    const { windowSeconds } = options;
    const [callers, callerErrors, callees, calleeErrors] = await Promise.all([
      ask(istioQueries.callers(target, windowSeconds)),
      ask(istioQueries.callers(target, windowSeconds, { only5xx: true })),
      ask(istioQueries.callees(target, windowSeconds)),
      ask(istioQueries.callees(target, windowSeconds, { only5xx: true })),
    ]);
    const caller = (sample: VectorSample) => {
      const workload = sample.metric.source_workload ?? UNKNOWN;
      return {
        service: sample.metric.source_canonical_service ?? UNKNOWN,
        workload,
        namespace: sample.metric.source_workload_namespace ?? UNKNOWN,
        external: workload === UNKNOWN,
        requestsPerSecond: rate(sample),
      };
    };
    const callerKey = (c: {
      namespace: string;
      service: string;
      workload: string;
    }) => `${c.namespace}/${c.service}/${c.workload}`;
    const callee = (sample: VectorSample) => ({
      service: sample.metric.destination_service_name ?? UNKNOWN,
      namespace: sample.metric.destination_service_namespace ?? UNKNOWN,
      requestsPerSecond: rate(sample),
    });
    const calleeKey = (c: { namespace: string; service: string }) =>
      `${c.namespace}/${c.service}`;
    return {
      callers: withErrorRatios(
        sumBy(callers.map(caller), callerKey),
        sumBy(callerErrors.map(caller), callerKey),
        callerKey,
      ),
      callees: withErrorRatios(
        sumBy(callees.map(callee), calleeKey),
        sumBy(calleeErrors.map(callee), calleeKey),
        calleeKey,
      ),
    };
  }

  /**
   * One catalog query for the service itself, the entities related to it
   * (directly or through an API) and the entities named like the peers seen.
   */
  private async lookUp(
    entityRef: string,
    peers: string[],
    options: { credentials: BackstageCredentials },
  ): Promise<CatalogView> {
    const self = parseEntityRef(entityRef);
    const related = (type: string) => ({ [`relations.${type}`]: entityRef });
    const { items } = await this.catalog.getEntities(
      {
        filter: [
          {
            kind: self.kind,
            'metadata.namespace': self.namespace,
            'metadata.name': self.name,
          },
          related(RELATION_DEPENDS_ON),
          related(RELATION_DEPENDENCY_OF),
          related(RELATION_API_PROVIDED_BY),
          related(RELATION_API_CONSUMED_BY),
          ...(peers.length > 0
            ? [{ [`metadata.annotations.${ANNOTATION_KUBERNETES_ID}`]: peers }]
            : []),
        ],
        fields: CATALOG_FIELDS,
      },
      { credentials: options.credentials },
    );
    const entities = new Map<string, Known>();
    for (const item of items) {
      const parsed = catalogEntity.safeParse(item);
      if (!parsed.success) continue;
      const known = toKnown(parsed.data);
      entities.set(known.key, known);
    }
    const key = normalise(entityRef);
    const service = entities.get(key);
    const all = [...entities.values()];
    const pointingAt = (type: string) =>
      all.filter(e => targets(e, type).has(key)).map(e => e.key);

    const providedApis = new Set([
      ...targets(service, RELATION_PROVIDES_API),
      ...pointingAt(RELATION_API_PROVIDED_BY),
    ]);
    const consumedApis = new Set([
      ...targets(service, RELATION_CONSUMES_API),
      ...pointingAt(RELATION_API_CONSUMED_BY),
    ]);
    const dependents: CatalogView['dependents'] = new Map();
    const dependencies: CatalogView['dependencies'] = new Map();
    for (const ref of [
      ...targets(service, RELATION_DEPENDENCY_OF),
      ...pointingAt(RELATION_DEPENDS_ON),
    ]) {
      dependents.set(ref, { via: 'dependsOn' });
    }
    for (const ref of [
      ...targets(service, RELATION_DEPENDS_ON),
      ...pointingAt(RELATION_DEPENDENCY_OF),
    ]) {
      dependencies.set(ref, { via: 'dependsOn' });
    }
    // Through APIs, as either side of the pair of relations declares it.
    const viaApi = (
      into: CatalogView['dependents'],
      apis: Set<string>,
      fromApi: string,
      toApi: string,
    ) => {
      for (const apiRef of apis) {
        const api = entities.get(apiRef);
        const peersOfApi = [
          ...targets(api, fromApi),
          ...all.filter(e => targets(e, toApi).has(apiRef)).map(e => e.key),
        ];
        for (const ref of peersOfApi) {
          if (ref === key || into.has(ref)) continue;
          into.set(ref, {
            via: 'api',
            apiRef: api?.entity.entityRef ?? apiRef,
          });
        }
      }
    };
    viaApi(
      dependents,
      providedApis,
      RELATION_API_CONSUMED_BY,
      RELATION_CONSUMES_API,
    );
    viaApi(
      dependencies,
      consumedApis,
      RELATION_API_PROVIDED_BY,
      RELATION_PROVIDES_API,
    );
    return { entities, dependents, dependencies };
  }
}

/**
 * The entities named like a peer: same kubernetes-id, and the same
 * kubernetes-namespace when one matches exactly, else those without one.
 */
function match(
  entities: Map<string, Known>,
  name: string,
  namespace: string,
): Known[] {
  const named = [...entities.values()].filter(e => e.kubernetesId === name);
  const exact = named.filter(e => e.kubernetesNamespace === namespace);
  return (
    exact.length > 0 ? exact : named.filter(e => !e.kubernetesNamespace)
  ).sort((a, b) => a.key.localeCompare(b.key));
}
