import { LoggerService } from '@backstage/backend-plugin-api';
import { Config, readDurationFromConfig } from '@backstage/config';
import { InputError } from '@backstage/errors';
import {
  LIFECYCLE_PHASES,
  LifecycleThresholdOverrides,
  PhaseRule,
  isClusterName,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import { z } from 'zod';
import {
  KubeconfigError,
  loadKubeconfigContext,
  userSendsCredentials,
} from './loadKubeconfigContext';
import {
  AlertmanagerSourceConfig,
  ClusterAuthConfig,
  ClusterConfig,
  ClusterTlsConfig,
  MeshLifecycleConfig,
  MeshLifecycleTimeouts,
  PrometheusSourceConfig,
  SkippedClusterConfig,
} from './MeshLifecycleConfig';
import { warnAboutMisplacedApiPaths } from './misplacedApiPath';
import { validateEndpointUrl } from './validateEndpointUrl';
import { REDACTED, withRedactedSecrets } from './withRedactedSecrets';

/** Default of `meshLifecycle.timeouts.cluster` and `.prometheus`: 10 seconds. */
export const DEFAULT_TIMEOUT_MS = 10_000;

/** Default of `meshLifecycle.caches.startupWait`: 10 seconds. */
const DEFAULT_CACHES_STARTUP_WAIT_MS = 10_000;

/** Default of `meshLifecycle.history.frequency`: 5 minutes. */
export const DEFAULT_HISTORY_FREQUENCY_MS = 5 * 60_000;

/** Default of `meshLifecycle.environments.cleanupFrequency`: 10 minutes. */
export const DEFAULT_ENVIRONMENTS_CLEANUP_FREQUENCY_MS = 10 * 60_000;

/** CA bundle of the pod's service account, used with `inCluster` auth. */
export const IN_CLUSTER_CA_FILE =
  '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt';

/**
 * Options of {@link readMeshLifecycleConfig}.
 *
 * @public
 */
export interface ReadMeshLifecycleConfigOptions {
  /** Receives warnings, e.g. about skipped Kubernetes plugin clusters. */
  logger?: LoggerService;
}

/** Mesh Lifecycle settings of a Kubernetes plugin cluster. */
interface KubernetesPluginClusterSettings {
  configPath: string;
  environment?: string;
  istioClusterId?: string;
  namespaces?: string[];
  prometheus?: PrometheusSourceConfig;
  alertmanager?: AlertmanagerSourceConfig;
  allowInsecureHttp: boolean;
  dangerouslyAllowLinkLocal: boolean;
}

const MS_PER = {
  years: 365.25 * 24 * 3600_000,
  months: 30 * 24 * 3600_000,
  weeks: 7 * 24 * 3600_000,
  days: 24 * 3600_000,
  hours: 3600_000,
  minutes: 60_000,
  seconds: 1000,
  milliseconds: 1,
} as const;

function invalid(configPath: string, message: string): InputError {
  return new InputError(`Invalid config at '${configPath}': ${message}`);
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A required, non-blank string. */
function readString(config: Config, key: string, configPath: string): string {
  const value = config.getString(key);
  if (!value.trim()) {
    throw invalid(`${configPath}.${key}`, 'must not be empty');
  }
  return value;
}

/** An optional string that, when set, is not blank. */
function readOptionalString(
  config: Config,
  key: string,
  configPath: string,
): string | undefined {
  const value = config.getOptionalString(key);
  if (value !== undefined && !value.trim()) {
    throw invalid(`${configPath}.${key}`, 'must not be empty when set');
  }
  return value;
}

function optionalNamespaces(namespaces: string[] | undefined): {
  namespaces?: string[];
} {
  return namespaces ? { namespaces } : {};
}

/** A Kubernetes namespace name (RFC 1123 label). */
const NAMESPACE_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

function readNamespaces(
  config: Config,
  configPath: string,
): string[] | undefined {
  if (!config.has('namespaces')) return undefined;
  let names: string[];
  try {
    names = config.getStringArray('namespaces');
  } catch {
    throw invalid(
      `${configPath}.namespaces`,
      'must be a list of namespace names',
    );
  }
  if (names.length === 0) {
    throw invalid(
      `${configPath}.namespaces`,
      'must name at least one namespace; leave it out to watch every namespace',
    );
  }
  const bad = names.find(n => !NAMESPACE_NAME.test(n));
  if (bad !== undefined) {
    throw invalid(
      `${configPath}.namespaces`,
      `'${bad}' is not a namespace name (lower-case letters, digits and "-", at most 63)`,
    );
  }
  return [...new Set(names)];
}

function readIstioClusterId(
  config: Config,
  configPath: string,
): string | undefined {
  const value = readOptionalString(config, 'istioClusterId', configPath);
  if (value !== undefined && !isClusterName(value)) {
    throw invalid(
      `${configPath}.istioClusterId`,
      'must be at most 253 letters, digits, "-", "_" or ".", starting and ending with a letter or digit',
    );
  }
  return value;
}

/** A duration in milliseconds, or `undefined` when the key is not set. */
function readDurationMs(
  config: Config,
  key: string,
  configPath: string,
): number | undefined {
  if (!config.has(key)) return undefined;
  let ms = 0;
  try {
    const duration = readDurationFromConfig(config, { key });
    for (const [unit, factor] of Object.entries(MS_PER)) {
      const amount = duration[unit as keyof typeof MS_PER];
      ms += (amount ?? 0) * factor;
    }
  } catch (error) {
    throw invalid(
      `${configPath}.${key}`,
      `${errorMessage(
        error,
      )}. Use a string such as '10s' or an object such as { seconds: 10 }`,
    );
  }
  if (!Number.isFinite(ms) || ms <= 0) {
    throw invalid(`${configPath}.${key}`, 'the duration must be positive');
  }
  return Math.round(ms);
}

/** Reads `headers` without exposing values in messages. */
function readHeaders(
  config: Config,
  configPath: string,
): Record<string, string> {
  const raw = config.getOptional('headers');
  if (raw === undefined) return {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw invalid(
      `${configPath}.headers`,
      'must be an object of header names to values',
    );
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
      throw invalid(`${configPath}.headers`, `'${name}' is not a header name`);
    }
    if (typeof value !== 'string' || /[\r\n\0]/.test(value)) {
      throw invalid(
        `${configPath}.headers.${name}`,
        'must be a string without line breaks',
      );
    }
    headers[name] = value;
  }
  return headers;
}

function readPrometheus(
  config: Config,
  configPath: string,
  defaultTimeoutMs: number,
  what = 'Prometheus URL',
): PrometheusSourceConfig {
  const headers = readHeaders(config, configPath);
  const bearerToken = readOptionalString(config, 'bearerToken', configPath);
  if (
    bearerToken !== undefined &&
    Object.keys(headers).some(name => name.toLowerCase() === 'authorization')
  ) {
    throw invalid(
      `${configPath}.bearerToken`,
      'cannot be combined with an Authorization header in headers',
    );
  }
  const url = validateEndpointUrl(readString(config, 'url', configPath), {
    configPath: `${configPath}.url`,
    what,
    sendsCredentials:
      bearerToken !== undefined || Object.keys(headers).length > 0,
    allowInsecureHttp: config.getOptionalBoolean('allowInsecureHttp') ?? false,
    dangerouslyAllowLinkLocal:
      config.getOptionalBoolean('dangerouslyAllowLinkLocal') ?? false,
    optInPath: configPath,
  });
  const timeoutMs =
    readDurationMs(config, 'timeout', configPath) ?? defaultTimeoutMs;
  const recordingRules = config.getOptionalBoolean('recordingRules');
  const source: PrometheusSourceConfig = {
    url,
    headers,
    timeoutMs,
    ...(bearerToken !== undefined ? { bearerToken } : {}),
    ...(recordingRules ? { recordingRules } : {}),
  };
  return withRedactedSecrets(source, s => ({
    url: s.url,
    headers: Object.fromEntries(
      Object.keys(s.headers).map(name => [name, REDACTED]),
    ),
    ...(s.bearerToken !== undefined ? { bearerToken: REDACTED } : {}),
    timeoutMs: s.timeoutMs,
    ...(s.recordingRules ? { recordingRules: true } : {}),
  }));
}

/**
 * The `alertmanager` of a config entry, else `fallback`, as an object to
 * spread into the entry's settings.
 */
function readAlertmanager(
  config: Config,
  configPath: string,
  timeouts: MeshLifecycleTimeouts,
  fallback: AlertmanagerSourceConfig | undefined,
): { alertmanager?: AlertmanagerSourceConfig } {
  const own = config.getOptionalConfig('alertmanager');
  const alertmanager = own
    ? readPrometheus(
        own,
        `${configPath}.alertmanager`,
        timeouts.prometheusMs,
        'Alertmanager URL',
      )
    : fallback;
  return alertmanager ? { alertmanager } : {};
}

function tokenAuth(token: string): ClusterAuthConfig {
  return withRedactedSecrets<ClusterAuthConfig>(
    { type: 'serviceAccountToken', token },
    () => ({ type: 'serviceAccountToken', token: REDACTED }),
  );
}

/** The API server URL of the pod the backend runs in, as client-node derives it. */
function inClusterUrl(): string | undefined {
  const host = process.env.KUBERNETES_SERVICE_HOST;
  const port = process.env.KUBERNETES_SERVICE_PORT;
  if (!host || !port) return undefined;
  const scheme = ['80', '8080', '8001'].includes(port) ? 'http' : 'https';
  return `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/**
 * Reads `caData`/`caFile`. Both at once is an error in our config; in the
 * Kubernetes plugin's (`lenient`) both are kept and client-node uses the file.
 */
function readCa(
  config: Config,
  configPath: string,
  lenient = false,
): Pick<ClusterTlsConfig, 'caData' | 'caFile'> | undefined {
  const caData = readOptionalString(config, 'caData', configPath);
  const caFile = readOptionalString(config, 'caFile', configPath);
  if (caData !== undefined && caFile !== undefined) {
    if (lenient) return { caData, caFile };
    throw invalid(configPath, 'set at most one of caData and caFile');
  }
  if (caData !== undefined) return { caData };
  if (caFile !== undefined) return { caFile };
  return undefined;
}

/** Reads one `meshLifecycle.clusters[]` entry. */
function readOwnCluster(
  config: Config,
  configPath: string,
  globalPrometheus: PrometheusSourceConfig | undefined,
  timeouts: MeshLifecycleTimeouts,
  globalAlertmanager?: AlertmanagerSourceConfig,
): ClusterConfig {
  const name = readString(config, 'name', configPath);
  const token = readOptionalString(config, 'serviceAccountToken', configPath);
  const kubeconfig = config.getOptionalConfig('kubeconfig');
  const inCluster = config.getOptionalBoolean('inCluster') === true;
  const methods = [token !== undefined, kubeconfig !== undefined, inCluster];
  const count = methods.filter(Boolean).length;
  if (count !== 1) {
    throw invalid(
      configPath,
      `cluster '${name}' ${
        count === 0 ? 'has no credentials' : 'has more than one kind of auth'
      }; set exactly one of serviceAccountToken, kubeconfig (with path) or inCluster: true`,
    );
  }

  const configuredUrl = readOptionalString(config, 'url', configPath);
  const ca = readCa(config, configPath);
  const skipTLSVerify = config.getOptionalBoolean('skipTLSVerify');

  let auth: ClusterAuthConfig;
  let url: string | undefined;
  let tls: ClusterTlsConfig;
  let sendsCredentials = true;
  if (token !== undefined) {
    auth = tokenAuth(token);
    url = readString(config, 'url', configPath);
    tls = { ...ca, skipTLSVerify: skipTLSVerify ?? false };
  } else if (kubeconfig) {
    const path = readString(kubeconfig, 'path', `${configPath}.kubeconfig`);
    const context = readOptionalString(
      kubeconfig,
      'context',
      `${configPath}.kubeconfig`,
    );
    let loaded;
    try {
      loaded = loadKubeconfigContext(path, context);
    } catch (error) {
      if (error instanceof KubeconfigError) {
        throw invalid(`${configPath}.kubeconfig.${error.key}`, error.message);
      }
      throw error;
    }
    auth = { type: 'kubeconfig', path, ...(context ? { context } : {}) };
    url = configuredUrl ?? loaded.cluster.server;
    const fileCa = {
      ...(loaded.cluster.caData ? { caData: loaded.cluster.caData } : {}),
      ...(loaded.cluster.caFile ? { caFile: loaded.cluster.caFile } : {}),
    };
    tls = {
      ...(ca ?? fileCa),
      skipTLSVerify: skipTLSVerify ?? loaded.cluster.skipTLSVerify ?? false,
    };
    sendsCredentials = userSendsCredentials(loaded.user);
  } else {
    auth = { type: 'inCluster' };
    url = configuredUrl ?? inClusterUrl();
    if (!url) {
      throw invalid(
        `${configPath}.inCluster`,
        `cluster '${name}' uses the pod's service account, but KUBERNETES_SERVICE_HOST/KUBERNETES_SERVICE_PORT are not set (the backend is not running in a pod); set url or use other auth`,
      );
    }
    tls = {
      ...(ca ?? { caFile: IN_CLUSTER_CA_FILE }),
      skipTLSVerify: skipTLSVerify ?? false,
    };
  }

  const validatedUrl = validateEndpointUrl(url, {
    configPath: `${configPath}.url`,
    what: `API server URL of cluster '${name}'`,
    sendsCredentials,
    allowInsecureHttp: config.getOptionalBoolean('allowInsecureHttp') ?? false,
    dangerouslyAllowLinkLocal:
      config.getOptionalBoolean('dangerouslyAllowLinkLocal') ?? false,
    optInPath: configPath,
  });

  const prometheus = readClusterPrometheus(
    config,
    configPath,
    timeouts,
    globalPrometheus,
  );
  const environment = readOptionalString(config, 'environment', configPath);
  return {
    name,
    url: validatedUrl,
    ...(environment !== undefined ? { environment } : {}),
    istioClusterId: readIstioClusterId(config, configPath) ?? name,
    ...optionalNamespaces(readNamespaces(config, configPath)),
    auth,
    tls,
    ...(prometheus ? { prometheus } : {}),
    ...readAlertmanager(config, configPath, timeouts, globalAlertmanager),
    source: 'meshLifecycle',
  };
}

