export interface Config {
  /**
   * Configuration of the Mesh Lifecycle backend plugin (plugin id
   * `mesh-lifecycle`): the Kubernetes clusters it manages and the Prometheus
   * servers that watch them.
   */
  meshLifecycle?: {
    /**
     * Clusters Mesh Lifecycle talks to. Names must be unique. A cluster with
     * the same name as one in `kubernetes.clusterLocatorMethods` (the Backstage
     * Kubernetes plugin's config) replaces that one entirely.
     */
    clusters?: Array<{
      /**
       * Unique cluster name, as used in the `backstage.io/kubernetes-cluster`
       * style annotations of catalog entities.
       */
      name: string;
      /**
       * Base URL of the cluster's API server, e.g. `https://10.0.0.1:6443`.
       * http(s) only; link-local and cloud metadata addresses are refused
       * (see `dangerouslyAllowLinkLocal`) and plain `http:` is refused (see
       * `allowInsecureHttp`). Required with `serviceAccountToken`; with
       * `kubeconfig` it defaults to the server of the kubeconfig context's
       * cluster and with `inCluster` to the pod's API server
       * (`KUBERNETES_SERVICE_HOST`/`KUBERNETES_SERVICE_PORT`); when set it
       * overrides those.
       */
      url?: string;
      /**
       * Free-form environment of the cluster, e.g. `development`, `testing`
       * or `production`.
       */
      environment?: string;
      /**
       * The namespaces that hold the services: the backend then watches
       * only these (and `istio-system`, for mesh-wide policies) instead of
       * every namespace, one watch per kind and namespace. Fewer objects
       * cached and a service account that may read only these namespaces
       * (Namespaces themselves are still listed cluster-wide). A service whose
       * entity names another namespace is answered with an error naming this
       * setting; one whose entity names none is looked for in these
       * namespaces only — its answers, the clean-up gate's too, say nothing
       * of objects elsewhere. Default: every namespace.
       */
      namespaces?: string[];
      /**
       * The Istio cluster ID of the cluster (the `destination_cluster` and
       * `source_cluster` label of its telemetry). Used to tell its figures
       * apart in a Prometheus that watches several clusters. Default: the
       * cluster's name.
       */
      istioClusterId?: string;
      /**
       * Auth, option 1: a bearer token (usually a service account token) sent
       * to the API server. Exactly one of `serviceAccountToken`, `kubeconfig`
       * and `inCluster` must be set.
       *
       * @visibility secret
       */
      serviceAccountToken?: string;
      /**
       * Auth, option 2: a kubeconfig file on the backend's host. Its
       * context's user supplies the credentials (token, client certificate,
       * exec plugin...) and its cluster the server and CA, unless `url`,
       * `caData`, `caFile` or `skipTLSVerify` are set here. The file is
       * checked at startup and read again whenever a client is built.
       */
      kubeconfig?: {
        /** Path of the kubeconfig file. */
        path: string;
        /** Context to use. Default: the file's `current-context`. */
        context?: string;
      };
      /**
       * Auth, option 3: `true` to use the service account of the pod the
       * backend runs in (its token and CA under
       * `/var/run/secrets/kubernetes.io/serviceaccount`).
       */
      inCluster?: boolean;
      /**
       * Base64-encoded PEM CA bundle of the API server (like
       * `certificate-authority-data` in a kubeconfig). Not a secret. At most
       * one of `caData` and `caFile`.
       */
      caData?: string;
      /** Path of a PEM CA bundle file of the API server. */
      caFile?: string;
      /**
       * Do not verify the API server's TLS certificate. Default `false`.
       * Development only.
       */
      skipTLSVerify?: boolean;
      /**
       * Allow `url` to be plain `http:` when credentials are sent over it or
       * the host is not loopback. Default `false`. Development only: the
       * token travels in clear text.
       */
      allowInsecureHttp?: boolean;
      /**
       * Allow `url` to point at a link-local or cloud metadata address
       * (169.254.0.0/16, fe80::/10, `metadata.google.internal`...). Default
       * `false`.
       */
      dangerouslyAllowLinkLocal?: boolean;
      /**
       * The Prometheus that watches this cluster. Default: the global
       * `meshLifecycle.prometheus`.
       */
      prometheus?: MeshLifecyclePrometheusConfig;
      /**
       * The Alertmanager that receives this cluster's alerts, asked for
       * silences. Default: the global `meshLifecycle.alertmanager`.
       */
      alertmanager?: MeshLifecycleAlertmanagerConfig;
    }>;

    /**
     * Whether to also use the clusters of the Backstage Kubernetes plugin:
     * the `clusters` of each `kubernetes.clusterLocatorMethods` entry of
     * `type: config`. Only `authProvider: serviceAccount` clusters are used
     * (with `serviceAccountToken`, or the pod's service account without
     * one); others are skipped with a warning. Default `true`.
     */
    useKubernetesPluginClusters?: boolean;

    /**
     * Mesh Lifecycle settings for clusters that come from the Kubernetes
     * plugin's config, which has no keys for them. Entries are matched by
     * name; an entry for a cluster that is not found there is ignored with a
     * warning.
     */
    kubernetesPluginClusters?: Array<{
      /** Name of the cluster in `kubernetes.clusterLocatorMethods`. */
      name: string;
      /** Free-form environment of the cluster, e.g. `production`. */
      environment?: string;
      /** As `meshLifecycle.clusters[].istioClusterId`. */
      istioClusterId?: string;
      /** As `meshLifecycle.clusters[].namespaces`. */
      namespaces?: string[];
      /** The Prometheus that watches this cluster. Default: the global one. */
      prometheus?: MeshLifecyclePrometheusConfig;
      /** The Alertmanager of this cluster's alerts. Default: the global one. */
      alertmanager?: MeshLifecycleAlertmanagerConfig;
      /** As `meshLifecycle.clusters[].allowInsecureHttp`, for the cluster's `url`. */
      allowInsecureHttp?: boolean;
      /** As `meshLifecycle.clusters[].dangerouslyAllowLinkLocal`, for the cluster's `url`. */
      dangerouslyAllowLinkLocal?: boolean;
    }>;

    /** The Prometheus used for clusters that have none of their own. */
    prometheus?: MeshLifecyclePrometheusConfig;

    /**
     * The Alertmanager asked for silences, for clusters that have none of
     * their own. Optional: without one, answers list no silences.
     */
    alertmanager?: MeshLifecycleAlertmanagerConfig;

    /** Timeouts. */
    timeouts?: {
      /**
       * Timeout of each call to a cluster's API server. A duration string
       * such as `'10s'`, `'500ms'`, `'PT10S'`, or an object such as
       * `{ seconds: 10 }`. Default 10 seconds.
       */
      cluster?: MeshLifecycleDuration;
      /**
       * Timeout of each Prometheus query, for Prometheus entries without
       * their own `timeout`. Same formats. Default 10 seconds.
       */
      prometheus?: MeshLifecycleDuration;
    };

    /** The lifecycle history: phase, health and gate changes of each service. */
    history?: {
      /**
       * How often every service's lifecycle is evaluated, and recorded when
       * it changed. One backend replica does it at a time. Same formats as
       * `timeouts`. Default 5 minutes.
       */
      frequency?: MeshLifecycleDuration;
    };

    /**
     * How the backend keeps the clusters' objects (in watch-synchronised
     * caches, one watch per kind and cluster).
     */
    caches?: {
      /**
       * Start watching, when the backend starts, every kind an entity page
       * reads (see the README's per-cluster budget) on every configured
       * cluster, so that the first page view after a start is answered from
       * memory instead of listing them. `false` starts each kind on its
       * first use. Default `true`.
       */
      warmOnStart?: boolean;
      /**
       * How long the backend's startup (and so its readiness) waits for
       * those first lists; a cluster not synchronised by then goes on in the
       * background and its first views wait for it. Same formats as
       * `timeouts`. Default 10 seconds.
       */
      startupWait?: MeshLifecycleDuration;
    };

    /** The test environments made by the `mesh:environment:create` action. */
    environments?: {
      /**
       * How often the namespaces of expired test environments (labelled
       * `mesh-lifecycle.io/test-environment: "true"` and
       * `app.kubernetes.io/managed-by: mesh-lifecycle`, past their
       * `mesh-lifecycle.io/expires-at`) are deleted on every configured
       * cluster. One backend replica does it at a time. Same formats as
       * `timeouts`. Default 10 minutes.
       */
      cleanupFrequency?: MeshLifecycleDuration;
    };

    /**
     * The thresholds services are judged by. Defaults: the seed's p95
     * 1000 ms and 5xx 1 %, mTLS share 100 %, 7 quiet days before retiring,
     * and Kiali's request health (5xx 0.1 % / 10 %, 4xx 10 % / 20 %). An
     * entity's `mesh-lifecycle.io/p95-latency-ms` and
     * `mesh-lifecycle.io/error-ratio-percent` annotations override these.
     */
    thresholds?: {
      p95LatencyMs?: number;
      errorRatioPercent?: number;
      mtlsSharePercent?: number;
      retireQuietDays?: number;
      health?: {
        degraded5xxPercent?: number;
        failing5xxPercent?: number;
        degraded4xxPercent?: number;
        failing4xxPercent?: number;
      };
    };

    /**
     * The phase rules, replacing the defaults: tried in order, the first
     * whose `when` holds (all conditions of any group) gives the phase.
     * Conditions: `{ fact: retired | decommissioning | scaledToZero |
     * rolloutInProgress | hasTraffic | replacementNamed, equals: boolean }`
     * or `{ fact: runsIn | deployedIn, environment: development | testing |
     * production }`.
     */
    phaseRules?: Array<{
      phase: 'design' | 'develop' | 'test' | 'deploy' | 'operate' | 'retire';
      description: string;
      when: Array<
        Array<{
          fact: string;
          equals?: boolean;
          environment?: 'development' | 'testing' | 'production';
        }>
      >;
    }>;
  };

