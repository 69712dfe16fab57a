import { CompoundEntityRef, parseEntityRef } from '@backstage/catalog-model';
import { InputError, ResponseError } from '@backstage/errors';
import {
  AlertsResponse,
  ClustersResponse,
  DependenciesResponse,
  FleetPhasesResponse,
  FleetResponse,
  LifecycleHistoryResponse,
  LifecycleResponse,
  MeshResponse,
  MeshValidationResponse,
  StepAnalysisResponse,
  TrafficResponse,
  TrafficShiftRecord,
  TrafficShiftsResponse,
  ArchivedObjectRecord,
  OpenRetirementsResponse,
  RetirementArchiveResponse,
  RetirementRecord,
  RetirementsResponse,
} from '../api';
import { ServiceDeclaration } from '../readServiceDeclaration';

const PLUGIN_ID = 'mesh-lifecycle';

/**
 * An entity, as a reference string (`component:default/checkout-service`,
 * the kind required) or in compound form.
 *
 * @public
 */
export type MeshLifecycleEntityRef = string | CompoundEntityRef;

/**
 * The read API of the mesh-lifecycle backend, as described by its OpenAPI
 * spec (`openapi.yaml` of the backend package): one method per operation.
 *
 * @public
 */
export interface MeshLifecycleApi {
  /** What the catalog declares about the service, as the backend validated it. */
  getDeclaration(
    entityRef: MeshLifecycleEntityRef,
  ): Promise<ServiceDeclaration>;
  /** Per cluster, what runs of the service and how the mesh is configured. */
  getMesh(entityRef: MeshLifecycleEntityRef): Promise<MeshResponse>;
  /**
   * The service's golden signals from each Prometheus, over the last
   * `windowSeconds` (30 to 86400; the backend's default when left out), and,
   * with `rangeSeconds`, as series over that range (60 to 604800), one point
   * every `stepSeconds` (10 to 86400, at most 1000 points; by default the
   * smallest step that fits). `stepSeconds` needs `rangeSeconds`.
   */
  getTraffic(
    entityRef: MeshLifecycleEntityRef,
    options?: MeshLifecycleTrafficOptions,
  ): Promise<TrafficResponse>;
  /**
   * The service's live callers and callees from each Prometheus over the
   * last `windowSeconds` (30 to 86400; the backend's default when left out),
   * mapped to catalog entities, and the declared relations none of them saw.
   */
  getDependencies(
    entityRef: MeshLifecycleEntityRef,
    options?: { windowSeconds?: number },
  ): Promise<DependenciesResponse>;
  /**
   * The alerting rules that concern the service from each Prometheus, and
   * the silences of each Alertmanager that mute its alerts.
   */
  getAlerts(entityRef: MeshLifecycleEntityRef): Promise<AlertsResponse>;
  /**
   * The key figures of every mesh service of the catalog the caller may see,
   * over the last `windowSeconds` (30 to 86400; the backend's default when
   * left out).
   */
  getFleet(options?: { windowSeconds?: number }): Promise<FleetResponse>;
  /**
   * The service's lifecycle: its phase with the evidence behind it, the
   * gates to the next phase, its health, and the mesh configuration
   * findings of each cluster. `drainWindowSeconds` (60 to 7776000) is the
   * quiet period the retire condition no-inbound-requests judges instead of
   * the configured one (a decommission's drain window).
   */
  getLifecycle(
    entityRef: MeshLifecycleEntityRef,
    options?: { drainWindowSeconds?: number },
  ): Promise<LifecycleResponse>;
  /**
   * The service's recorded lifecycle changes, newest first: at most `limit`
   * of them (1 to 1000; the backend's default, 100, when left out).
   */
  getHistory(
    entityRef: MeshLifecycleEntityRef,
    options?: { limit?: number },
  ): Promise<LifecycleHistoryResponse>;
  /**
   * The service's recorded traffic shifts, newest first: at most `limit` of
   * them (1 to 100; the backend's default, 10, when left out).
   */
  getTrafficShifts(
    entityRef: MeshLifecycleEntityRef,
    options?: { limit?: number },
  ): Promise<TrafficShiftsResponse>;
  /**
   * The service's retirement requests and their runs, newest first: at most
   * `limit` of them (1 to 100; the backend's default, 10, when left out).
   */
  getRetirements(
    entityRef: MeshLifecycleEntityRef,
    options?: { limit?: number },
  ): Promise<RetirementsResponse>;
  /** What a retirement's run deleted, as it was before (YAML). */
  getRetirementArchive(id: string): Promise<RetirementArchiveResponse>;
  /**
   * The open retirement requests of the services the caller may see: the
   * newest request of each, where it is not completed.
   */
  getOpenRetirements(): Promise<OpenRetirementsResponse>;
  /** The latest recorded lifecycle of every service the caller may see. */
  getFleetPhases(): Promise<FleetPhasesResponse>;
  /**
   * The clusters configured for Mesh Lifecycle, by name and environment (no
   * URLs, no credentials), in configuration order.
   */
  getClusters(): Promise<ClustersResponse>;
  /**
   * The mesh configuration validator's findings for every object of a
   * namespace (of every namespace when left out) on a configured cluster (on
   * every configured cluster when left out), whether or not a catalog
   * service claims it.
   */
  getValidation(options?: {
    cluster?: string;
    namespace?: string;
  }): Promise<MeshValidationResponse>;
}

