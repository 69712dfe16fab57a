/**
 * A latency distribution whose quantiles are known exactly.
 *
 * - `lognormal`: log-normal with the given median and 95th percentile
 *   (`p95Ms` must exceed `medianMs`).
 * - `piecewise`: uniform within consecutive ranges; the first range starts at
 *   0 ms, each further one at the previous `upToMs`; `weight` is the relative
 *   share of requests falling in the range.
 *
 * @public
 */
export type LatencyDistribution =
  | { kind: 'lognormal'; medianMs: number; p95Ms: number }
  | {
      kind: 'piecewise';
      segments: Array<{ upToMs: number; weight: number }>;
    };

/**
 * One deployed version of a service and the share of its traffic.
 *
 * @public
 */
export interface VersionModel {
  /** Version label, e.g. `v1`; the workload is `<service>-<version>`. */
  version: string;
  /** Share of the service's traffic, 0-100 (normalised by the sum). */
  weight: number;
  /** Overrides the service's latency for this version. */
  latencyMs?: LatencyDistribution;
  /** Overrides the service's 5xx ratio for this version. */
  errorRatio5xx?: number;
  /** Overrides the service's 4xx ratio for this version. */
  errorRatio4xx?: number;
}

/**
 * A service of the mesh.
 *
 * @public
 */
export interface ServiceModel {
  name: string;
  namespace: string;
  versions: VersionModel[];
  /** Latency of every version without its own `latencyMs`. */
  latencyMs: LatencyDistribution;
  /** Share (0-1) of requests answered with a 5xx (default 0). */
  errorRatio5xx?: number;
  /** Share (0-1) of requests answered with a 4xx (default 0). */
  errorRatio4xx?: number;
  /** Share (0-1) of requests over mutual TLS (default 1). */
  mtlsShare?: number;
  /** Request protocol (default `http`). */
  protocol?: 'http' | 'grpc';
  /** Service account in the SPIFFE principal (default: the service name). */
  serviceAccount?: string;
  /** The service receives no traffic after this time. */
  idleAfter?: Date;
}

/**
 * Plain TCP traffic of an edge.
 *
 * @public
 */
export interface TcpTraffic {
  connectionsPerSecond: number;
  /** Bytes the source sends per connection. */
  sentBytesPerConnection: number;
  /** Bytes the source receives per connection. */
  receivedBytesPerConnection: number;
}

/**
 * The caller name of traffic from outside the mesh (no sidecar, so only the
 * destination reports it).
 *
 * @public
 */
export const EXTERNAL_SOURCE = 'unknown';

/**
 * Traffic from a source (a service name or {@link EXTERNAL_SOURCE}) to a
 * destination service.
 *
 * @public
 */
export interface EdgeModel {
  source: string;
  destination: string;
  /** HTTP or gRPC requests per second. */
  requestsPerSecond?: number;
  tcp?: TcpTraffic;
}

/**
 * A mesh and its traffic; plain data, deterministic given `seed`.
 *
 * The traffic volume of each edge fluctuates minute by minute by a factor
 * drawn uniformly from `[1 - jitter, 1 + jitter]` (seeded PRNG); ratios,
 * splits and latencies are exact expected values.
 *
 * @public
 */
export interface MeshModel {
  seed: number;
  /** Relative per-minute volume fluctuation of each edge (default 0.1). */
  jitter?: number;
  /** `source_cluster` / `destination_cluster` (default `Kubernetes`). */
  cluster?: string;
  services: ServiceModel[];
  edges: EdgeModel[];
}
