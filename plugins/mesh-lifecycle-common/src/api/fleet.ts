import { DeclaredPhase, ServiceTarget } from '../readServiceDeclaration';
import { SourceOutcome } from './mesh';

/**
 * The key figures of a service over a window, as one Prometheus reports
 * them (`reporter="destination"`). A figure is `null` when there was no
 * traffic to compute it from.
 *
 * @public
 */
export interface FleetTrafficFigures {
  requestsPerSecond: number | null;
  successRatio: number | null;
  ratio5xx: number | null;
  p95LatencyMs: number | null;
  /** Share of requests received over mutual TLS. */
  mtlsShare: number | null;
}

/**
 * What one cluster runs of a service: its Deployments and their replicas.
 *
 * @public
 */
export interface FleetClusterWorkloads {
  cluster: string;
  /** Number of Deployments labelled with the service's Kubernetes id. */
  workloads: number;
  replicas: number;
  readyReplicas: number;
}

/**
 * One service of the fleet: its figures from each Prometheus that answered
 * and watches its clusters, and its workloads on each cluster that answered.
 * A service whose annotations are malformed is listed with its error.
 *
 * @public
 */
export type FleetService =
  | {
      entityRef: string;
      status: 'ok';
      title?: string;
      target: ServiceTarget;
      declaredPhase?: DeclaredPhase;
      traffic: Array<{ source: string; figures: FleetTrafficFigures }>;
      clusters: FleetClusterWorkloads[];
    }
  | {
      entityRef: string;
      status: 'error';
      error: { name: string; message: string };
    };

/**
 * The `fleet` answer: the key figures of every mesh service in the catalog
 * the caller may see, with the outcome of each Prometheus and each cluster
 * reported on its own.
 *
 * @public
 */
export interface FleetResponse {
  windowSeconds: number;
  services: FleetService[];
  /**
   * Outcome of each Prometheus asked, with the number of services it has
   * figures of and when they were asked for (`asOf`): up to the reuse period
   * plus, while newer ones are computed behind, a few minutes old.
   */
  prometheus: Array<SourceOutcome<{ series: number; asOf?: string }>>;
  /** Outcome of each cluster asked, with the number of Deployments it runs. */
  clusters: Array<SourceOutcome<{ workloads: number }>>;
}
