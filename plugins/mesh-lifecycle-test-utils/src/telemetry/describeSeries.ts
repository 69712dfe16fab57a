import { createPrng } from './createPrng';
import { ISTIO_DURATION_BUCKETS_MS } from './histogramQuantile';
import { latencyCdf, latencyMean } from './latencyDistribution';
import {
  EXTERNAL_SOURCE,
  EdgeModel,
  LatencyDistribution,
  MeshModel,
  ServiceModel,
} from './MeshModel';

/** A metric family with its OpenMetrics name (counters without `_total`). */
export interface MetricFamily {
  name: string;
  type: 'counter' | 'histogram';
  help: string;
}

/** One counter series whose value grows with its edge's traffic. */
export interface SeriesSpec {
  family: MetricFamily;
  /** Sample name, e.g. `istio_requests_total` or `..._bucket`. */
  sample: string;
  labels: Record<string, string>;
  edgeIndex: number;
  /** Growth per second at nominal volume (jitter and idleness apart). */
  ratePerSecond: number;
}

const REQUESTS: MetricFamily = {
  name: 'istio_requests',
  type: 'counter',
  help: 'Total requests.',
};
const DURATION: MetricFamily = {
  name: 'istio_request_duration_milliseconds',
  type: 'histogram',
  help: 'Request duration in milliseconds.',
};
const TCP_SENT: MetricFamily = {
  name: 'istio_tcp_sent_bytes',
  type: 'counter',
  help: 'Total bytes sent during response in case of a TCP connection.',
};
const TCP_RECEIVED: MetricFamily = {
  name: 'istio_tcp_received_bytes',
  type: 'counter',
  help: 'Total bytes received during request in case of a TCP connection.',
};
const TCP_OPENED: MetricFamily = {
  name: 'istio_tcp_connections_opened',
  type: 'counter',
  help: 'Total TCP connections opened.',
};
const TCP_CLOSED: MetricFamily = {
  name: 'istio_tcp_connections_closed',
  type: 'counter',
  help: 'Total TCP connections closed.',
};

/** The families in the order they are written. */
export const METRIC_FAMILIES: readonly MetricFamily[] = [
  REQUESTS,
  DURATION,
  TCP_SENT,
  TCP_RECEIVED,
  TCP_OPENED,
  TCP_CLOSED,
];

interface Share<T> {
  value: T;
  share: number;
}

interface Outcome {
  code: string;
  grpcStatus: string;
  flags: string;
}

/** Finds a service by name, failing clearly on a model mistake. */
export function findService(model: MeshModel, name: string): ServiceModel {
  const found = model.services.filter(s => s.name === name);
  if (found.length !== 1) {
    throw new Error(
      `mesh model has ${found.length} services named "${name}", expected 1`,
    );
  }
  return found[0];
}

/** The versions of a service with their normalised traffic share. */
export function versionShares(service: ServiceModel) {
  const total = service.versions.reduce((sum, v) => sum + v.weight, 0);
  return service.versions.map(v => ({
    value: v,
    share: total > 0 ? v.weight / total : 0,
  }));
}

/** Latency and error ratios of one version, service defaults applied. */
export function versionBehaviour(
  service: ServiceModel,
  version: ServiceModel['versions'][number],
): { latency: LatencyDistribution; ratio5xx: number; ratio4xx: number } {
  return {
    latency: version.latencyMs ?? service.latencyMs,
    ratio5xx: version.errorRatio5xx ?? service.errorRatio5xx ?? 0,
    ratio4xx: version.errorRatio4xx ?? service.errorRatio4xx ?? 0,
  };
}

/**
 * Responses by share: 5xx split evenly between `500` and `503` with the
 * `URX` flag (upstream retry limit exceeded), 4xx as `404`.
 */
