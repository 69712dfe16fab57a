import { InputError } from '@backstage/errors';
import { count, max, sum } from './aggregate';
import { divide } from './binaryOp';
import { histogramQuantile } from './histogramQuantile';
import { offset } from './offset';
import {
  EXPECTED_CLUSTER_NAME,
  EXPECTED_DNS_LABEL,
  check,
  isClusterName,
  isDnsLabel,
} from './kubernetesNames';
import { PromQL } from './PromQL';
import { DurationInput, promDuration } from './promDuration';
import { rate } from './rate';
import {
  LabelMatchers,
  matchRegex,
  notMatchRegex,
  oneOf,
  selector,
} from './selector';

/**
 * One service on the mesh: its Kubernetes Service name and namespace, and
 * optionally the Istio cluster ID (`destination_cluster` / `source_cluster`
 * label, `Kubernetes` by default in Istio) to restrict the figures to.
 *
 * @public
 */
export interface IstioTarget {
  service: string;
  namespace: string;
  cluster?: string;
}

/**
 * The whole fleet, or the part of it in the given namespaces, services and
 * cluster. Omitted fields do not filter; empty lists are rejected.
 *
 * @public
 */
export interface IstioFleet {
  namespaces?: readonly string[];
  services?: readonly string[];
  cluster?: string;
}

/**
 * What a golden-signal query covers: one service or a fleet. The result is
 * always grouped by service, so a fleet needs one query per figure.
 *
 * @public
 */
export type IstioScope = IstioTarget | IstioFleet;

/**
 * Options of the golden-signal queries.
 *
 * @public
 */
export interface IstioQueryOptions {
  /** Also group by `destination_version`, one series per version. */
  perVersion?: boolean;
}

/**
 * The labels every server-side golden-signal query groups by, in this order:
 * each result series names its service and namespace.
 *
 * @public
 */
export const ISTIO_SERVICE_LABELS = [
  'destination_service_name',
  'destination_service_namespace',
] as const;

/**
 * The series recorded by {@link meshLifecycleRecordingRules}: each service's
 * p95 server-side latency in milliseconds over 5 minutes, per Istio cluster.
 *
 * @public
 */
export const RECORDED_P95_LATENCY_5M =
  'destination_service:istio_request_duration_milliseconds:p95_rate5m';

/** The window the recorded series are computed over, in seconds. */
const RECORDED_WINDOW_SECONDS = 300;

const REQUESTS = 'istio_requests_total';
const DURATION_BUCKETS = 'istio_request_duration_milliseconds_bucket';
const VERSION = 'destination_version';

function isTarget(scope: IstioScope): scope is IstioTarget {
  return typeof scope === 'object' && scope !== null && 'service' in scope;
}

function names(
  values: readonly string[] | undefined,
  what: string,
): readonly string[] | undefined {
  if (values === undefined) return undefined;
  if (!Array.isArray(values) || values.length === 0) {
    throw new InputError(
      `The ${what} list of a fleet query must not be empty; omit it to cover all`,
    );
  }
  values.forEach(v => check(isDnsLabel(v), what, v, EXPECTED_DNS_LABEL));
  return values;
}

interface ScopeFilter {
  service?: string | readonly string[];
  namespace?: string | readonly string[];
  cluster?: string;
}

/** Validates a scope: names must be what Kubernetes and Istio allow. */
function scopeFilter(scope: IstioScope): ScopeFilter {
  if (typeof scope !== 'object' || scope === null) {
    throw new InputError('An Istio query needs a target or a fleet scope');
  }
  if (scope.cluster !== undefined) {
    check(
      isClusterName(scope.cluster),
      'cluster',
      scope.cluster,
      EXPECTED_CLUSTER_NAME,
    );
  }
  if (isTarget(scope)) {
    check(
      isDnsLabel(scope.service),
      'service name',
      scope.service,
      EXPECTED_DNS_LABEL,
    );
    check(
      isDnsLabel(scope.namespace),
      'namespace',
      scope.namespace,
      EXPECTED_DNS_LABEL,
    );
    return {
      service: scope.service,
      namespace: scope.namespace,
      cluster: scope.cluster,
    };
  }
  return {
    service: names(scope.services, 'service name'),
    namespace: names(scope.namespaces, 'namespace'),
    cluster: scope.cluster,
  };
}

function match(value: string | readonly string[] | undefined) {
  return typeof value === 'string' || value === undefined
    ? value
    : oneOf(value);
}

/** Server-side (`reporter="destination"`) matchers of the scope. */
function destination(
  scope: IstioScope,
  extra: LabelMatchers = {},
): LabelMatchers {
  const f = scopeFilter(scope);
  return {
    reporter: 'destination',
    destination_service_name: match(f.service),
    destination_service_namespace: match(f.namespace),
    destination_cluster: f.cluster,
    ...extra,
  };
}