/**
 * Options of {@link MeshLifecycleApi.getTraffic}, all in seconds.
 *
 * @public
 */
export interface MeshLifecycleTrafficOptions {
  /** Window each figure (and each point of a series) is computed over. */
  windowSeconds?: number;
  /** Length of the series to return, ending now; none when left out. */
  rangeSeconds?: number;
  /** Distance between the points of the series; needs `rangeSeconds`. */
  stepSeconds?: number;
}

/**
 * What {@link MeshLifecycleClient} needs to reach the backend. Structural, so
 * that the frontend's `discoveryApi` and `fetchApi` and a backend's
 * `DiscoveryService` fit alike.
 *
 * @public
 */
export interface MeshLifecycleClientOptions {
  discoveryApi: { getBaseUrl(pluginId: string): Promise<string> };
  /** Defaults to the global `fetch`, which sends no Backstage token. */
  fetchApi?: { fetch: typeof fetch };
}

/**
 * {@link MeshLifecycleApi} over HTTP. Throws a `ResponseError` carrying the
 * backend's error body when the backend answers with an error, and an
 * `InputError` for an entity reference that cannot name a route.
 *
 * @public
 */
export class MeshLifecycleClient implements MeshLifecycleApi {
  private readonly discoveryApi: MeshLifecycleClientOptions['discoveryApi'];
  private readonly fetch: typeof fetch;

  constructor(options: MeshLifecycleClientOptions) {
    this.discoveryApi = options.discoveryApi;
    const fetchApi = options.fetchApi;
    this.fetch = fetchApi
      ? (input, init) => fetchApi.fetch(input, init)
      : (input, init) => fetch(input, init);
  }

  async getDeclaration(
    entityRef: MeshLifecycleEntityRef,
  ): Promise<ServiceDeclaration> {
    return this.request(entityPath(entityRef, 'declaration'));
  }

  async getMesh(entityRef: MeshLifecycleEntityRef): Promise<MeshResponse> {
    return this.request(entityPath(entityRef, 'mesh'));
  }

  async getTraffic(
    entityRef: MeshLifecycleEntityRef,
    options: MeshLifecycleTrafficOptions = {},
  ): Promise<TrafficResponse> {
    return this.request(entityPath(entityRef, 'traffic'), {
      window: options.windowSeconds,
      range: options.rangeSeconds,
      step: options.stepSeconds,
    });
  }

  async getDependencies(
    entityRef: MeshLifecycleEntityRef,
    options: { windowSeconds?: number } = {},
  ): Promise<DependenciesResponse> {
    return this.request(entityPath(entityRef, 'dependencies'), {
      window: options.windowSeconds,
    });
  }

  async getAlerts(entityRef: MeshLifecycleEntityRef): Promise<AlertsResponse> {
    return this.request(entityPath(entityRef, 'alerts'));
  }

  async getFleet(
    options: { windowSeconds?: number } = {},
  ): Promise<FleetResponse> {
    return this.request(['fleet'], { window: options.windowSeconds });
  }

  async getLifecycle(
    entityRef: MeshLifecycleEntityRef,
    options: { drainWindowSeconds?: number } = {},
  ): Promise<LifecycleResponse> {
    return this.request(entityPath(entityRef, 'lifecycle'), {
      drainWindow: options.drainWindowSeconds,
    });
  }

  async getHistory(
    entityRef: MeshLifecycleEntityRef,
    options: { limit?: number } = {},
  ): Promise<LifecycleHistoryResponse> {
    return this.request(entityPath(entityRef, 'history'), {
      limit: options.limit,
    });
  }