/** A cluster entry's own Prometheus, else the global one. */
function readClusterPrometheus(
  entry: Config,
  configPath: string,
  timeouts: MeshLifecycleTimeouts,
  globalPrometheus: PrometheusSourceConfig | undefined,
): PrometheusSourceConfig | undefined {
  const own = entry.getOptionalConfig('prometheus');
  return own
    ? readPrometheus(own, `${configPath}.prometheus`, timeouts.prometheusMs)
    : globalPrometheus;
}

/** Reads `meshLifecycle.kubernetesPluginClusters`, by cluster name. */
function readKubernetesPluginClusterSettings(
  root: Config | undefined,
  globalPrometheus: PrometheusSourceConfig | undefined,
  timeouts: MeshLifecycleTimeouts,
  globalAlertmanager?: AlertmanagerSourceConfig,
): Map<string, KubernetesPluginClusterSettings> {
  const settings = new Map<string, KubernetesPluginClusterSettings>();
  const entries = root?.getOptionalConfigArray('kubernetesPluginClusters');
  entries?.forEach((entry, index) => {
    const configPath = `meshLifecycle.kubernetesPluginClusters[${index}]`;
    const name = readString(entry, 'name', configPath);
    const previous = settings.get(name);
    if (previous) {
      throw invalid(
        `${configPath}.name`,
        `duplicate cluster name '${name}', also used at '${previous.configPath}'`,
      );
    }
    const prometheus = readClusterPrometheus(
      entry,
      configPath,
      timeouts,
      globalPrometheus,
    );
    const environment = readOptionalString(entry, 'environment', configPath);
    const istioClusterId = readIstioClusterId(entry, configPath);
    settings.set(name, {
      configPath,
      ...(environment !== undefined ? { environment } : {}),
      ...(istioClusterId !== undefined ? { istioClusterId } : {}),
      ...optionalNamespaces(readNamespaces(entry, configPath)),
      ...(prometheus ? { prometheus } : {}),
      ...readAlertmanager(entry, configPath, timeouts, globalAlertmanager),
      allowInsecureHttp: entry.getOptionalBoolean('allowInsecureHttp') ?? false,
      dangerouslyAllowLinkLocal:
        entry.getOptionalBoolean('dangerouslyAllowLinkLocal') ?? false,
    });
  });
  return settings;
}

