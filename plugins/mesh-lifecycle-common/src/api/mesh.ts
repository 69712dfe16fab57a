import { ConfiguredRoute, PolicyScope } from '../mesh';

/**
 * The outcome of asking one upstream source (a cluster or a Prometheus):
 * every answer reports each source separately, so one failing source never
 * hides the others.
 *
 * @public
 */
export type SourceOutcome<T> =
  | ({ source: string; status: 'ok' } & T)
  | {
      source: string;
      status: 'error';
      error: {
        name: string;
        message: string;
        /**
         * Since when the source has been failing (ISO date-time): the first
         * answer of the backend replica that found it failing, with no
         * successful answer since.
         */
        since?: string;
      };
    };

/**
 * A workload (Deployment) of the service on a cluster.
 *
 * @public
 */
export interface MeshWorkload {
  kind: string;
  name: string;
  namespace: string;
  /** The `version` label of its pods, when set. */
  version?: string;
  replicas: number;
  readyReplicas: number;
  availableReplicas: number;
  updatedReplicas: number;
  /** Markers from the seed's lifecycle practice, e.g. `decommissioning`. */
  lifecycleStatus?: string;
  /**
   * The environment it runs in: its namespace's (label
   * `mesh-lifecycle.io/environment`, `environment` or `env`), else its
   * cluster's.
   */
  environment?: string;
}

/**
 * A pod of the service on a cluster.
 *
 * @public
 */
export interface MeshPod {
  name: string;
  namespace: string;
  /** The Deployment whose selector matches it, when one does. */
  workload?: string;
  /** The `version` label. */
  version?: string;
  /** `Pending`, `Running`, `Succeeded`, `Failed` or `Unknown`. */
  phase: string;
  /** Whether its `Ready` condition is true. */
  ready: boolean;
  /** Restarts summed over its containers. */
  restarts: number;
  /** Whether it runs an Istio sidecar (`istio-proxy` container). */
  sidecar: boolean;
  /** When it started, as an ISO date-time. */
  startTime?: string;
  /** The node it runs on. */
  node?: string;
}

/**
 * A Kubernetes Service of the service.
 *
 * @public
 */
export interface MeshKubernetesService {
  name: string;
  namespace: string;
  ports: Array<{ name?: string; port: number; protocol?: string }>;
}

/**
 * An Istio object that concerns the service.
 *
 * @public
 */
export interface MeshIstioObject {
  kind: string;
  apiVersion: string;
  name: string;
  namespace: string;
  /** For policies: whether it applies to the workload, namespace or mesh. */
  scope?: PolicyScope;
  /**
   * The object as the cluster serves it, without `managedFields` and the
   * last-applied-configuration annotation: for its summary
   * (`summarizeMeshObject`) and its YAML. Set on the objects listed in
   * `istioObjects`, not on references to them.
   */
  manifest?: { [key: string]: unknown };
}

/**
 * What one cluster runs of the service.
 *
 * @public
 */
export interface ClusterMesh {
  cluster: string;
  environment?: string;
  /** The Istio networking version the cluster serves and was read in. */
  istioNetworkingVersion?: string;
  /** The Istio security version the cluster serves and was read in. */
  istioSecurityVersion?: string;
  workloads: MeshWorkload[];
  pods: MeshPod[];
  services: MeshKubernetesService[];
  istioObjects: MeshIstioObject[];
  /** The traffic split as configured in its VirtualServices. */
  trafficSplit: ConfiguredRoute[];
  /** The mutual TLS mode in force for its workloads, and from where. */
  mtls: { mode: string; policy?: MeshIstioObject };
}

/**
 * The `mesh` answer for an entity: per cluster, what runs and how the mesh is
 * configured for it.
 *
 * @public
 */
export interface MeshResponse {
  entityRef: string;
  clusters: Array<SourceOutcome<ClusterMesh>>;
}
