import { InputError } from '@backstage/errors';
import {
  AuthorizationPolicy,
  PeerAuthentication,
} from '@kubernetes-models/istio/security.istio.io/v1beta1';
import {
  DestinationRule,
  VirtualService,
} from '@kubernetes-models/istio/networking.istio.io/v1beta1';
import {
  PrometheusRule,
  ServiceMonitor,
} from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import {
  ANNOTATION_KUBERNETES_ID,
  LIFECYCLE_PHASES,
  LifecyclePhase,
  MARKER_LIFECYCLE_PHASE,
  MARKER_LIFECYCLE_STATUS,
  PromDuration,
  compare,
  istioQueries,
  promDuration,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import {
  IContainerPort,
  IEnvFromSource,
  IProbe,
  Namespace,
  Service,
  ServiceAccount,
} from 'kubernetes-models/v1';
import {
  INT32_MAX,
  UINT32_MAX,
  dns1035,
  dnsLabel,
  dnsSubdomain,
  fail,
  httpPath,
  imageReference,
  integer,
  istioDuration,
  labelValue,
  limitAtLeastRequest,
  port,
  positive,
  quantity,
  quantityValue,
  show,
} from '../inputChecks';

/** Protocols Istio selects from a Service port name prefix. */
export const MESH_PORT_PROTOCOLS = [
  'http',
  'http2',
  'https',
  'grpc',
  'grpc-web',
  'tcp',
  'tls',
  'mongo',
  'mysql',
  'redis',
] as const;

/** A protocol Istio selects from a port name. */
export type MeshPortProtocol = (typeof MESH_PORT_PROTOCOLS)[number];

/** One port of the service. */
export interface MeshPortInput {
  /** Service port. */
  port: number;
  /** Container port; defaults to `port`. */
  targetPort?: number;
  /** Protocol, the prefix of the port name; default `http`. */
  protocol?: MeshPortProtocol;
  /** Suffix of the port name, `<protocol>-<suffix>`. */
  suffix?: string;
}

/** An HTTP probe of the container. */
export interface MeshProbeInput {
  path?: string;
  /** Container port; defaults to the target port of the first port. */
  port?: number;
  initialDelaySeconds?: number;
  periodSeconds?: number;
  failureThreshold?: number;
}

/** CPU and memory quantities, e.g. `100m` and `128Mi`. */
export interface MeshResourceQuantities {
  cpu?: string;
  memory?: string;
}

/** A subset of the service and its share of the traffic in percent. */
export interface MeshVersionWeight {
  name: string;
  weight: number;
}

/** A workload allowed to call the service, by its service account. */
export interface MeshCaller {
  namespace: string;
  serviceAccount: string;
}

/**
 * What `mesh:manifests:generate` builds the manifests of. Only `name`,
 * `namespace` and `image` are required; everything else defaults to
 * {@link MESH_MANIFEST_DEFAULTS}.
 */
export interface MeshManifestsInput {
  name: string;
  namespace: string;
  image: string;
  /** Value of the `backstage.io/kubernetes-id` label; default `name`. */
  kubernetesId?: string;
  /** Version label of the Deployment and name of its subset. */
  version?: string;
  replicas?: number;
  phase?: LifecyclePhase;
  lifecycleStatus?: string;
  /** Also write the Namespace, labelled `istio-injection: enabled`. */
  createNamespace?: boolean;
  serviceAccountName?: string;
  clusterDomain?: string;
  ports?: MeshPortInput[];
  env?: Record<string, string>;
  configMapRefs?: string[];
  secretRefs?: string[];
  resources?: {
    requests?: MeshResourceQuantities;
    limits?: MeshResourceQuantities;
  };
  probes?: { readiness?: MeshProbeInput; liveness?: MeshProbeInput };
  traffic?: {
    timeout?: string;
    retries?: { attempts?: number; perTryTimeout?: string; retryOn?: string };
    /** Subsets and their weights; must name `version` and sum to 100. */
    versions?: MeshVersionWeight[];
  };
  connectionPool?: {
    maxConnections?: number;
    connectTimeout?: string;
    http1MaxPendingRequests?: number;
    maxRequestsPerConnection?: number;
  };
  outlierDetection?: {
    consecutive5xxErrors?: number;
    interval?: string;
    baseEjectionTime?: string;
    maxEjectionPercent?: number;
  };
  mtlsMode?: 'STRICT' | 'PERMISSIVE';
  authorization?: {
    callers?: MeshCaller[];
    methods?: string[];
    paths?: string[];
    trustDomain?: string;
  };
  monitoring?: {
    /** Namespace of the ServiceMonitor and PrometheusRule; default `namespace`. */
    namespace?: string;
    port?: number;
    path?: string;
    interval?: string;
  };
  alerts?: {
    window?: string;
    p95LatencyMs?: number;
    latencyFor?: string;
    latencySeverity?: string;
    errorRatioPercent?: number;
    errorFor?: string;
    errorSeverity?: string;
  };
  hpa?: {
    minReplicas?: number;
    maxReplicas?: number;
    cpuUtilizationPercent?: number;
  };
  pdb?: { minAvailable?: number };
}

/**
 * The mesh defaults, from the seed article's examples: a 5s timeout with 3
 * retries of 2s on connect failures and refused streams, a connection pool
 * of 100 connections, ejection after 5 consecutive 5xx, STRICT mTLS,
 * alerts at p95 above 1000 ms for 5m and a 5xx ratio above 1% for 2m.
 */
export const MESH_MANIFEST_DEFAULTS = {
  version: 'v1',
  replicas: 2,
  phase: 'develop',
  lifecycleStatus: 'active',
  clusterDomain: 'cluster.local',
  ports: [{ port: 80, targetPort: 8080, protocol: 'http' }],
  resources: {
    requests: { cpu: '100m', memory: '128Mi' },
    limits: { cpu: '500m', memory: '512Mi' },
  },
  probes: {
    readiness: { path: '/health', initialDelaySeconds: 5, periodSeconds: 10 },
    liveness: { path: '/health', initialDelaySeconds: 15, periodSeconds: 20 },
  },
  traffic: {
    timeout: '5s',
    retries: {
      attempts: 3,
      perTryTimeout: '2s',
      retryOn: 'connect-failure,refused-stream',
    },
  },
  connectionPool: {
    maxConnections: 100,
    connectTimeout: '30ms',
    http1MaxPendingRequests: 1000,
    maxRequestsPerConnection: 10,
  },
  outlierDetection: {
    consecutive5xxErrors: 5,
    interval: '60s',
    baseEjectionTime: '60s',
    maxEjectionPercent: 20,
  },
  mtlsMode: 'STRICT',
  authorization: {
    methods: ['GET', 'POST'],
    paths: ['/api/*'],
    trustDomain: 'cluster.local',
  },
  monitoring: { port: 9090, path: '/metrics', interval: '30s' },
  alerts: {
    window: '5m',
    p95LatencyMs: 1000,
    latencyFor: '5m',
    latencySeverity: 'warning',
    errorRatioPercent: 1,
    errorFor: '2m',
    errorSeverity: 'critical',
  },
  hpa: { maxReplicas: 10, cpuUtilizationPercent: 80 },
  pdb: { minAvailable: 1 },
} as const;

/**
 * Upper bounds of the numeric inputs. Where the API server or Envoy has one
 * it is used (ports, int32 and uint32 fields, percentages); where it would
 * let an absurd value through, a sane bound is set instead:
 *
 * - replicas (the Deployment's and the HPA's): 1000, more pods than one
 *   service of the mesh runs; `1e9` is a typo that would exhaust the cluster.
 * - retry attempts: 10. Each attempt re-sends to an upstream that is already
 *   failing, and retries compound at every hop (11 requests per call, 121
 *   over two hops): more attempts turn an outage into a retry storm, and
 *   could not fit in the route timeout anyway.
 * - probes: an initial delay and a period of at most an hour, at most 100
 *   failures before the pod is restarted or taken out of the Service.
 * - the p95 latency alert: below 3 600 000 ms, the largest finite bucket of
 *   `istio_request_duration_milliseconds`; `histogram_quantile` never returns
 *   more, so such an alert could never fire.
 */
export const MESH_MANIFEST_LIMITS = {
  replicas: 1000,
  retryAttempts: 10,
  probeSeconds: 3600,
  probeFailureThreshold: 100,
  /** Istio's connection pool fields are int32. */
  connectionPool: INT32_MAX,
  /** Envoy's `consecutive_5xx` is a uint32. */
  consecutive5xxErrors: UINT32_MAX,
  /** Exclusive. */
  p95LatencyMs: 3_600_000,
} as const;

const L = MESH_MANIFEST_LIMITS;

/** A manifest ready to be written: its validated model and file name. */
export interface MeshManifest {
  kind: string;
  name: string;
  namespace?: string;
  /** File name, relative to the output directory. */
  file: string;
  /** The object as written. */
  object: Record<string, unknown>;
}

/** The kubernetes-models instances the builder produces. */
type MeshModel =
  | Namespace
  | ServiceAccount
  | Deployment
  | Service
  | VirtualService
  | DestinationRule
  | PeerAuthentication
  | AuthorizationPolicy
  | ServiceMonitor
  | PrometheusRule
  | HorizontalPodAutoscaler
  | PodDisruptionBudget;

const HTTP_METHODS = [
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'PATCH',
  'DELETE',
  'OPTIONS',
  'CONNECT',
  'TRACE',
];
// Envoy retry conditions (`5xx`, `connect-failure`, ...) and status codes.
const RETRY_ON = /^[a-z0-9][-a-z0-9]*(?:,[a-z0-9][-a-z0-9]*)*$/;
// The Istio path matchers: exact, prefix (`/api/*`), suffix (`*/info`), any.
const AUTHZ_PATH = /^(?:\*|\/[^\s*]*\*?|\*\/[^\s*]*)$/;
const IANA_SVC_NAME = /^(?=.*[a-z])(?!.*--)[a-z0-9](?:[-a-z0-9]*[a-z0-9])?$/;

function promDurationOf(field: string, value: unknown): PromDuration {
  if (typeof value !== 'string') {
    fail(field, 'a Prometheus duration such as 30s, 5m or 1h', value);
  }
  try {
    return promDuration(value);
  } catch {
    return fail(field, 'a Prometheus duration such as 30s, 5m or 1h', value);
  }
}

function nonEmptyList<T>(field: string, value: T[] | undefined): T[] {
  if (!Array.isArray(value) || value.length === 0) {
    fail(field, 'a non-empty list', value);
  }
  return value;
}

function unique(field: string, values: string[]): void {
  const seen = new Set<string>();
  for (const value of values) {
    if (seen.has(value)) fail(field, 'a list without duplicates', value);
    seen.add(value);
  }
}

interface ResolvedPort {
  name: string;
  port: number;
  targetPort: number;
  protocol: MeshPortProtocol;
}

function resolvePorts(input: MeshManifestsInput): ResolvedPort[] {
  const ports = nonEmptyList(
    'ports',
    input.ports ?? [...MESH_MANIFEST_DEFAULTS.ports],
  );
  const resolved = ports.map((p, i): ResolvedPort => {
    const field = `ports[${i}]`;
    const protocol = p.protocol ?? 'http';
    if (!MESH_PORT_PROTOCOLS.includes(protocol)) {
      fail(
        `${field}.protocol`,
        `one of ${MESH_PORT_PROTOCOLS.join(', ')}`,
        protocol,
      );
    }
    const name = p.suffix === undefined ? protocol : `${protocol}-${p.suffix}`;
    if (name.length > 15 || !IANA_SVC_NAME.test(name)) {
      fail(
        `${field}.suffix`,
        'such that <protocol>-<suffix> is at most 15 lowercase alphanumerics or "-", without "--"',
        p.suffix,
      );
    }
    return {
      name,
      protocol,
      port: port(`${field}.port`, p.port),
      targetPort: port(`${field}.targetPort`, p.targetPort ?? p.port),
    };
  });
  unique(
    'ports (port names)',
    resolved.map(p => p.name),
  );
  unique(
    'ports (port numbers)',
    resolved.map(p => String(p.port)),
  );
  return resolved;
}

function resolveVersions(
  input: MeshManifestsInput,
  version: string,
): MeshVersionWeight[] {
  const versions = input.traffic?.versions ?? [{ name: version, weight: 100 }];
  nonEmptyList('traffic.versions', versions);
  versions.forEach((v, i) => {
    dnsLabel(`traffic.versions[${i}].name`, v.name);
    integer(`traffic.versions[${i}].weight`, v.weight, 0, 100);
  });
  unique(
    'traffic.versions',
    versions.map(v => v.name),
  );
  const total = versions.reduce((acc, v) => acc + v.weight, 0);
  if (total !== 100) {
    fail('traffic.versions', 'weights that sum to 100', total);
  }
  if (!versions.some(v => v.name === version)) {
    fail(
      'traffic.versions',
      `a list that names the version ${show(version)} being deployed`,
      versions.map(v => v.name),
    );
  }
  return versions;
}

function probe(
  field: string,
  given: MeshProbeInput | undefined,
  defaults: MeshProbeInput,
  defaultPort: number,
): IProbe {
  const p = { ...defaults, ...given };
  return {
    httpGet: {
      path: httpPath(`${field}.path`, p.path),
      port: port(`${field}.port`, p.port ?? defaultPort),
    },
    initialDelaySeconds:
      p.initialDelaySeconds === undefined
        ? undefined
        : integer(
            `${field}.initialDelaySeconds`,
            p.initialDelaySeconds,
            0,
            L.probeSeconds,
          ),
    periodSeconds:
      p.periodSeconds === undefined
        ? undefined
        : integer(`${field}.periodSeconds`, p.periodSeconds, 1, L.probeSeconds),
    failureThreshold:
      p.failureThreshold === undefined
        ? undefined
        : integer(
            `${field}.failureThreshold`,
            p.failureThreshold,
            1,
            L.probeFailureThreshold,
          ),
  };
}

function resources(input: MeshManifestsInput) {
  const d = MESH_MANIFEST_DEFAULTS.resources;
  const requests = { ...d.requests, ...input.resources?.requests };
  const limits = { ...d.limits, ...input.resources?.limits };
  const resolved = {
    requests: {
      cpu: quantity('resources.requests.cpu', requests.cpu),
      memory: quantity('resources.requests.memory', requests.memory),
    },
    limits: {
      cpu: quantity('resources.limits.cpu', limits.cpu),
      memory: quantity('resources.limits.memory', limits.memory),
    },
  };
  for (const resource of ['cpu', 'memory'] as const) {
    limitAtLeastRequest(
      `resources.limits.${resource}`,
      resolved.limits[resource],
      `resources.requests.${resource}`,
      resolved.requests[resource],
    );
  }
  return resolved;
}

/**
 * The HPA's CPU target, in percent of the CPU request: the request must be
 * more than zero (the HPA cannot compute a utilization otherwise), and the
 * target at most limit / request, the most a container can use, or the HPA
 * would never scale out.
 */
function cpuUtilizationTarget(
  value: unknown,
  containerResources: ReturnType<typeof resources>,
): number {
  const { requests, limits } = containerResources;
  // In whole millicores, the API server's precision for CPU.
  const milli = (field: string, quantityText: string) =>
    Math.ceil(quantityValue(field, quantityText) * 1000 - 1e-9);
  const request = milli('resources.requests.cpu', requests.cpu);
  if (request <= 0) {
    fail(
      'resources.requests.cpu',
      'more than zero when hpa is set: the HPA scales on a percentage of it',
      requests.cpu,
    );
  }
  const ceiling = Math.floor(
    (milli('resources.limits.cpu', limits.cpu) * 100) / request,
  );
  return integer('hpa.cpuUtilizationPercent', value, 1, ceiling);
}

function envVars(input: MeshManifestsInput) {
  const env = Object.entries(input.env ?? {}).map(([name, value]) => {
    if (!/^[-._a-zA-Z][-._a-zA-Z0-9]*$/.test(name)) {
      fail('env', 'a map whose keys are environment variable names', name);
    }
    if (typeof value !== 'string') fail(`env.${name}`, 'a string', value);
    return { name, value };
  });
  const envFrom: IEnvFromSource[] = [
    ...(input.configMapRefs ?? []).map((ref, i) => ({
      configMapRef: { name: dnsSubdomain(`configMapRefs[${i}]`, ref) },
    })),
    ...(input.secretRefs ?? []).map((ref, i) => ({
      secretRef: { name: dnsSubdomain(`secretRefs[${i}]`, ref) },
    })),
  ];
  return {
    env: env.length > 0 ? env : undefined,
    envFrom: envFrom.length > 0 ? envFrom : undefined,
  };
}

function callers(input: MeshManifestsInput, trustDomain: string) {
  const list = input.authorization?.callers ?? [];
  return list.map((c, i) => {
    const ns = dnsLabel(`authorization.callers[${i}].namespace`, c.namespace);
    const sa = dnsSubdomain(
      `authorization.callers[${i}].serviceAccount`,
      c.serviceAccount,
    );
    return `${trustDomain}/ns/${ns}/sa/${sa}`;
  });
}

function methods(input: MeshManifestsInput): string[] {
  const list = nonEmptyList('authorization.methods', [
    ...(input.authorization?.methods ??
      MESH_MANIFEST_DEFAULTS.authorization.methods),
  ]);
  list.forEach((m, i) => {
    if (!HTTP_METHODS.includes(m)) {
      fail(
        `authorization.methods[${i}]`,
        `one of ${HTTP_METHODS.join(', ')}`,
        m,
      );
    }
  });
  return list;
}

function paths(input: MeshManifestsInput): string[] {
  const list = nonEmptyList('authorization.paths', [
    ...(input.authorization?.paths ??
      MESH_MANIFEST_DEFAULTS.authorization.paths),
  ]);
  list.forEach((p, i) => {
    if (typeof p !== 'string' || !AUTHZ_PATH.test(p)) {
      fail(
        `authorization.paths[${i}]`,
        'an exact path, a prefix "/api/*", a suffix "*/info" or "*"',
        p,
      );
    }
  });
  return list;
}

/**
 * Builds and validates the manifests of a service on the mesh. Every input
 * is checked first (an `InputError` names the field), then every object is
 * built with its kubernetes-models class and validated against the upstream
 * schema it carries.
 */
export function buildMeshManifests(input: MeshManifestsInput): MeshManifest[] {
  const d = MESH_MANIFEST_DEFAULTS;
  const name = dns1035('name', input.name);
  const namespace = dnsLabel('namespace', input.namespace);
  const image = imageReference('image', input.image);
  const kubernetesId = labelValue('kubernetesId', input.kubernetesId ?? name);
  const version = dnsLabel('version', input.version ?? d.version);
  const replicas = integer(
    'replicas',
    input.replicas ?? d.replicas,
    0,
    L.replicas,
  );
  const phase = input.phase ?? d.phase;
  if (!LIFECYCLE_PHASES.includes(phase)) {
    fail('phase', `one of ${LIFECYCLE_PHASES.join(', ')}`, phase);
  }
  const lifecycleStatus = labelValue(
    'lifecycleStatus',
    input.lifecycleStatus ?? d.lifecycleStatus,
  );
  const serviceAccountName = dnsSubdomain(
    'serviceAccountName',
    input.serviceAccountName ?? name,
  );
  const clusterDomain = dnsSubdomain(
    'clusterDomain',
    input.clusterDomain ?? d.clusterDomain,
  );
  const deploymentName = dnsSubdomain('version', `${name}-${version}`);
  const containerResources = resources(input);
  const ports = resolvePorts(input);
  const versions = resolveVersions(input, version);
  const host = `${name}.${namespace}.svc.${clusterDomain}`;

  const traffic = {
    timeout: istioDuration(
      'traffic.timeout',
      input.traffic?.timeout ?? d.traffic.timeout,
    ),
    attempts: integer(
      'traffic.retries.attempts',
      input.traffic?.retries?.attempts ?? d.traffic.retries.attempts,
      0,
      L.retryAttempts,
    ),
    perTryTimeout: istioDuration(
      'traffic.retries.perTryTimeout',
      input.traffic?.retries?.perTryTimeout ?? d.traffic.retries.perTryTimeout,
    ),
    retryOn: input.traffic?.retries?.retryOn ?? d.traffic.retries.retryOn,
  };
  if (!RETRY_ON.test(traffic.retryOn)) {
    fail(
      'traffic.retries.retryOn',
      'a comma-separated list of retry conditions such as connect-failure,refused-stream,503',
      traffic.retryOn,
    );
  }
  const pool = { ...d.connectionPool, ...input.connectionPool };
  const outlier = { ...d.outlierDetection, ...input.outlierDetection };
  const mtlsMode = input.mtlsMode ?? d.mtlsMode;
  if (mtlsMode !== 'STRICT' && mtlsMode !== 'PERMISSIVE') {
    fail('mtlsMode', 'STRICT or PERMISSIVE', mtlsMode);
  }
  const trustDomain = dnsSubdomain(
    'authorization.trustDomain',
    input.authorization?.trustDomain ?? d.authorization.trustDomain,
  );
  const principals = callers(input, trustDomain);
  const monitoringNamespace = dnsLabel(
    'monitoring.namespace',
    input.monitoring?.namespace ?? namespace,
  );
  const metricsPort = port(
    'monitoring.port',
    input.monitoring?.port ?? d.monitoring.port,
  );
  if (ports.some(p => p.port === metricsPort || p.targetPort === metricsPort)) {
    fail(
      'monitoring.port',
      'a port that none of the service ports uses',
      metricsPort,
    );
  }
  const metricsPath = httpPath(
    'monitoring.path',
    input.monitoring?.path ?? d.monitoring.path,
  );
  const scrapeInterval = promDurationOf(
    'monitoring.interval',
    input.monitoring?.interval ?? d.monitoring.interval,
  );
  const alerts = { ...d.alerts, ...input.alerts };

  const labels = {
    app: name,
    version,
    [ANNOTATION_KUBERNETES_ID]: kubernetesId,
  };
  const serviceLabels = { app: name, [ANNOTATION_KUBERNETES_ID]: kubernetesId };
  const annotations = {
    [MARKER_LIFECYCLE_PHASE]: phase,
    [MARKER_LIFECYCLE_STATUS]: lifecycleStatus,
  };
  const meta = (objectName: string, ns: string = namespace) => ({
    name: objectName,
    namespace: ns,
    labels: { ...serviceLabels },
    annotations: { ...annotations },
  });
  const metricsPortName = 'http-metrics';
  const firstTarget = ports[0].targetPort;
  const containerPorts: IContainerPort[] = [
    ...ports.map(p => ({
      name: p.name,
      containerPort: p.targetPort,
      protocol: 'TCP' as const,
    })),
    { name: metricsPortName, containerPort: metricsPort, protocol: 'TCP' },
  ];
  unique(
    'ports (container ports)',
    containerPorts.map(p => String(p.containerPort)),
  );

  const models: Array<{ model: MeshModel; file: string }> = [];
  const add = (model: MeshModel, file: string) => models.push({ model, file });

  if (input.createNamespace) {
    // Cluster-scoped: no metadata.namespace.
    add(
      new Namespace({
        metadata: {
          name: namespace,
          labels: { ...serviceLabels, 'istio-injection': 'enabled' },
          annotations: { ...annotations },
        },
      }),
      'namespace.yaml',
    );
  }
  add(
    new ServiceAccount({ metadata: meta(serviceAccountName) }),
    'serviceaccount.yaml',
  );
  add(
    new Deployment({
      metadata: { ...meta(deploymentName), labels: { ...labels } },
      spec: {
        replicas,
        selector: { matchLabels: { app: name, version } },
        template: {
          metadata: { labels: { ...labels }, annotations: { ...annotations } },
          spec: {
            serviceAccountName,
            containers: [
              {
                name,
                image,
                ports: containerPorts,
                ...envVars(input),
                resources: containerResources,
                readinessProbe: probe(
                  'probes.readiness',
                  input.probes?.readiness,
                  d.probes.readiness,
                  firstTarget,
                ),
                livenessProbe: probe(
                  'probes.liveness',
                  input.probes?.liveness,
                  d.probes.liveness,
                  firstTarget,
                ),
              },
            ],
          },
        },
      },
    }),
    'deployment.yaml',
  );
  add(
    new Service({
      metadata: meta(name),
      spec: {
        selector: { app: name },
        ports: [
          ...ports.map(p => ({
            name: p.name,
            port: p.port,
            targetPort: p.targetPort,
            protocol: 'TCP' as const,
          })),
          {
            name: metricsPortName,
            port: metricsPort,
            targetPort: metricsPort,
            protocol: 'TCP' as const,
          },
        ],
      },
    }),
    'service.yaml',
  );
  add(
    new VirtualService({
      metadata: meta(name),
      spec: {
        hosts: [host],
        http: [
          {
            name: 'default',
            route: versions.map(v => ({
              destination: { host, subset: v.name },
              ...(versions.length > 1 ? { weight: v.weight } : {}),
            })),
            timeout: traffic.timeout,
            retries: {
              attempts: traffic.attempts,
              perTryTimeout: traffic.perTryTimeout,
              retryOn: traffic.retryOn,
            },
          },
        ],
      },
    }),
    'virtualservice.yaml',
  );
  add(
    new DestinationRule({
      metadata: meta(name),
      spec: {
        host,
        trafficPolicy: {
          connectionPool: {
            tcp: {
              maxConnections: integer(
                'connectionPool.maxConnections',
                pool.maxConnections,
                1,
                L.connectionPool,
              ),
              connectTimeout: istioDuration(
                'connectionPool.connectTimeout',
                pool.connectTimeout,
              ),
            },
            http: {
              http1MaxPendingRequests: integer(
                'connectionPool.http1MaxPendingRequests',
                pool.http1MaxPendingRequests,
                1,
                L.connectionPool,
              ),
              maxRequestsPerConnection: integer(
                'connectionPool.maxRequestsPerConnection',
                pool.maxRequestsPerConnection,
                0,
                L.connectionPool,
              ),
            },
          },
          outlierDetection: {
            consecutive5xxErrors: integer(
              'outlierDetection.consecutive5xxErrors',
              outlier.consecutive5xxErrors,
              0,
              L.consecutive5xxErrors,
            ),
            interval: istioDuration(
              'outlierDetection.interval',
              outlier.interval,
            ),
            baseEjectionTime: istioDuration(
              'outlierDetection.baseEjectionTime',
              outlier.baseEjectionTime,
            ),
            maxEjectionPercent: integer(
              'outlierDetection.maxEjectionPercent',
              outlier.maxEjectionPercent,
              0,
              100,
            ),
          },
        },
        subsets: versions.map(v => ({
          name: v.name,
          labels: { version: v.name },
        })),
      },
    }),
    'destinationrule.yaml',
  );
  add(
    new PeerAuthentication({
      metadata: meta(name),
      spec: {
        selector: { matchLabels: { app: name } },
        mtls: { mode: mtlsMode },
        // Prometheus scrapes without a mesh identity.
        portLevelMtls: { [String(metricsPort)]: { mode: 'PERMISSIVE' } },
      },
    }),
    'peerauthentication.yaml',
  );
  add(
    new AuthorizationPolicy({
      metadata: meta(name),
      spec: {
        selector: { matchLabels: { app: name } },
        action: 'ALLOW',
        rules: [
          {
            from: [
              {
                source:
                  principals.length > 0
                    ? { principals }
                    : { namespaces: [namespace] },
              },
            ],
            to: [
              { operation: { methods: methods(input), paths: paths(input) } },
            ],
          },
          {
            to: [
              {
                operation: {
                  ports: [String(metricsPort)],
                  methods: ['GET'],
                  paths: [metricsPath],
                },
              },
            ],
          },
        ],
      },
    }),
    'authorizationpolicy.yaml',
  );
  add(
    new ServiceMonitor({
      metadata: meta(name, monitoringNamespace),
      spec: {
        selector: { matchLabels: { ...serviceLabels } },
        ...(monitoringNamespace === namespace
          ? {}
          : { namespaceSelector: { matchNames: [namespace] } }),
        endpoints: [
          {
            port: metricsPortName,
            path: metricsPath,
            interval: scrapeInterval,
          },
        ],
      },
    }),
    'servicemonitor.yaml',
  );
  const target = { service: name, namespace };
  const window = promDurationOf('alerts.window', alerts.window);
  const p95 = positive('alerts.p95LatencyMs', alerts.p95LatencyMs);
  if (p95 >= L.p95LatencyMs) {
    fail(
      'alerts.p95LatencyMs',
      `below ${L.p95LatencyMs}, the largest finite bucket of the Istio request duration histogram`,
      p95,
    );
  }
  const errorPercent = positive(
    'alerts.errorRatioPercent',
    alerts.errorRatioPercent,
  );
  if (errorPercent > 100) {
    fail('alerts.errorRatioPercent', 'a percentage up to 100', errorPercent);
  }
  const alertLabels = (severity: string, field: string) => ({
    severity: labelValue(field, severity),
    service: name,
    namespace,
  });
  add(
    new PrometheusRule({
      metadata: meta(name, monitoringNamespace),
      spec: {
        groups: [
          {
            name: `${name}.rules`,
            rules: [
              {
                alert: 'HighServiceLatency',
                expr: compare(
                  istioQueries.latencyQuantile(target, window, 0.95),
                  '>',
                  p95,
                ),
                for: promDurationOf('alerts.latencyFor', alerts.latencyFor),
                labels: alertLabels(
                  alerts.latencySeverity,
                  'alerts.latencySeverity',
                ),
                annotations: {
                  summary: 'High service latency detected',
                  description: `p95 latency is above ${p95}ms for ${name} in ${namespace}`,
                },
              },
              {
                alert: 'HighErrorRate',
                expr: compare(
                  istioQueries.errorRatio(target, window, '5xx'),
                  '>',
                  errorPercent / 100,
                ),
                for: promDurationOf('alerts.errorFor', alerts.errorFor),
                labels: alertLabels(
                  alerts.errorSeverity,
                  'alerts.errorSeverity',
                ),
                annotations: {
                  summary: 'High error rate detected',
                  description: `5xx ratio is above ${errorPercent}% for ${name} in ${namespace}`,
                },
              },
            ],
          },
        ],
      },
    }),
    'prometheusrule.yaml',
  );
  let minReplicas = replicas;
  if (input.hpa) {
    const hpa = { ...d.hpa, ...input.hpa };
    minReplicas = integer(
      'hpa.minReplicas',
      hpa.minReplicas ?? Math.max(replicas, 1),
      1,
      L.replicas,
    );
    const maxReplicas = integer(
      'hpa.maxReplicas',
      hpa.maxReplicas,
      1,
      L.replicas,
    );
    if (maxReplicas < minReplicas) {
      fail(
        'hpa.maxReplicas',
        `at least hpa.minReplicas (${minReplicas})`,
        maxReplicas,
      );
    }
    const cpuTarget = cpuUtilizationTarget(
      hpa.cpuUtilizationPercent,
      containerResources,
    );
    add(
      new HorizontalPodAutoscaler({
        metadata: meta(deploymentName),
        spec: {
          scaleTargetRef: {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            name: deploymentName,
          },
          minReplicas,
          maxReplicas,
          metrics: [
            {
              type: 'Resource',
              resource: {
                name: 'cpu',
                target: {
                  type: 'Utilization',
                  averageUtilization: cpuTarget,
                },
              },
            },
          ],
        },
      }),
      'horizontalpodautoscaler.yaml',
    );
  }
  if (input.pdb) {
    const minAvailable = integer(
      'pdb.minAvailable',
      input.pdb.minAvailable ?? d.pdb.minAvailable,
      0,
    );
    if (minAvailable >= minReplicas) {
      fail(
        'pdb.minAvailable',
        `less than the replicas (${minReplicas}), or no pod could ever be evicted`,
        minAvailable,
      );
    }
    add(
      new PodDisruptionBudget({
        metadata: meta(deploymentName),
        spec: {
          minAvailable,
          selector: { matchLabels: { app: name, version } },
        },
      }),
      'poddisruptionbudget.yaml',
    );
  }

  return models.map(({ model, file }) => {
    const object: Record<string, unknown> = model.toJSON();
    const metadata = model.metadata;
    const kind = String(object.kind);
    try {
      model.validate();
    } catch (e) {
      throw new InputError(
        `The generated ${kind} ${metadata?.name} is invalid: ${
          e instanceof Error ? e.message : String(e)
        }`,
      );
    }
    return {
      kind,
      name: metadata?.name ?? '',
      namespace: metadata?.namespace,
      file,
      object,
    };
  });
}
