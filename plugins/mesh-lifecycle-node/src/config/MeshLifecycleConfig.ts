import {
  LifecycleThresholdOverrides,
  PhaseRule,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
/**
 * How Mesh Lifecycle authenticates to a cluster's API server.
 *
 * - `serviceAccountToken`: a bearer token. The `token` property is a secret:
 *   it is left out of `JSON.stringify` and `util.inspect` output.
 * - `kubeconfig`: the user of a context of a kubeconfig file.
 * - `inCluster`: the service account of the pod the backend runs in.
 *
 * @public
 */
export type ClusterAuthConfig =
  | { readonly type: 'serviceAccountToken'; readonly token: string }
  | {
      readonly type: 'kubeconfig';
      /** Path of the kubeconfig file. */
      readonly path: string;
      /** Context to use; the file's current context when not set. */
      readonly context?: string;
    }
  | { readonly type: 'inCluster' };

/**
 * TLS settings of a cluster's API server, as they apply (for `kubeconfig`
 * auth, those of the kubeconfig file unless overridden; for `inCluster`, the
 * pod's service account CA unless overridden).
 *
 * @public
 */
export interface ClusterTlsConfig {
  /** Base64-encoded PEM CA bundle. */
  readonly caData?: string;
  /** Path of a PEM CA bundle file. */
  readonly caFile?: string;
  /** Whether the server certificate is not verified. */
  readonly skipTLSVerify: boolean;
}

/**
 * A Prometheus server to query. `headers` and `bearerToken` are secrets: they
 * are redacted in `JSON.stringify` and `util.inspect` output.
 *
 * @public
 */
export interface PrometheusSourceConfig {
  /** Base URL of the HTTP API, without `/api/v1` and without a trailing slash. */
  readonly url: string;
  /** Extra request headers (secret values). */
  readonly headers: Readonly<Record<string, string>>;
  /** Bearer token for `Authorization: Bearer`, if any. */
  readonly bearerToken?: string;
  /** Timeout of each query, in milliseconds. */
  readonly timeoutMs: number;
  /**
   * Whether it evaluates Mesh Lifecycle's recording rules (Prometheus only;
   * never set for an Alertmanager).
   */
  readonly recordingRules?: boolean;
}

/**
 * An Alertmanager to ask for silences; the same settings as a Prometheus
 * (`url` is the base URL without `/api/v2`). `headers` and `bearerToken` are
 * redacted in `JSON.stringify` and `util.inspect` output.
 *
 * @public
 */
export type AlertmanagerSourceConfig = PrometheusSourceConfig;

/**
 * A cluster Mesh Lifecycle talks to.
 *
 * @public
 */
export interface ClusterConfig {
  /** Unique cluster name. */
  readonly name: string;
  /** Base URL of the API server, without a trailing slash. */
  readonly url: string;
  /** Free-form environment, e.g. `production`. */
  readonly environment?: string;
  /**
   * The Istio cluster ID (`destination_cluster` label) of its telemetry;
   * the cluster's name unless configured.
   */
  readonly istioClusterId: string;
  /**
   * The namespaces whose objects the backend watches, when configured (the
   * Istio root namespace `istio-system` is watched too); every namespace
   * otherwise.
   */
  readonly namespaces?: readonly string[];
  /** How to authenticate. */
  readonly auth: ClusterAuthConfig;
  /** TLS settings. */
  readonly tls: ClusterTlsConfig;
  /** The Prometheus watching the cluster: its own, else the global one. */
  readonly prometheus?: PrometheusSourceConfig;
  /** The Alertmanager of the cluster's alerts: its own, else the global one. */
  readonly alertmanager?: AlertmanagerSourceConfig;
  /**
   * Where the cluster was configured: `meshLifecycle.clusters` or the
   * Kubernetes plugin's `kubernetes.clusterLocatorMethods`.
   */
  readonly source: 'meshLifecycle' | 'kubernetes';
}

/**
 * A Kubernetes plugin cluster that Mesh Lifecycle cannot use.
 *
 * @public
 */
export interface SkippedClusterConfig {
  /** Cluster name. */
  readonly name: string;
  /** Config path of the cluster entry. */
  readonly configPath: string;
  /** Why it was skipped. */
  readonly reason: string;
}

/**
 * Timeouts, in milliseconds.
 *
 * @public
 */
export interface MeshLifecycleTimeouts {
  /** Per call to a cluster's API server. */
  readonly clusterMs: number;
  /** Default per Prometheus query. */
  readonly prometheusMs: number;
}

/**
 * How the lifecycle history is recorded.
 *
 * @public
 */
export interface MeshLifecycleHistoryConfig {
  /** How often every service's lifecycle is evaluated and recorded. */
  readonly frequencyMs: number;
}

/**
 * How the backend keeps the clusters' objects.
 *
 * @public
 */
export interface MeshLifecycleCachesConfig {
  /**
   * Whether the backend starts watching, at startup, every kind an entity
   * page reads on every cluster, so that the first view is answered from
   * memory.
   */
  readonly warmOnStart: boolean;
  /**
   * How long the backend's startup waits for those first lists before it
   * reports ready; clusters not synchronised by then go on in the background.
   */
  readonly startupWaitMs: number;
}

/**
 * The Mesh Lifecycle backend configuration, read and validated once by
 * `readMeshLifecycleConfig`.
 *
 * @public
 */
export interface MeshLifecycleConfig {
  /** All usable clusters: `meshLifecycle.clusters` first, then the Kubernetes plugin's. */
  readonly clusters: readonly ClusterConfig[];
  /** The global Prometheus, if configured. */
  readonly prometheus?: PrometheusSourceConfig;
  /** The global Alertmanager, if configured. */
  readonly alertmanager?: AlertmanagerSourceConfig;
  /** Timeouts. */
  readonly timeouts: MeshLifecycleTimeouts;
  /** The lifecycle history. */
  readonly history: MeshLifecycleHistoryConfig;
  /** How the clusters' objects are kept. */
  readonly caches: MeshLifecycleCachesConfig;
  /** The test environments made by `mesh:environment:create`. */
  readonly environments: {
    /** How often expired test environments are looked for and deleted. */
    readonly cleanupFrequencyMs: number;
  };
  /** Global threshold overrides (`meshLifecycle.thresholds`). */
  readonly thresholds: LifecycleThresholdOverrides;
  /** Phase rules replacing the defaults, if configured. */
  readonly phaseRules?: readonly PhaseRule[];
  /** Kubernetes plugin clusters that were skipped, with the reason. */
  readonly skipped: readonly SkippedClusterConfig[];
}
