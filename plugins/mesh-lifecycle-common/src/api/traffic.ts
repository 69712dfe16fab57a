import { SourceOutcome } from './mesh';

/**
 * A service's golden signals over a window, as its server-side proxies
 * report them (`reporter="destination"`). A figure is `null` when there was
 * no traffic to compute it from.
 *
 * @public
 */
export interface TrafficFigures {
  requestsPerSecond: number | null;
  successRatio: number | null;
  ratio4xx: number | null;
  ratio5xx: number | null;
  latencyMs: { p50: number | null; p95: number | null; p99: number | null };
  /** Share of requests received over mutual TLS. */
  mtlsShare: number | null;
  /** Observed split per version (the `version` label of the pods). */
  versions: Array<{
    version: string;
    requestsPerSecond: number;
    share: number;
  }>;
}

/**
 * The `traffic` answer for an entity: the figures from each Prometheus that
 * watches its clusters, each source reporting on its own.
 *
 * @public
 */
export interface TrafficResponse {
  entityRef: string;
  windowSeconds: number;
  sources: Array<SourceOutcome<{ figures: TrafficFigures }>>;
}