/** Reads the `type: config` clusters of `kubernetes.clusterLocatorMethods`. */
function readKubernetesPluginClusters(
  config: Config,
  ownNames: Map<string, string>,
  settings: Map<string, KubernetesPluginClusterSettings>,
  globalPrometheus: PrometheusSourceConfig | undefined,
  logger: LoggerService | undefined,
  globalAlertmanager?: AlertmanagerSourceConfig,
): { clusters: ClusterConfig[]; skipped: SkippedClusterConfig[] } {
  const clusters: ClusterConfig[] = [];
  const skipped: SkippedClusterConfig[] = [];
  const seen = new Map<string, string>();
  const used = new Set<string>();
  const methods =
    config.getOptionalConfigArray('kubernetes.clusterLocatorMethods') ?? [];
  methods.forEach((method, methodIndex) => {
    if (method.getOptionalString('type') !== 'config') return;
    const entries = method.getOptionalConfigArray('clusters') ?? [];
    entries.forEach((entry, index) => {
      const configPath = `kubernetes.clusterLocatorMethods[${methodIndex}].clusters[${index}]`;
      const name = readString(entry, 'name', configPath);
      const ownPath = ownNames.get(name);
      if (ownPath) {
        logger?.info(
          `Mesh Lifecycle uses cluster '${name}' as configured at '${ownPath}', not at '${configPath}'`,
        );
        return;
      }
      const previous = seen.get(name);
      if (previous) {
        throw invalid(
          `${configPath}.name`,
          `duplicate cluster name '${name}', also used at '${previous}'; Mesh Lifecycle needs unique names (a meshLifecycle.clusters entry of that name would replace both)`,
        );
      }
      seen.set(name, configPath);
      used.add(name);

      const authProvider = entry.getOptionalString('authProvider');
      if (authProvider !== 'serviceAccount') {
        const reason = `authProvider '${
          authProvider ?? '(none)'
        }' is not supported by Mesh Lifecycle (only 'serviceAccount'); configure the cluster in meshLifecycle.clusters instead`;
        skipped.push({ name, configPath, reason });
        logger?.warn(
          `Mesh Lifecycle skips Kubernetes cluster '${name}' at '${configPath}': ${reason}`,
        );
        return;
      }
      const own = settings.get(name);
      const token = readOptionalString(
        entry,
        'serviceAccountToken',
        configPath,
      );
      const ca = readCa(entry, configPath, true);
      const url = validateEndpointUrl(readString(entry, 'url', configPath), {
        configPath: `${configPath}.url`,
        what: `API server URL of cluster '${name}'`,
        sendsCredentials: true,
        allowInsecureHttp: own?.allowInsecureHttp ?? false,
        dangerouslyAllowLinkLocal: own?.dangerouslyAllowLinkLocal ?? false,
        optInPath: own
          ? own.configPath
          : `meshLifecycle.kubernetesPluginClusters[] (an entry with name '${name}')`,
      });
      const prometheus = own ? own.prometheus : globalPrometheus;
      const alertmanager = own ? own.alertmanager : globalAlertmanager;
      clusters.push({
        name,
        url,
        ...(own?.environment !== undefined
          ? { environment: own.environment }
          : {}),
        istioClusterId: own?.istioClusterId ?? name,
        ...optionalNamespaces(own?.namespaces),
        // Like the Kubernetes plugin, serviceAccount without a token means
        // the pod's own service account.
        auth: token !== undefined ? tokenAuth(token) : { type: 'inCluster' },
        tls: {
          ...ca,
          skipTLSVerify: entry.getOptionalBoolean('skipTLSVerify') ?? false,
        },
        ...(prometheus ? { prometheus } : {}),
        ...(alertmanager ? { alertmanager } : {}),
        source: 'kubernetes',
      });
    });
  });
  for (const [name, own] of settings) {
    if (ownNames.has(name)) {
      logger?.warn(
        `Mesh Lifecycle ignores '${
          own.configPath
        }': cluster '${name}' is configured at '${ownNames.get(
          name,
        )}', which wins`,
      );
    } else if (!used.has(name)) {
      logger?.warn(
        `Mesh Lifecycle ignores '${own.configPath}': no cluster named '${name}' in kubernetes.clusterLocatorMethods`,
      );
    }
  }
  return { clusters, skipped };
}