function outcomes(ratio5xx: number, ratio4xx: number): Share<Outcome>[] {
  return [
    {
      value: { code: '200', grpcStatus: '0', flags: '-' },
      share: 1 - ratio5xx - ratio4xx,
    },
    {
      value: { code: '500', grpcStatus: '13', flags: '-' },
      share: ratio5xx / 2,
    },
    {
      value: { code: '503', grpcStatus: '14', flags: 'URX' },
      share: ratio5xx / 2,
    },
    { value: { code: '404', grpcStatus: '5', flags: '-' }, share: ratio4xx },
  ];
}

function principal(service: ServiceModel, mtls: boolean): string {
  return mtls
    ? `spiffe://cluster.local/ns/${service.namespace}/sa/${
        service.serviceAccount ?? service.name
      }`
    : 'unknown';
}

/** Istio only knows the policy on the destination side. */
function connectionSecurityPolicy(reporter: string, mtls: boolean): string {
  if (reporter === 'source') return 'unknown';
  return mtls ? 'mutual_tls' : 'none';
}

/** `source_*` labels of each source workload with its traffic share. */
function sourceWorkloads(
  model: MeshModel,
  edge: EdgeModel,
  mtls: boolean,
): Share<Record<string, string>>[] {
  if (edge.source === EXTERNAL_SOURCE) {
    const unknown = {
      source_workload: 'unknown',
      source_canonical_service: 'unknown',
      source_canonical_revision: 'latest',
      source_workload_namespace: 'unknown',
      source_principal: 'unknown',
      source_app: 'unknown',
      source_version: 'unknown',
      source_cluster: 'unknown',
    };
    return [{ value: unknown, share: 1 }];
  }
  const source = findService(model, edge.source);
  return versionShares(source).map(({ value: v, share }) => ({
    share,
    value: {
      source_workload: `${source.name}-${v.version}`,
      source_canonical_service: source.name,
      source_canonical_revision: v.version,
      source_workload_namespace: source.namespace,
      source_principal: principal(source, mtls),
      source_app: source.name,
      source_version: v.version,
      source_cluster: model.cluster ?? 'Kubernetes',
    },
  }));
}

/**
 * Every counter series the model produces, as Istio's sidecars would: both
 * `reporter="source"` and `reporter="destination"` for mesh-internal callers,
 * only the destination for {@link EXTERNAL_SOURCE}.
 */
