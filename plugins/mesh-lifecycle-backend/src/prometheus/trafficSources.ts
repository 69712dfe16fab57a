import { CacheService } from '@backstage/backend-plugin-api';
import {
  MeshLifecycleConfig,
  PrometheusSourceConfig,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-node';
import { TrafficSource } from '../service/TrafficReader';
import { PrometheusClient } from './PrometheusClient';

/**
 * One client per configured Prometheus (shared by the clusters it watches),
 * named after its host so answers say which one failed.
 */
export function trafficSources(
  config: MeshLifecycleConfig,
  cache: CacheService,
): TrafficSource[] {
  const byUrl = new Map<
    string,
    { source: PrometheusSourceConfig; clusters: string[] }
  >();
  for (const cluster of config.clusters) {
    if (!cluster.prometheus) continue;
    const entry = byUrl.get(cluster.prometheus.url) ?? {
      source: cluster.prometheus,
      clusters: [],
    };
    entry.clusters.push(cluster.name);
    byUrl.set(cluster.prometheus.url, entry);
  }
  if (config.prometheus && !byUrl.has(config.prometheus.url)) {
    byUrl.set(config.prometheus.url, {
      source: config.prometheus,
      clusters: [],
    });
  }
  const istioClusterIds = new Map(
    config.clusters.map(c => [c.name, c.istioClusterId]),
  );
  return [...byUrl.values()].map(({ source, clusters }) => ({
    clusters,
    istioClusterIds,
    recordingRules: source.recordingRules === true,
    client: new PrometheusClient({
      source: {
        name: `prometheus ${new URL(source.url).host}`,
        url: source.url,
        headers: source.headers,
        bearerToken: source.bearerToken,
        timeoutMs: source.timeoutMs,
      },
      cache,
    }),
  }));
}
