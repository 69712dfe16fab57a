import { LoggerService } from '@backstage/backend-plugin-api';
import {
  KubernetesEmulator,
  PrometheusInstance,
  PrometheusRuleFile,
  TelemetryExporter,
  followVirtualServices,
  startKubernetesEmulator,
  startPrometheus,
  startTelemetryExporter,
  toOpenMetrics,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-test-utils';
import { mkdir, writeFile } from 'fs/promises';
import { dirname, join } from 'path';
import { parse, stringify } from 'yaml';
import { DemoClusterName, createDemoTrafficModels } from './trafficModels';

/** One emulated cluster of the demo, as the backend's config names it. */
export interface DemoClusterConfig {
  name: DemoClusterName;
  /** The API server's port; 0 for any free one (see `DemoMesh.emulators`). */
  port: number;
  token: string;
}

/** What {@link startDemoMesh} starts. */
export interface DemoMeshOptions {
  clusters: DemoClusterConfig[];
  /** Folder with one sub-folder of manifests per cluster. */
  manifestsDir: string;
  /** Prometheus' port (default: a free one). */
  prometheusPort?: number;
  /** Where to write a kubeconfig with one context per cluster. */
  kubeconfigPath: string;
  /** Hours of telemetry history backfilled into Prometheus. */
  historyHours: number;
  /** Prometheus' scrape and rule evaluation interval (default `15s`). */
  interval?: string;
  /**
   * Clusters that are down: their API server resets every connection (its
   * telemetry and alert rules still reach Prometheus), to see the portal's
   * partial answers.
   */
  unreachableClusters?: string[];
  /**
   * Called once every cluster's API server listens, before Prometheus is
   * started and backfilled (which takes a while).
   */
  onClustersListening?: (emulators: KubernetesEmulator[]) => void;
  logger: LoggerService;
}

/** The running demo mesh; its telemetry follows each cluster's VirtualServices. */
export interface DemoMesh {
  emulators: KubernetesEmulator[];
  exporters: TelemetryExporter[];
  prometheus: PrometheusInstance;
  stop(): Promise<void>;
}

interface KubeconfigFile {
  clusters: unknown[];
  users: unknown[];
  contexts: unknown[];
}

/** Alert rules of the PrometheusRule objects on the emulated clusters. */
function alertRules(emulators: KubernetesEmulator[]): PrometheusRuleFile {
  const groups: PrometheusRuleFile['groups'] = [];
  for (const emulator of emulators) {
    for (const rule of emulator.list(
      'monitoring.coreos.com/v1',
      'PrometheusRule',
    )) {
      const spec = rule.spec as Partial<PrometheusRuleFile> | undefined;
      for (const group of spec?.groups ?? []) {
        groups.push({ ...group, name: `${emulator.name}/${group.name}` });
      }
    }
  }
  return { groups };
}

/**
 * Starts the demo's mesh: one Kubernetes API emulator per cluster seeded
 * from its manifests, a live Istio telemetry exporter per cluster, and the
 * real Prometheus with the last hours of telemetry backfilled, scraping the
 * exporters and evaluating the clusters' PrometheusRules.
 */
export async function startDemoMesh(
  options: DemoMeshOptions,
): Promise<DemoMesh> {
  const { logger } = options;
  const now = new Date();
  const models = createDemoTrafficModels(now);
  const emulators: KubernetesEmulator[] = [];
  const exporters: TelemetryExporter[] = [];
  let prometheus: PrometheusInstance | undefined;
  const followers: Array<{ stop(): void }> = [];

  const stop = async () => {
    followers.forEach(f => f.stop());
    await Promise.allSettled([
      prometheus?.stop(),
      ...exporters.map(e => e.stop()),
      ...emulators.map(e => e.stop()),
    ]);
  };

  try {
    for (const cluster of options.clusters) {
      emulators.push(
        await startKubernetesEmulator({
          name: cluster.name,
          port: cluster.port,
          tls: true,
          tokens: { [cluster.token]: { user: 'backstage' } },
          manifests: join(options.manifestsDir, cluster.name),
          // The dev cluster runs an Istio older than 1.22.
          istioNetworkingVersions:
            cluster.name === 'dev' ? ['v1beta1'] : undefined,
          istioSecurityVersions:
            cluster.name === 'dev' ? ['v1beta1'] : undefined,
        }),
      );
      const exporter = await startTelemetryExporter(models[cluster.name]);
      exporters.push(exporter);
      // Traffic follows the cluster's VirtualService weights, as sidecars
      // do: a shift from the portal moves what Prometheus sees.
      followers.push(
        followVirtualServices({
          emulator: emulators[emulators.length - 1],
          exporter,
          model: models[cluster.name],
          apiVersion: cluster.name === 'dev' ? 'v1beta1' : 'v1',
        }),
      );
      if (options.unreachableClusters?.includes(cluster.name)) {
        const down = emulators[emulators.length - 1];
        down.faults.add({ path: /.*/, reset: true });
        down.closeWatches();
      }
    }

    options.onClustersListening?.([...emulators]);

    const historyEnd = new Date(now.getTime() - 60_000);
    const historyStart = new Date(
      historyEnd.getTime() - options.historyHours * 3_600_000,
    );
    prometheus = await startPrometheus({
      port: options.prometheusPort,
      backfill: options.clusters.map(cluster =>
        toOpenMetrics(models[cluster.name], {
          start: historyStart,
          end: historyEnd,
          stepSeconds: 60,
        }),
      ),
      scrapeInterval: options.interval ?? '15s',
      evaluationInterval: options.interval ?? '15s',
      scrapeTargets: options.clusters.map((cluster, i) => ({
        job: `istio-mesh-${cluster.name}`,
        url: exporters[i].url,
      })),
      rules: alertRules(emulators),
    });

    const kubeconfig: KubeconfigFile = {
      clusters: [],
      users: [],
      contexts: [],
    };
    for (const emulator of emulators) {
      const one = parse(emulator.kubeconfig()) as KubeconfigFile;
      kubeconfig.clusters.push(...one.clusters);
      kubeconfig.users.push(...one.users);
      kubeconfig.contexts.push(...one.contexts);
    }
    await mkdir(dirname(options.kubeconfigPath), { recursive: true });
    await writeFile(
      options.kubeconfigPath,
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        'current-context': emulators.at(-1)?.name,
        ...kubeconfig,
      }),
      { mode: 0o600 },
    );

    for (const emulator of emulators) {
      logger.info(
        options.unreachableClusters?.includes(emulator.name)
          ? `Emulated cluster ${emulator.name} at ${emulator.url} is down: it resets every connection (meshLifecycleDemo.unreachableClusters)`
          : `Emulated cluster ${emulator.name} at ${emulator.url}`,
      );
    }
    logger.info(
      `Prometheus at ${prometheus.url}; kubeconfig for kubectl at ${options.kubeconfigPath}`,
    );
    return { emulators, exporters, prometheus, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