export function describeSeries(model: MeshModel): SeriesSpec[] {
  const specs: SeriesSpec[] = [];
  model.edges.forEach((edge, edgeIndex) => {
    const destination = findService(model, edge.destination);
    const mtlsShare = destination.mtlsShare ?? 1;
    const reporters =
      edge.source === EXTERNAL_SOURCE
        ? ['destination']
        : ['source', 'destination'];
    for (const tls of [
      { value: true, share: mtlsShare },
      { value: false, share: 1 - mtlsShare },
    ]) {
      for (const src of sourceWorkloads(model, edge, tls.value)) {
        for (const dst of versionShares(destination)) {
          const share = tls.share * src.share * dst.share;
          if (share <= 0) continue;
          const behaviour = versionBehaviour(destination, dst.value);
          for (const reporter of reporters) {
            const peers = {
              reporter,
              ...src.value,
              destination_workload: `${destination.name}-${dst.value.version}`,
              destination_workload_namespace: destination.namespace,
              destination_principal: principal(destination, tls.value),
              destination_app: destination.name,
              destination_version: dst.value.version,
              destination_service: `${destination.name}.${destination.namespace}.svc.cluster.local`,
              destination_canonical_service: destination.name,
              destination_canonical_revision: dst.value.version,
              destination_service_name: destination.name,
              destination_service_namespace: destination.namespace,
              destination_cluster: model.cluster ?? 'Kubernetes',
            };
            const policy = connectionSecurityPolicy(reporter, tls.value);
            const add = (
              family: MetricFamily,
              sample: string,
              labels: Record<string, string>,
              ratePerSecond: number,
            ) =>
              specs.push({ family, sample, labels, edgeIndex, ratePerSecond });
            const rps = (edge.requestsPerSecond ?? 0) * share;
            const protocol = destination.protocol ?? 'http';
            for (const outcome of outcomes(
              behaviour.ratio5xx,
              behaviour.ratio4xx,
            )) {
              if (rps <= 0 || outcome.share <= 0) continue;
              const labels = {
                ...peers,
                request_protocol: protocol,
                response_code: outcome.value.code,
                ...(protocol === 'grpc'
                  ? { grpc_response_status: outcome.value.grpcStatus }
                  : {}),
                response_flags: outcome.value.flags,
                connection_security_policy: policy,
              };
              const rate = rps * outcome.share;
              add(REQUESTS, 'istio_requests_total', labels, rate);
              for (const le of [...ISTIO_DURATION_BUCKETS_MS, Infinity]) {
                add(
                  DURATION,
                  `${DURATION.name}_bucket`,
                  { ...labels, le: le === Infinity ? '+Inf' : String(le) },
                  rate * latencyCdf(behaviour.latency, le),
                );
              }
              add(
                DURATION,
                `${DURATION.name}_sum`,
                labels,
                rate * latencyMean(behaviour.latency),
              );
              add(DURATION, `${DURATION.name}_count`, labels, rate);
            }
            if (edge.tcp) {
              const cps = edge.tcp.connectionsPerSecond * share;
              const labels = {
                ...peers,
                request_protocol: 'tcp',
                response_flags: '-',
                connection_security_policy: policy,
              };
              const sentRate = cps * edge.tcp.sentBytesPerConnection;
              const receivedRate = cps * edge.tcp.receivedBytesPerConnection;
              add(TCP_SENT, `${TCP_SENT.name}_total`, labels, sentRate);
              add(
                TCP_RECEIVED,
                `${TCP_RECEIVED.name}_total`,
                labels,
                receivedRate,
              );
              add(TCP_OPENED, `${TCP_OPENED.name}_total`, labels, cps);
              add(TCP_CLOSED, `${TCP_CLOSED.name}_total`, labels, cps);
            }
          }
        }
      }
    }
  });
  return specs;
}

const MINUTE_MS = 60_000;

/** Volume multiplier of an edge during one minute since the epoch. */
function jitterFactor(model: MeshModel, edgeIndex: number, minute: number) {
  const jitter = model.jitter ?? 0.1;
  if (jitter === 0) return 1;
  const mixed =
    model.seed ^
    Math.imul(edgeIndex + 1, 0x9e3779b1) ^
    Math.imul(minute, 0x85ebca6b);
  return 1 + jitter * (2 * createPrng(mixed)() - 1);
}

/**
 * Traffic of an edge between two times (epoch ms), in seconds at nominal
 * volume: per-minute jitter applied, nothing after the destination's
 * `idleAfter`.
 */
export function effectiveSeconds(
  model: MeshModel,
  edgeIndex: number,
  fromMs: number,
  toMs: number,
): number {
  const destination = findService(model, model.edges[edgeIndex].destination);
  const end = Math.min(toMs, destination.idleAfter?.getTime() ?? Infinity);
  let seconds = 0;
  let t = fromMs;
  while (t < end) {
    const minute = Math.floor(t / MINUTE_MS);
    const next = Math.min(end, (minute + 1) * MINUTE_MS);
    seconds += ((next - t) / 1000) * jitterFactor(model, edgeIndex, minute);
    t = next;
  }
  return seconds;
}

/** Label set rendered for the text formats, values escaped. */
export function formatLabels(labels: Record<string, string>): string {
  const parts = Object.entries(labels).map(
    ([key, value]) =>
      `${key}="${value
        .replace(/\\/g, '\\\\')
        .replace(/"/g, '\\"')
        .replace(/\n/g, '\\n')}"`,
  );
  return `{${parts.join(',')}}`;
}