function grouping(options: IstioQueryOptions, ...more: string[]): string[] {
  return [
    ...ISTIO_SERVICE_LABELS,
    ...(options.perVersion ? [VERSION] : []),
    ...more,
  ];
}

function requestRate(
  scope: IstioScope,
  window: DurationInput,
  options: IstioQueryOptions = {},
  extra: LabelMatchers = {},
): PromQL {
  return sum(rate(selector(REQUESTS, destination(scope, extra)), window), {
    by: grouping(options),
  });
}

function ratio(
  scope: IstioScope,
  window: DurationInput,
  options: IstioQueryOptions,
  extra: LabelMatchers,
): PromQL {
  return divide(
    requestRate(scope, window, options, extra),
    requestRate(scope, window, options),
  );
}

/**
 * Options of the caller and callee queries.
 *
 * @public
 */
export interface PeerQueryOptions {
  /** Only requests answered with a 5xx response code: the edge's errors. */
  only5xx?: boolean;
}

const SERVER_ERRORS: LabelMatchers = { response_code: matchRegex('5..') };

/**
 * The golden-signal queries of Istio services, built from the standard Istio
 * metrics. Server-side figures use `reporter="destination"` (what the
 * service's own sidecar saw); only `callees` uses `reporter="source"`, the
 * caller's view, since it describes the service's outgoing calls, which may
 * go to destinations without a sidecar. Every query is grouped by
 * `destination_service_name, destination_service_namespace` (plus
 * `destination_version` with `perVersion`), so a fleet scope yields one series
 * per service from a single query. Ratios are in [0, 1] and are NaN for a
 * service without traffic in the window.
 *
 * @public
 */