/**
 * Reads and validates the Mesh Lifecycle configuration (`meshLifecycle`, plus
 * the `type: config` clusters of the Kubernetes plugin's
 * `kubernetes.clusterLocatorMethods` unless
 * `meshLifecycle.useKubernetesPluginClusters` is false). A cluster in
 * `meshLifecycle.clusters` replaces a Kubernetes plugin cluster of the same
 * name.
 *
 * Throws an `InputError` naming the config path (never a secret value) for
 * invalid config: duplicate names, missing auth, URLs that are not http(s) or
 * point at link-local or cloud metadata addresses, credentials over plain
 * http, unreadable kubeconfig files...
 *
 * @public
 */
export function readMeshLifecycleConfig(
  config: Config,
  options: ReadMeshLifecycleConfigOptions = {},
): MeshLifecycleConfig {
  const root = config.getOptionalConfig('meshLifecycle');
  const timeouts: MeshLifecycleTimeouts = {
    clusterMs:
      (root && readDurationMs(root, 'timeouts.cluster', 'meshLifecycle')) ??
      DEFAULT_TIMEOUT_MS,
    prometheusMs:
      (root && readDurationMs(root, 'timeouts.prometheus', 'meshLifecycle')) ??
      DEFAULT_TIMEOUT_MS,
  };
  const prometheusConfig = root?.getOptionalConfig('prometheus');
  const prometheus = prometheusConfig
    ? readPrometheus(
        prometheusConfig,
        'meshLifecycle.prometheus',
        timeouts.prometheusMs,
      )
    : undefined;
  const { alertmanager } = root
    ? readAlertmanager(root, 'meshLifecycle', timeouts, undefined)
    : { alertmanager: undefined };

  const clusters: ClusterConfig[] = [];
  const ownNames = new Map<string, string>();
  (root?.getOptionalConfigArray('clusters') ?? []).forEach((entry, index) => {
    const configPath = `meshLifecycle.clusters[${index}]`;
    const cluster = readOwnCluster(
      entry,
      configPath,
      prometheus,
      timeouts,
      alertmanager,
    );
    const previous = ownNames.get(cluster.name);
    if (previous) {
      throw invalid(
        `${configPath}.name`,
        `duplicate cluster name '${cluster.name}', also used at '${previous}'`,
      );
    }
    ownNames.set(cluster.name, configPath);
    clusters.push(cluster);
  });

  const settings = readKubernetesPluginClusterSettings(
    root,
    prometheus,
    timeouts,
    alertmanager,
  );
  let skipped: SkippedClusterConfig[] = [];
  if (root?.getOptionalBoolean('useKubernetesPluginClusters') !== false) {
    const fromPlugin = readKubernetesPluginClusters(
      config,
      ownNames,
      settings,
      prometheus,
      options.logger,
      alertmanager,
    );
    clusters.push(...fromPlugin.clusters);
    skipped = fromPlugin.skipped;
  }
  warnAboutMisplacedApiPaths(root, options.logger);

  return {
    clusters,
    ...(prometheus ? { prometheus } : {}),
    ...(alertmanager ? { alertmanager } : {}),
    timeouts,
    history: {
      frequencyMs:
        (root && readDurationMs(root, 'history.frequency', 'meshLifecycle')) ??
        DEFAULT_HISTORY_FREQUENCY_MS,
    },
    caches: {
      warmOnStart: root?.getOptionalBoolean('caches.warmOnStart') ?? true,
      startupWaitMs:
        (root && readDurationMs(root, 'caches.startupWait', 'meshLifecycle')) ??
        DEFAULT_CACHES_STARTUP_WAIT_MS,
    },
    environments: {
      cleanupFrequencyMs:
        (root &&
          readDurationMs(
            root,
            'environments.cleanupFrequency',
            'meshLifecycle',
          )) ??
        DEFAULT_ENVIRONMENTS_CLEANUP_FREQUENCY_MS,
    },
    thresholds: readThresholds(root),
    ...readPhaseRules(root),
    skipped,
  };
}

