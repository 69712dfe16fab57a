import { InputError } from '@backstage/errors';
import {
  IstioTarget,
  QuietEvidence,
  ServiceDeclaration,
  SourceOutcome,
  StepAnalysisResponse,
  TrafficFigures,
  TrafficPoint,
  TrafficResponse,
  TrafficSeries,
  istioQueries,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import {
  MatrixSeries,
  PrometheusClient,
  VectorSample,
} from '../prometheus/PrometheusClient';
import { unconfiguredCluster } from './pinnedCluster';
import { sourceError } from './sourceError';

/** A Prometheus and the clusters it watches. */
export interface TrafficSource {
  client: PrometheusClient;
  /** It evaluates Mesh Lifecycle's recording rules (config `recordingRules`). */
  recordingRules?: boolean;
  /** Names of the clusters it watches; empty for a global Prometheus. */
  clusters: string[];
  /**
   * Istio cluster IDs (the `destination_cluster` label) by cluster name, for
   * the clusters it watches; a cluster missing here is its own ID.
   */
  istioClusterIds?: ReadonlyMap<string, string>;
}

/**
 * The sources that watch `cluster` (all of them when no cluster is named): a
 * source without clusters watches every one.
 */
export function sourcesWatching<S extends { clusters: readonly string[] }>(
  sources: readonly S[],
  cluster: string | undefined,
): S[] {
  return sources.filter(
    s => !cluster || s.clusters.length === 0 || s.clusters.includes(cluster),
  );
}

/**
 * The Istio cluster ID to restrict a source's figures to for a service pinned
 * to `cluster`: needed only where the source watches other clusters too.
 */
export function istioClusterFilter(
  source: TrafficSource,
  cluster: string | undefined,
): string | undefined {
  if (!cluster) return undefined;
  if (source.clusters.length === 1 && source.clusters[0] === cluster) {
    return undefined;
  }
  return source.istioClusterIds?.get(cluster) ?? cluster;
}

/** A time range of series, `stepSeconds` apart. */
export interface TrafficRange {
  start: Date;
  end: Date;
  stepSeconds: number;
}

function value(samples: VectorSample[]): number | null {
  const [sample] = samples;
  if (!sample) return null;
  const parsed = Number(sample.value[1]);
  return Number.isFinite(parsed) ? parsed : null;
}

/**
 * Reads a service's golden signals from the Prometheus servers that watch
 * its clusters, one query per figure, each source answering on its own.
 */
export class TrafficReader {
  private readonly sources: TrafficSource[];
  private readonly clusterNames?: readonly string[];

  constructor(options: {
    sources: TrafficSource[];
    /** The configured clusters, to tell an entity pinned to another one. */
    clusterNames?: readonly string[];
  }) {
    this.sources = options.sources;
    this.clusterNames = options.clusterNames;
  }

  async read(
    declaration: ServiceDeclaration,
    options: { windowSeconds: number; at?: Date; range?: TrafficRange },
  ): Promise<TrafficResponse> {
    const { kubernetesId, namespace, cluster } = declaration.target;
    if (!kubernetesId || !namespace) {
      throw new InputError(
        `${declaration.entityRef} needs the backstage.io/kubernetes-id and backstage.io/kubernetes-namespace annotations for its traffic`,
      );
    }
    const service = { service: kubernetesId, namespace };
    const unconfigured = unconfiguredCluster(declaration, this.clusterNames);
    if (unconfigured) {
      return {
        entityRef: declaration.entityRef,
        windowSeconds: options.windowSeconds,
        sources: [unconfigured],
      };
    }
    const sources = sourcesWatching(this.sources, cluster);
    return {
      entityRef: declaration.entityRef,
      windowSeconds: options.windowSeconds,
      sources: await Promise.all(
        sources.map(
          async (source): Promise<TrafficResponse['sources'][number]> => {
            const istioCluster = istioClusterFilter(source, cluster);
            const target: IstioTarget = istioCluster
              ? { ...service, cluster: istioCluster }
              : service;
            try {
              const [figures, series] = await Promise.all([
                this.figures(source.client, target, options),
                options.range &&
                  this.series(
                    source.client,
                    target,
                    options.windowSeconds,
                    options.range,
                  ),
              ]);
              const warnings =
                istioCluster && figures.requestsPerSecond === null
                  ? await this.clusterIdWarning(
                      source,
                      target,
                      cluster,
                      options,
                    ).catch(() => [])
                  : [];
              return {
                source: source.client.name,
                status: 'ok',
                figures,
                ...(series ? { series } : {}),
                ...(istioCluster ? { istioCluster } : {}),
                ...(warnings.length ? { warnings } : {}),
              };
            } catch (error) {
              return {
                source: source.client.name,
                status: 'error',
                error: sourceError(error),
              };
            }
          },
        ),
      ),
    };
  }

  /**
   * When figures restricted to an Istio cluster ID are empty, whether the
   * same Prometheus has series of the service under other cluster IDs: the
   * sign of a missing or wrong `istioClusterId` (Istio's default ID is
   * `Kubernetes`).
   */
  private async clusterIdWarning(
    source: TrafficSource,
    target: IstioTarget,
    cluster: string | undefined,
    options: { windowSeconds: number; at?: Date },
  ): Promise<string[]> {
    const samples = await source.client.instant(
      istioQueries.requestRateByIstioCluster(target, options.windowSeconds),
      options.at,
    );
    const ids = [
      ...new Set(samples.map(s => s.metric.destination_cluster ?? '')),
    ].sort();
    if (ids.length === 0) return [];
    return [
      `${
        source.client.name
      } has no series of it for Istio cluster ID ${JSON.stringify(
        target.cluster,
      )}${cluster ? ` (cluster ${cluster})` : ''}, but has some for ${ids
        .map(id => (id ? JSON.stringify(id) : 'no cluster ID'))
        .join(', ')}: set istioClusterId of cluster ${
        cluster ?? target.cluster
      } to the ID its Istio reports (Istio's default is "Kubernetes")`,
    ];
  }

  /**
   * The requests the service received over the last `seconds`, from each
   * Prometheus that watches its clusters (its request rate over that
   * window, times the window), as its own sidecars and as its callers'
   * report them, and whether that Prometheus holds mesh telemetry from the
   * start of the window at all.
   */
  async inboundRequests(
    declaration: ServiceDeclaration,
    seconds: number,
  ): Promise<Array<SourceOutcome<QuietEvidence>>> {
    const { kubernetesId, namespace, cluster } = declaration.target;
    if (!kubernetesId || !namespace) {
      throw new InputError(
        `${declaration.entityRef} needs the backstage.io/kubernetes-id and backstage.io/kubernetes-namespace annotations for its traffic`,
      );
    }
    const unconfigured = unconfiguredCluster(declaration, this.clusterNames);
    if (unconfigured) return [unconfigured];
    const sources = sourcesWatching(this.sources, cluster);
    return Promise.all(
      sources.map(async (source): Promise<SourceOutcome<QuietEvidence>> => {
        const istioCluster = istioClusterFilter(source, cluster);
        const target: IstioTarget = {
          service: kubernetesId,
          namespace,
          ...(istioCluster ? { cluster: istioCluster } : {}),
        };
        try {
          const [own, callers, presence] = await Promise.all([
            source.client.instant(istioQueries.requestRate(target, seconds)),
            source.client.instant(
              istioQueries.requestRateReportedByCallers(target, seconds),
            ),
            source.client.instant(
              istioQueries.telemetryPresence(
                { cluster: istioCluster },
                seconds,
              ),
            ),
          ]);
          const requests = (samples: VectorSample[]) => {
            const rate = value(samples);
            return rate === null ? null : rate * seconds;
          };
          return {
            source: source.client.name,
            status: 'ok',
            requests: requests(own),
            callerRequests: requests(callers),
            telemetryCoversWindow: (value(presence) ?? 0) > 0,
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
  }

  /**
   * What each Prometheus that watches `cluster` measured of a service (one
   * version of it, or all) over the last `windowSeconds`: the requests it
   * received, its 5xx ratio and p95. For a traffic shift's step analysis.
   */
  async analyse(options: {
    service: string;
    namespace: string;
    cluster: string;
    version?: string;
    windowSeconds: number;
    at?: Date;
  }): Promise<StepAnalysisResponse> {
    const { service, namespace, cluster, version, windowSeconds } = options;
    if (this.clusterNames && !this.clusterNames.includes(cluster)) {
      throw new InputError(
        `cluster ${JSON.stringify(
          cluster,
        )} is not configured; the configured clusters are ${[
          ...this.clusterNames,
        ]
          .sort()
          .join(', ')}`,
      );
    }
    const sources = sourcesWatching(this.sources, cluster);
    return {
      service,
      namespace,
      cluster,
      ...(version !== undefined ? { version } : {}),
      windowSeconds,
      sources: await Promise.all(
        sources.map(
          async (source): Promise<StepAnalysisResponse['sources'][number]> => {
            const istioCluster = istioClusterFilter(source, cluster);
            const target: IstioTarget = {
              service,
              namespace,
              ...(istioCluster ? { cluster: istioCluster } : {}),
            };
            const perVersion = version !== undefined;
            const ask = (query: Parameters<PrometheusClient['instant']>[0]) =>
              source.client.instant(query, options.at);
            try {
              const [rate, r5xx, p95] = await Promise.all([
                ask(
                  istioQueries.requestRate(target, windowSeconds, {
                    perVersion,
                  }),
                ),
                ask(
                  istioQueries.errorRatio(target, windowSeconds, '5xx', {
                    perVersion,
                  }),
                ),
                ask(
                  istioQueries.latencyQuantile(target, windowSeconds, 0.95, {
                    perVersion,
                  }),
                ),
              ]);
              const of = (samples: VectorSample[]) =>
                value(
                  perVersion
                    ? samples.filter(
                        s => s.metric.destination_version === version,
                      )
                    : samples,
                );
              const perSecond = of(rate);
              const requests =
                perSecond === null ? null : perSecond * windowSeconds;
              return {
                source: source.client.name,
                status: 'ok',
                requests,
                // No 5xx series with requests seen: none failed.
                ratio5xx: of(r5xx) ?? (requests ? 0 : null),
                p95LatencyMs: of(p95),
                ...(istioCluster ? { istioCluster } : {}),
              };
            } catch (error) {
              return {
                source: source.client.name,
                status: 'error',
                error: sourceError(error),
              };
            }
          },
        ),
      ),
    };
  }

  private async figures(
    client: PrometheusClient,
    target: IstioTarget,
    options: { windowSeconds: number; at?: Date },
  ): Promise<TrafficFigures> {
    const window = options.windowSeconds;
    const ask = (query: Parameters<PrometheusClient['instant']>[0]) =>
      client.instant(query, options.at);
    const [rate, success, r4xx, r5xx, p50, p95, p99, mtls, perVersion] =
      await Promise.all([
        ask(istioQueries.requestRate(target, window)),
        ask(istioQueries.successRatio(target, window)),
        ask(istioQueries.errorRatio(target, window, '4xx')),
        ask(istioQueries.errorRatio(target, window, '5xx')),
        ask(istioQueries.latencyQuantile(target, window, 0.5)),
        ask(istioQueries.latencyQuantile(target, window, 0.95)),
        ask(istioQueries.latencyQuantile(target, window, 0.99)),
        ask(istioQueries.mtlsShare(target, window)),
        ask(istioQueries.requestRate(target, window, { perVersion: true })),
      ]);
    const total = value(rate);
    // A ratio whose numerator has no series is 0 when there was traffic.
    const ratio = (samples: VectorSample[]) =>
      value(samples) ?? (total ? 0 : null);
    return {
      requestsPerSecond: total,
      successRatio: ratio(success),
      ratio4xx: ratio(r4xx),
      ratio5xx: ratio(r5xx),
      latencyMs: { p50: value(p50), p95: value(p95), p99: value(p99) },
      mtlsShare: ratio(mtls),
      versions: perVersion
        .map(sample => {
          const requestsPerSecond = Number(sample.value[1]);
          return {
            version: sample.metric.destination_version ?? 'unknown',
            requestsPerSecond,
            share: total ? requestsPerSecond / total : 0,
          };
        })
        .sort((a, b) => a.version.localeCompare(b.version)),
    };
  }

  private async series(
    client: PrometheusClient,
    target: IstioTarget,
    window: number,
    range: TrafficRange,
  ): Promise<TrafficSeries> {
    const ask = (query: Parameters<PrometheusClient['range']>[0]) =>
      client.range(query, range.start, range.end, range.stepSeconds);
    const [rate, success, r4xx, r5xx, p50, p95, p99, perVersion] =
      await Promise.all([
        ask(istioQueries.requestRate(target, window)),
        ask(istioQueries.successRatio(target, window)),
        ask(istioQueries.errorRatio(target, window, '4xx')),
        ask(istioQueries.errorRatio(target, window, '5xx')),
        ask(istioQueries.latencyQuantile(target, window, 0.5)),
        ask(istioQueries.latencyQuantile(target, window, 0.95)),
        ask(istioQueries.latencyQuantile(target, window, 0.99)),
        ask(istioQueries.requestRate(target, window, { perVersion: true })),
      ]);
    // One point per step of the range, so that every series lines up.
    const steps: number[] = [];
    const startSeconds = range.start.getTime() / 1000;
    const endSeconds = range.end.getTime() / 1000;
    for (let t = startSeconds; t <= endSeconds; t += range.stepSeconds) {
      steps.push(t);
    }
    const byTime = (series: MatrixSeries | undefined) => {
      const values = new Map<number, number>();
      for (const [t, v] of series?.values ?? []) {
        const parsed = Number(v);
        if (Number.isFinite(parsed)) values.set(t, parsed);
      }
      return values;
    };
    const total = byTime(rate[0]);
    const points = (
      series: MatrixSeries | undefined,
      isRatio = false,
    ): TrafficPoint[] => {
      const values = byTime(series);
      return steps.map(t => ({
        t,
        // A ratio whose numerator has no series is 0 when there was traffic.
        v: values.get(t) ?? (isRatio && total.get(t) ? 0 : null),
      }));
    };
    return {
      start: range.start.toISOString(),
      end: range.end.toISOString(),
      stepSeconds: range.stepSeconds,
      requestsPerSecond: points(rate[0]),
      successRatio: points(success[0], true),
      ratio4xx: points(r4xx[0], true),
      ratio5xx: points(r5xx[0], true),
      latencyMs: {
        p50: points(p50[0]),
        p95: points(p95[0]),
        p99: points(p99[0]),
      },
      versions: perVersion
        .map(series => ({
          version: series.metric.destination_version ?? 'unknown',
          requestsPerSecond: points(series),
        }))
        .sort((a, b) => a.version.localeCompare(b.version)),
    };
  }
}
