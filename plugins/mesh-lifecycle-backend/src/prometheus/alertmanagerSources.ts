import { MeshLifecycleConfig } from '@mesh-lifecycle/plugin-mesh-lifecycle-node';
import { AlertmanagerSourceConfig } from '@mesh-lifecycle/plugin-mesh-lifecycle-node';
import { AlertmanagerSourceEntry } from '../service/AlertsReader';
import { AlertmanagerClient } from './AlertmanagerClient';

/**
 * One client per configured Alertmanager (shared by the clusters it
 * serves), named after its host so answers say which one failed.
 */
export function alertmanagerSources(
  config: MeshLifecycleConfig,
): AlertmanagerSourceEntry[] {
  const byUrl = new Map<
    string,
    { source: AlertmanagerSourceConfig; clusters: string[] }
  >();
  for (const cluster of config.clusters) {
    if (!cluster.alertmanager) continue;
    const entry = byUrl.get(cluster.alertmanager.url) ?? {
      source: cluster.alertmanager,
      clusters: [],
    };
    entry.clusters.push(cluster.name);
    byUrl.set(cluster.alertmanager.url, entry);
  }
  if (config.alertmanager && !byUrl.has(config.alertmanager.url)) {
    byUrl.set(config.alertmanager.url, {
      source: config.alertmanager,
      clusters: [],
    });
  }
  return [...byUrl.values()].map(({ source, clusters }) => ({
    clusters,
    client: new AlertmanagerClient({
      source: {
        name: `alertmanager ${new URL(source.url).host}`,
        url: source.url,
        headers: source.headers,
        bearerToken: source.bearerToken,
        timeoutMs: source.timeoutMs,
      },
    }),
  }));
}