const percent = z.number().min(0).max(100);
const thresholdsSchema = z
  .object({
    p95LatencyMs: z.number().positive().optional(),
    errorRatioPercent: percent.optional(),
    mtlsSharePercent: percent.optional(),
    retireQuietDays: z.number().positive().optional(),
    health: z
      .object({
        degraded5xxPercent: percent.optional(),
        failing5xxPercent: percent.optional(),
        degraded4xxPercent: percent.optional(),
        failing4xxPercent: percent.optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

const phaseRulesSchema = z.array(
  z
    .object({
      phase: z.enum(LIFECYCLE_PHASES),
      description: z.string().min(1),
      when: z.array(
        z.array(
          z.union([
            z
              .object({
                fact: z.enum([
                  'retired',
                  'decommissioning',
                  'scaledToZero',
                  'rolloutInProgress',
                  'hasTraffic',
                  'replacementNamed',
                ]),
                equals: z.boolean(),
              })
              .strict(),
            z
              .object({
                fact: z.enum(['runsIn', 'deployedIn']),
                environment: z.enum(['development', 'testing', 'production']),
              })
              .strict(),
          ]),
        ),
      ),
    })
    .strict(),
);

function issuePath(issue: z.core.$ZodIssue | undefined): string {
  return (issue?.path ?? [])
    .map(p => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
    .join('');
}

/** `meshLifecycle.<key>` parsed with a schema; errors name the key's path. */
function readWithSchema<T extends z.ZodType>(
  root: Config | undefined,
  key: string,
  schema: T,
): z.infer<T> | undefined {
  const value = root?.getOptional(key);
  if (value === undefined) return undefined;
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    throw invalid(
      `meshLifecycle.${key}${issuePath(issue)}`,
      issue?.message ?? 'is not valid',
    );
  }
  return parsed.data;
}

/**
 * Only `meshLifecycle.thresholds`, checked as {@link readMeshLifecycleConfig}
 * checks it, for a module that needs nothing else (no cluster, no file read).
 *
 * @public
 */
export function readMeshLifecycleThresholds(
  config: Config,
): LifecycleThresholdOverrides {
  return readThresholds(config.getOptionalConfig('meshLifecycle'));
}

function readThresholds(root: Config | undefined): LifecycleThresholdOverrides {
  return readWithSchema(root, 'thresholds', thresholdsSchema) ?? {};
}

function readPhaseRules(root: Config | undefined): {
  phaseRules?: PhaseRule[];
} {
  const phaseRules = readWithSchema(root, 'phaseRules', phaseRulesSchema);
  return phaseRules ? { phaseRules } : {};
}
