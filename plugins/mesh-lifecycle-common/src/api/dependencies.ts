import { SourceOutcome } from './mesh';

/**
 * A catalog entity a peer seen in telemetry maps to.
 *
 * @public
 */
export interface DependencyEntity {
  entityRef: string;
  title?: string;
  /** `spec.owner` as a full entity ref, e.g. `group:default/payments`. */
  owner?: string;
}

/**
 * The catalog side of a peer seen in telemetry: the entities whose
 * `backstage.io/kubernetes-id` (and `backstage.io/kubernetes-namespace`, when
 * set) name it — none when nothing matches, several when the match is
 * ambiguous (all are reported, none is picked) — and whether the catalog
 * declares the relation.
 *
 * @public
 */
export interface DependencyMapping {
  entities: DependencyEntity[];
  /**
   * For a caller: one of its entities `dependsOn` the service or consumes
   * one of its APIs. For a callee: the service `dependsOn` one of its
   * entities or consumes one of their APIs. Always false when the catalog
   * could not be read (see {@link DependenciesResponse.catalog}).
   */
  declared: boolean;
}

/**
 * A workload that called the service in the window, as the service's own
 * proxies report it (`reporter="destination"`).
 *
 * @public
 */
export interface DependencyCaller extends DependencyMapping {
  /** Istio's service name of the caller (`source_canonical_service`). */
  service: string;
  workload: string;
  namespace: string;
  /**
   * A caller without a sidecar (outside the mesh, or not injected): Istio
   * only knows it as `unknown`, so it maps to no entity.
   */
  external: boolean;
  requestsPerSecond: number;
  /**
   * Share of these requests answered with a 5xx, in [0, 1]; null when the
   * window holds no request to judge.
   */
  errorRatio: number | null;
}

/**
 * A service the service called in the window, as its own proxies report it
 * (`reporter="source"`), summed over the callee's workloads.
 *
 * @public
 */
export interface DependencyCallee extends DependencyMapping {
  /** `destination_service_name`. */
  service: string;
  namespace: string;
  requestsPerSecond: number;
  /**
   * Share of these requests answered with a 5xx, in [0, 1]; null when the
   * window holds no request to judge.
   */
  errorRatio: number | null;
}

/**
 * What one Prometheus saw of the service's callers and callees.
 *
 * @public
 */
export interface ObservedDependencies {
  callers: DependencyCaller[];
  callees: DependencyCallee[];
  /**
   * The Istio cluster ID the figures are restricted to, where the
   * Prometheus watches more clusters than the service's.
   */
  istioCluster?: string;
}

/**
 * A relation the catalog declares but no source saw traffic for. `title` and
 * `owner` are missing for an entity known only from an API's relations (a
 * consumer or provider of the API that declares nothing else), whose
 * `entityRef` is then as the relation holds it (lower case).
 *
 * @public
 */
export interface UnobservedDependency extends DependencyEntity {
  /**
   * How the catalog declares it: `dependsOn`, or through the API given in
   * `apiRef` (a dependent consumes an API the service provides, or the
   * service consumes an API the dependency provides).
   */
  via: 'dependsOn' | 'api';
  apiRef?: string;
}

/**
 * The `dependencies` answer for an entity: its live callers and callees from
 * each Prometheus that watches its clusters (each source reporting on its
 * own), mapped to catalog entities, and the relations the catalog declares
 * that none of the sources saw.
 *
 * @public
 */
export interface DependenciesResponse {
  entityRef: string;
  windowSeconds: number;
  /** The catalog look-up that maps peers to entities and declared relations. */
  catalog: SourceOutcome<object>;
  sources: Array<SourceOutcome<ObservedDependencies>>;
  /**
   * Declared relations not seen by any source that answered. Only
   * conclusive when the catalog and every source answered `ok`.
   */
  unobserved: {
    /** Entities that declare they depend on the service. */
    dependents: UnobservedDependency[];
    /** Entities the service declares it depends on. */
    dependencies: UnobservedDependency[];
  };
}