export const istioQueries = {
  /** Requests per second received. */
  requestRate(
    scope: IstioScope,
    window: DurationInput,
    options: IstioQueryOptions = {},
  ): PromQL {
    return requestRate(scope, window, options);
  },

  /**
   * Requests per second its callers' sidecars report sending to the service
   * (`reporter="source"`): they see calls its own sidecars never answered,
   * e.g. while it is scaled to zero.
   */
  requestRateReportedByCallers(
    target: IstioTarget,
    window: DurationInput,
  ): PromQL {
    const f = scopeFilter(target);
    return sum(
      rate(
        selector(REQUESTS, {
          reporter: 'source',
          destination_service_name: match(f.service),
          destination_service_namespace: match(f.namespace),
          destination_cluster: f.cluster,
        }),
        window,
      ),
      { by: [...ISTIO_SERVICE_LABELS] },
    );
  },

  /**
   * Requests per second the service received per Istio cluster ID
   * (`destination_cluster`), whatever cluster it is pinned to: tells which
   * cluster IDs a Prometheus has series of it for when the restricted query
   * finds none.
   */
  requestRateByIstioCluster(
    target: IstioTarget,
    window: DurationInput,
  ): PromQL {
    const f = scopeFilter({
      service: target.service,
      namespace: target.namespace,
    });
    return sum(
      rate(
        selector(REQUESTS, {
          reporter: 'destination',
          destination_service_name: match(f.service),
          destination_service_namespace: match(f.namespace),
        }),
        window,
      ),
      { by: ['destination_cluster'] },
    );
  },

  /**
   * How many Istio request series (of the Istio cluster, if given) existed
   * `ago` before the evaluation time: whether a Prometheus holds mesh
   * telemetry that far back.
   */
  telemetryPresence(scope: { cluster?: string }, ago: DurationInput): PromQL {
    const { cluster } = scopeFilter({ cluster: scope.cluster });
    return count(
      offset(selector(REQUESTS, { destination_cluster: cluster }), ago),
    );
  },

  /** Share of requests answered without a 5xx response code. */
  successRatio(
    scope: IstioScope,
    window: DurationInput,
    options: IstioQueryOptions = {},
  ): PromQL {
    return ratio(scope, window, options, {
      response_code: notMatchRegex('5..'),
    });
  },

  /** Share of requests answered with a 4xx or a 5xx response code. */
  errorRatio(
    scope: IstioScope,
    window: DurationInput,
    responseClass: '4xx' | '5xx',
    options: IstioQueryOptions = {},
  ): PromQL {
    if (responseClass !== '4xx' && responseClass !== '5xx') {
      throw new InputError(
        `Response class must be 4xx or 5xx, got ${String(responseClass)}`,
      );
    }
    return ratio(scope, window, options, {
      response_code: matchRegex(responseClass === '4xx' ? '4..' : '5..'),
    });
  },

  /**
   * Latency quantile in milliseconds, e.g. 0.5, 0.95 or 0.99, from the
   * server-side request duration histogram.
   */
  latencyQuantile(
    scope: IstioScope,
    window: DurationInput,
    quantile: number,
    options: IstioQueryOptions = {},
  ): PromQL {
    return histogramQuantile(
      quantile,
      sum(rate(selector(DURATION_BUCKETS, destination(scope)), window), {
        by: grouping(options, 'le'),
      }),
    );
  },

  /** Share of each version in the requests the service received. */
  trafficSplit(scope: IstioScope, window: DurationInput): PromQL {
    return divide(
      requestRate(scope, window, { perVersion: true }),
      requestRate(scope, window),
      { on: [...ISTIO_SERVICE_LABELS], groupLeft: [] },
    );
  },

  /**
   * Share of requests received over mutual TLS
   * (`connection_security_policy="mutual_tls"`, only set by the destination).
   */
  mtlsShare(
    scope: IstioScope,
    window: DurationInput,
    options: IstioQueryOptions = {},
  ): PromQL {
    return ratio(scope, window, options, {
      connection_security_policy: 'mutual_tls',
    });
  },

  /**
   * Requests per second received from each calling workload, grouped by
   * service and `source_canonical_service`, `source_workload` and
   * `source_workload_namespace` (the caller's service name, from the
   * workload's canonical-name or app label, and its workload; `unknown` for
   * callers without a sidecar).
   */
  callers(
    scope: IstioScope,
    window: DurationInput,
    options: PeerQueryOptions = {},
  ): PromQL {
    return sum(
      rate(
        selector(
          REQUESTS,
          destination(scope, options.only5xx ? SERVER_ERRORS : {}),
        ),
        window,
      ),
      {
        by: [
          ...ISTIO_SERVICE_LABELS,
          'source_canonical_service',
          'source_workload',
          'source_workload_namespace',
        ],
      },
    );
  },

  /**
   * Requests per second the service sends to each destination, as its own
   * sidecar reports them (`reporter="source"`, the caller's view), selected by
   * `source_canonical_service` (the service name, from the workload's
   * canonical-name or app label) and `source_workload_namespace`, grouped by
   * those and the destination service and workload.
   */
  callees(
    scope: IstioScope,
    window: DurationInput,
    options: PeerQueryOptions = {},
  ): PromQL {
    const f = scopeFilter(scope);
    return sum(
      rate(
        selector(REQUESTS, {
          reporter: 'source',
          source_canonical_service: match(f.service),
          source_workload_namespace: match(f.namespace),
          source_cluster: f.cluster,
          ...(options.only5xx ? SERVER_ERRORS : {}),
        }),
        window,
      ),
      {
        by: [
          'source_canonical_service',
          'source_workload_namespace',
          ...ISTIO_SERVICE_LABELS,
          'destination_workload',
          'destination_workload_namespace',
        ],
      },
    );
  },

  /**
   * The p95 latency of {@link istioQueries.latencyQuantile} read from the
   * series {@link meshLifecycleRecordingRules} records, instead of computing
   * `histogram_quantile` over every bucket series of the fleet: what makes a
   * large fleet's cold view fast. Only for a 5-minute window. A service seen
   * in several Istio clusters gets the highest of their p95s (quantiles cannot
   * be merged); pin a cluster to get its own.
   */
  recordedP95Latency(scope: IstioScope): PromQL {
    const f = scopeFilter(scope);
    return max(
      selector(RECORDED_P95_LATENCY_5M, {
        destination_service_name: match(f.service),
        destination_service_namespace: match(f.namespace),
        destination_cluster: f.cluster,
      }),
      { by: [...ISTIO_SERVICE_LABELS] },
    );
  },
};

/**
 * Whether {@link istioQueries.recordedP95Latency} can stand in for a p95 over
 * a window of this many seconds.
 *
 * @public
 */
export function hasRecordedP95(windowSeconds: number): boolean {
  return windowSeconds === RECORDED_WINDOW_SECONDS;
}

/**
 * A Prometheus recording rule.
 *
 * @public
 */
export interface RecordingRule {
  record: string;
  expr: PromQL;
}

/**
 * The recording rules Mesh Lifecycle reads when a Prometheus source is
 * configured with `recordingRules: true`, as one rule group for a Prometheus
 * rule file or a PrometheusRule (`spec.groups`). Install them where the fleet
 * is large: the fleet view then reads one series per service instead of
 * aggregating every request-duration bucket series on each cold view.
 *
 * @public
 */
export function meshLifecycleRecordingRules(
  options: { interval?: number | string } = {},
): { name: string; interval?: string; rules: RecordingRule[] } {
  return {
    name: 'mesh-lifecycle',
    ...(options.interval !== undefined
      ? { interval: promDuration(options.interval) }
      : {}),
    rules: [
      {
        record: RECORDED_P95_LATENCY_5M,
        expr: histogramQuantile(
          0.95,
          sum(
            rate(
              selector(DURATION_BUCKETS, { reporter: 'destination' }),
              RECORDED_WINDOW_SECONDS,
            ),
            { by: [...ISTIO_SERVICE_LABELS, 'destination_cluster', 'le'] },
          ),
        ),
      },
    ],
  };
}