  /**
   * The part of the Backstage Kubernetes plugin's config that Mesh Lifecycle
   * reads (declared here too so the token stays a secret when that plugin is
   * not installed). See the Kubernetes plugin for its full meaning.
   */
  kubernetes?: {
    clusterLocatorMethods?: Array<{
      type: string;
      clusters?: Array<{
        name: string;
        url: string;
        authProvider?: string;
        /** @visibility secret */
        serviceAccountToken?: string;
        skipTLSVerify?: boolean;
        /** @visibility secret */
        caData?: string;
        /** @visibility secret */
        caFile?: string;
      }>;
    }>;
  };
}

/**
 * A duration: a string such as `'10s'`, `'2 minutes'` or ISO 8601 `'PT10S'`,
 * or an object such as `{ seconds: 10 }`. A plain number is not accepted.
 */
type MeshLifecycleDuration =
  | string
  | {
      years?: number;
      months?: number;
      weeks?: number;
      days?: number;
      hours?: number;
      minutes?: number;
      seconds?: number;
      milliseconds?: number;
    };

/** A Prometheus server (HTTP API) that Mesh Lifecycle queries. */
interface MeshLifecyclePrometheusConfig {
  /**
   * Base URL of the Prometheus HTTP API, without `/api/v1`, e.g.
   * `https://prometheus.example.com` or `http://127.0.0.1:9090`. http(s)
   * only; link-local and cloud metadata addresses and plain `http:` with
   * credentials or to a non-loopback host are refused unless opted in below.
   */
  url: string;
  /** Extra request headers, e.g. `X-Scope-OrgID`. Values are secrets. */
  headers?: {
    /** @visibility secret */
    [name: string]: string;
  };
  /**
   * Bearer token sent as `Authorization: Bearer <token>`. Cannot be combined
   * with an `Authorization` header.
   *
   * @visibility secret
   */
  bearerToken?: string;
  /**
   * Timeout of each query, as `meshLifecycle.timeouts.prometheus` (which is
   * the default).
   */
  timeout?: MeshLifecycleDuration;
  /**
   * The Prometheus evaluates Mesh Lifecycle's recording rules
   * (`meshLifecycleRecordingRules()` of `-common`, documented in the README):
   * the fleet view then reads each service's recorded 5-minute p95 instead of
   * aggregating every request-duration bucket series. Default `false`.
   */
  recordingRules?: boolean;
  /**
   * Allow a plain `http:` url when credentials (`bearerToken` or any header)
   * are sent or the host is not loopback. Default `false`.
   */
  allowInsecureHttp?: boolean;
  /** Allow a link-local or cloud metadata url. Default `false`. */
  dangerouslyAllowLinkLocal?: boolean;
}

/** An Alertmanager (v2 HTTP API) that Mesh Lifecycle asks for silences. */
interface MeshLifecycleAlertmanagerConfig {
  /**
   * Base URL of the Alertmanager, without `/api/v2`, e.g.
   * `https://alertmanager.example.com` or `http://127.0.0.1:9093`. Same
   * rules as a Prometheus `url`.
   */
  url: string;
  /** Extra request headers, e.g. `X-Scope-OrgID`. Values are secrets. */
  headers?: {
    /** @visibility secret */
    [name: string]: string;
  };
  /**
   * Bearer token sent as `Authorization: Bearer <token>`. Cannot be combined
   * with an `Authorization` header.
   *
   * @visibility secret
   */
  bearerToken?: string;
  /**
   * Timeout of each call. Same formats as `meshLifecycle.timeouts`. Default:
   * `meshLifecycle.timeouts.prometheus`.
   */
  timeout?: MeshLifecycleDuration;
  /**
   * Allow a plain `http:` url when credentials (`bearerToken` or any header)
   * are sent or the host is not loopback. Default `false`.
   */
  allowInsecureHttp?: boolean;
  /** Allow a link-local or cloud metadata url. Default `false`. */
  dangerouslyAllowLinkLocal?: boolean;
}
