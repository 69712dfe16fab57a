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
 * One point of a time series: `t` in Unix seconds, `v` null where there was
 * nothing to compute the figure from.
 *
 * @public
 */
export interface TrafficPoint {
  t: number;
  v: number | null;
}

/**
 * A service's golden signals over a time range, one point per step, each
 * point computed over the answer's window ending at that point.
 *
 * @public
 */
export interface TrafficSeries {
  /** First and last point, as ISO date-times. */
  start: string;
  end: string;
  stepSeconds: number;
  requestsPerSecond: TrafficPoint[];
  successRatio: TrafficPoint[];
  ratio4xx: TrafficPoint[];
  ratio5xx: TrafficPoint[];
  latencyMs: { p50: TrafficPoint[]; p95: TrafficPoint[]; p99: TrafficPoint[] };
  /** Requests per second received by each version. */
  versions: Array<{ version: string; requestsPerSecond: TrafficPoint[] }>;
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
  sources: Array<
    SourceOutcome<{
      figures: TrafficFigures;
      /** Present when a range was asked for. */
      series?: TrafficSeries;
      /**
       * The Istio cluster ID the figures are restricted to, where the
       * Prometheus watches more clusters than the service's.
       */
      istioCluster?: string;
      /**
       * What the answer may hide, e.g. that the figures are empty because
       * the Istio cluster ID they are restricted to is not the one the
       * Prometheus has series for.
       */
      warnings?: string[];
    }>
  >;
}
