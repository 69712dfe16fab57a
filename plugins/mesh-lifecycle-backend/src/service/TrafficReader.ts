import { InputError } from '@backstage/errors';
import {
  IstioTarget,
  ServiceDeclaration,
  SourceOutcome,
  TrafficFigures,
  TrafficResponse,
  istioQueries,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import { PrometheusClient, VectorSample } from '../prometheus/PrometheusClient';
import { sourceError } from './sourceError';

/** A Prometheus and the clusters it watches. */
export interface TrafficSource {
  client: PrometheusClient;
  /** Names of the clusters it watches; empty for a global Prometheus. */
  clusters: string[];
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

  constructor(options: { sources: TrafficSource[] }) {
    this.sources = options.sources;
  }

  async read(
    declaration: ServiceDeclaration,
    options: { windowSeconds: number; at?: Date },
  ): Promise<TrafficResponse> {
    const { kubernetesId, namespace, cluster } = declaration.target;
    if (!kubernetesId || !namespace) {
      throw new InputError(
        `${declaration.entityRef} needs the backstage.io/kubernetes-id and backstage.io/kubernetes-namespace annotations for its traffic`,
      );
    }
    const target: IstioTarget = { service: kubernetesId, namespace };
    const sources = this.sources.filter(
      s => !cluster || s.clusters.length === 0 || s.clusters.includes(cluster),
    );
    return {
      entityRef: declaration.entityRef,
      windowSeconds: options.windowSeconds,
      sources: await Promise.all(
        sources.map(
          async (
            source,
          ): Promise<SourceOutcome<{ figures: TrafficFigures }>> => {
            try {
              const figures = await this.figures(
                source.client,
                target,
                options,
              );
              return { source: source.client.name, status: 'ok', figures };
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
}