  async getTrafficShifts(
    entityRef: MeshLifecycleEntityRef,
    options: { limit?: number } = {},
  ): Promise<TrafficShiftsResponse> {
    return this.request(entityPath(entityRef, 'shifts'), {
      limit: options.limit,
    });
  }

  async getRetirements(
    entityRef: MeshLifecycleEntityRef,
    options: { limit?: number } = {},
  ): Promise<RetirementsResponse> {
    return this.request(entityPath(entityRef, 'retirements'), {
      limit: options.limit,
    });
  }

  async getRetirementArchive(id: string): Promise<RetirementArchiveResponse> {
    return this.request(['retirements', id, 'archive']);
  }

  async getOpenRetirements(): Promise<OpenRetirementsResponse> {
    return this.request(['retirements']);
  }

  async getFleetPhases(): Promise<FleetPhasesResponse> {
    return this.request(['fleet', 'phases']);
  }

  async getClusters(): Promise<ClustersResponse> {
    return this.request(['clusters']);
  }

  async getValidation(
    options: { cluster?: string; namespace?: string } = {},
  ): Promise<MeshValidationResponse> {
    return this.request(['validation'], {
      cluster: options.cluster,
      namespace: options.namespace,
    });
  }

  /**
   * What a version of a service (or all of it) received over a window:
   * requests, 5xx ratio, p95, per Prometheus. For plugins (a traffic
   * shift's step analysis): the backend refuses users, so it is not part of
   * the browser's {@link MeshLifecycleApi}.
   */
  async getStepAnalysis(options: {
    cluster: string;
    namespace: string;
    service: string;
    version?: string;
    windowSeconds?: number;
  }): Promise<StepAnalysisResponse> {
    return this.request(['analysis'], {
      cluster: options.cluster,
      namespace: options.namespace,
      service: options.service,
      version: options.version,
      window: options.windowSeconds,
    });
  }

  /**
   * Records a traffic shift, or updates the record with the same id (its
   * steps so far, how it ended). For the scaffolder's `mesh:traffic:shift`:
   * the backend accepts it from plugins only.
   */
  async recordTrafficShift(record: TrafficShiftRecord): Promise<void> {
    await this.request<unknown>(['shifts', record.id], {}, record);
  }

  /**
   * Records a retirement request, or updates the one with the same id. For
   * the scaffolder's `mesh:service:decommission`: plugins only. A conflict
   * (`ResponseError` 409) when another run of the service is running.
   */
  async recordRetirement(record: RetirementRecord): Promise<void> {
    await this.request<unknown>(['retirements', record.id], {}, record);
  }

  /**
   * Archives objects a retirement's run is about to delete; sending one
   * again adds nothing. Plugins only.
   */
  async archiveRetirementObjects(
    id: string,
    objects: ArchivedObjectRecord[],
  ): Promise<void> {
    await this.request<unknown>(
      ['retirements', id, 'archive'],
      {},
      {
        objects,
      },
    );
  }

  private async request<T>(
    segments: readonly string[],
    query: Record<string, string | number | undefined> = {},
    body?: object,
  ): Promise<T> {
    const url = new URL(await this.discoveryApi.getBaseUrl(PLUGIN_ID));
    url.pathname = [
      url.pathname.replace(/\/+$/, ''),
      ...segments.map(segment => encodeURIComponent(segment)),
    ].join('/');
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined) {
        url.searchParams.set(key, String(value));
      }
    }
    const response = await this.fetch(
      url.toString(),
      body === undefined
        ? undefined
        : {
            method: 'PUT',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(body),
          },
    );
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  }
}

function entityPath(
  entityRef: MeshLifecycleEntityRef,
  route: string,
): string[] {
  let ref: CompoundEntityRef;
  try {
    ref = typeof entityRef === 'string' ? parseEntityRef(entityRef) : entityRef;
  } catch (error) {
    throw new InputError(
      `entityRef must name a kind, e.g. component:default/name, got ${JSON.stringify(
        entityRef,
      )}`,
      error,
    );
  }
  const { kind, namespace, name } = ref;
  for (const [field, value] of Object.entries({ kind, namespace, name })) {
    // "." and ".." would be resolved away by URL and reach another route.
    if (value === '' || value === '.' || value === '..') {
      throw new InputError(
        `entityRef ${field} must be a name, got ${JSON.stringify(value)}`,
      );
    }
  }
  return ['entities', kind, namespace, name, route];
}
