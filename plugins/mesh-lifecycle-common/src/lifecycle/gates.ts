import { ConfiguredRoute, PolicyScope } from '../mesh';
import { ObjectMeta } from '../mesh/istioTypes';
import { LifecyclePhase, nextLifecyclePhase } from '../phases';
import { ServiceDeclaration } from '../readServiceDeclaration';
import { TrafficFigures } from '../api/traffic';
import { ValidationFinding } from '../validation';
import { LifecycleThresholds } from './thresholds';

/**
 * Whether a gate's check holds: `unknown` when a source it needs did not
 * answer.
 *
 * @public
 */
export type GateStatus = 'pass' | 'fail' | 'unknown';

/**
 * One check that must pass before a service moves to its next phase.
 *
 * @public
 */
export interface GateResult {
  id: string;
  title: string;
  status: GateStatus;
  /** What was seen, fact by fact. */
  evidence: string[];
  /** How to make it pass. */
  hint: string;
  /** Where the evidence comes from. */
  sources: string[];
}

/**
 * The gates between a phase and the next.
 *
 * @public
 */
export interface PhaseGates {
  from: LifecyclePhase;
  /** `undefined` after `retire`: the gate is the clean-up. */
  to?: LifecyclePhase;
  gates: GateResult[];
  /** Whether every gate passes. */
  passed: boolean;
}

/**
 * What one cluster holds of a service, for the gates: the objects that
 * concern it (already attached by host and selector) with the fields the
 * gates read.
 *
 * @public
 */
export interface GateClusterEvidence {
  cluster: string;
  virtualServices: Array<{
    metadata?: ObjectMeta;
    spec?: {
      http?: Array<{
        name?: string;
        timeout?: string;
        retries?: {
          attempts?: number;
          perTryTimeout?: string;
          retryOn?: string;
        };
      }>;
    };
  }>;
  destinationRules: Array<{
    metadata?: ObjectMeta;
    spec?: {
      host?: string;
      trafficPolicy?: {
        connectionPool?: {
          tcp?: { maxConnections?: number };
          http?: {
            http1MaxPendingRequests?: number;
            http2MaxRequests?: number;
            maxRequestsPerConnection?: number;
          };
        };
        outlierDetection?: {
          consecutive5xxErrors?: number;
          consecutiveGatewayErrors?: number;
          consecutiveErrors?: number;
        };
      };
    };
  }>;
  workloads: Array<{
    name: string;
    replicas: number;
    containers: Array<{
      name: string;
      resources?: {
        requests?: Record<string, string | number>;
        limits?: Record<string, string | number>;
      };
    }>;
  }>;
  /** The mutual TLS mode in force for its workloads. */
  mtlsMode: string;
  authorizationPolicies: Array<{
    name: string;
    namespace: string;
    scope: PolicyScope;
    action?: string;
  }>;
  /** ServiceMonitors that select its Service. */
  serviceMonitors: Array<{ name: string; namespace: string }>;
  /**
   * Why the cluster's ServiceMonitors could not be read (then
   * `serviceMonitors` says nothing). A cluster that does not serve the kind
   * (no prometheus-operator) has none: that is no error.
   */
  serviceMonitorsError?: string;
  /**
   * `false` where the cluster does not serve ServiceMonitors (no
   * prometheus-operator's CRDs): it has none, and the evidence says why.
   */
  serviceMonitorsServed?: boolean;
  trafficSplit: ConfiguredRoute[];
  findings: ValidationFinding[];
  /** How many of its objects (workloads, Services, Istio objects) remain. */
  objectsLeft: number;
  /**
   * The only namespaces its objects were looked for in, when the cluster is
   * read in some namespaces only and the entity names none of its own: an
   * object elsewhere would not be seen, so none found there proves nothing.
   */
  searchedOnly?: string[];
}

/**
 * Something a gate needs from a source that may have failed.
 *
 * @public
 */
export type Sourced<T> =
  | ({ source: string; error?: undefined } & T)
  | { source: string; error: string };

/**
 * What one Prometheus tells of a service's inbound requests over the quiet
 * period. `null` is "no series", which is not "no requests".
 *
 * @public
 */
export interface QuietEvidence {
  /** Requests its own sidecars reported receiving; `null`: no such series. */
  requests: number | null;
  /**
   * Requests its callers' sidecars reported sending to it (they report
   * calls its own sidecars never saw, e.g. while it is scaled to zero);
   * `null`: no such series.
   */
  callerRequests: number | null;
  /**
   * Whether this Prometheus holds mesh telemetry of its cluster from the
   * start of the period: retention long enough, the Istio cluster ID right.
   */
  telemetryCoversWindow: boolean;
}

/**
 * Everything the gates judge a service by.
 *
 * @public
 */
export interface GateInput {
  declaration: ServiceDeclaration;
  thresholds: LifecycleThresholds;
  /** Each cluster the service may run on. */
  clusters: Array<Sourced<{ evidence: GateClusterEvidence }>>;
  /** Its request figures over the judging window. */
  traffic?: Sourced<{ figures: TrafficFigures; windowSeconds: number }>;
  /**
   * Its inbound requests over `thresholds.retireQuietDays`, from each
   * Prometheus that watches its clusters.
   */
  quiet?: Array<Sourced<QuietEvidence>>;
  /** Its alerting rules, from Prometheus (or PrometheusRule objects). */
  alertRules?: Sourced<{ rules: Array<{ name: string; query: string }> }>;
  /** Catalog entities that declare a dependency on it or consume its APIs. */
  dependents?: Sourced<{ entityRefs: string[] }>;
  /**
   * The newest retirement request that notified its dependents' owners, or
   * why the requests could not be read.
   */
  notified?: Sourced<{ requestId: string; at: string; owners: string[] }>;
}

/**
 * A gate as listed for users: what it checks and how it is passed.
 *
 * @public
 */
export interface GateDescription {
  id: string;
  title: string;
  hint: string;
}

type Check = (input: GateInput) => Omit<GateResult, 'id' | 'title' | 'hint'>;

interface Gate extends GateDescription {
  check: Check;
}

const ok = (condition: boolean): GateStatus => (condition ? 'pass' : 'fail');

/**
 * A cluster that did not answer, as evidence: its error names the cluster
 * already when it comes from the backend's cluster reader.
 */
function clusterFailure(c: { source: string; error: string }): string {
  const prefix = `cluster ${c.source}: `;
  return c.error.startsWith(prefix) ? c.error : `${prefix}${c.error}`;
}

/**
 * Why finding none of the service's objects (`what`: none deployed, none
 * left) on a cluster read in some namespaces only proves nothing there; or
 * undefined when the cluster was read wherever they could be.
 */
function seenOnlyIn(c: GateClusterEvidence, what: string): string | undefined {
  return c.searchedOnly
    ? `${c.cluster}: none ${what} in ${c.searchedOnly.join(
        ', ',
      )}, the only namespaces read there; name its namespace (backstage.io/kubernetes-namespace) to judge the rest`
    : undefined;
}

/**
 * The clusters that answered and where the service has workloads; a cluster
 * that did not answer, or where none was found but not every namespace was
 * read, is unknown.
 */
function deployed(input: GateInput) {
  const answered: GateClusterEvidence[] = [];
  const failed: string[] = [];
  for (const c of input.clusters) {
    if (c.error !== undefined) {
      failed.push(clusterFailure({ source: c.source, error: c.error }));
    } else if (c.evidence.workloads.length > 0) {
      answered.push(c.evidence);
    } else {
      const unseen = seenOnlyIn(c.evidence, 'deployed');
      if (unseen) failed.push(unseen);
    }
  }
  return { clusters: answered, failed };
}

/**
 * A check over every cluster the service is deployed on: each cluster gives
 * its evidence lines and whether it passes.
 */
function perCluster(
  input: GateInput,
  judge: (c: GateClusterEvidence) => {
    /** `'unknown'`: what the judge needs of this cluster was not read. */
    pass: boolean | 'unknown';
    evidence: string[];
  },
): ReturnType<Check> {
  const { clusters, failed } = deployed(input);
  const sources = clusters.map(c => `cluster ${c.cluster}`);
  if (clusters.length === 0) {
    return {
      status: failed.length ? 'unknown' : 'fail',
      evidence: failed.length ? failed : ['not deployed on any cluster'],
      sources,
    };
  }
  const judged = clusters.map(c => ({ c, ...judge(c) }));
  const evidence = judged.flatMap(j =>
    j.evidence.map(line => `${j.c.cluster}: ${line}`),
  );
  let status: GateStatus = 'pass';
  if (judged.some(j => j.pass === false)) status = 'fail';
  else if (failed.length || judged.some(j => j.pass === 'unknown')) {
    status = 'unknown';
  }
  return {
    status,
    evidence: [...evidence, ...failed],
    sources,
  };
}

const name = (meta?: ObjectMeta) => meta?.name ?? '(unnamed)';

const routesResilient: Check = input =>
  perCluster(input, c => {
    const routes = c.virtualServices.flatMap(vs =>
      (vs.spec?.http ?? []).map((route, i) => ({
        label: `VirtualService ${name(vs.metadata)} http[${i}]${
          route.name ? ` (${route.name})` : ''
        }`,
        route,
      })),
    );
    if (routes.length === 0) {
      return { pass: false, evidence: ['no VirtualService routes it'] };
    }
    const evidence = routes.map(({ label, route }) => {
      const missing = [
        route.timeout ? undefined : 'timeout',
        (route.retries?.attempts ?? 0) > 0 ? undefined : 'retries',
        route.retries?.perTryTimeout ? undefined : 'retries.perTryTimeout',
      ].filter(Boolean);
      return missing.length
        ? `${label} lacks ${missing.join(', ')}`
        : `${label}: timeout ${route.timeout}, ${
            route.retries?.attempts
          } retries of ${route.retries?.perTryTimeout}${
            route.retries?.retryOn ? ` on ${route.retries.retryOn}` : ''
          }`;
    });
    return {
      pass: evidence.every(line => !line.includes(' lacks ')),
      evidence,
    };
  });

const destinationRuleResilient: Check = input =>
  perCluster(input, c => {
    if (c.destinationRules.length === 0) {
      return { pass: false, evidence: ['no DestinationRule for its host'] };
    }
    const evidence = c.destinationRules.map(dr => {
      const policy = dr.spec?.trafficPolicy;
      const pool = policy?.connectionPool;
      const limits =
        pool?.tcp?.maxConnections !== undefined ||
        pool?.http?.http1MaxPendingRequests !== undefined ||
        pool?.http?.http2MaxRequests !== undefined;
      const outlier = policy?.outlierDetection;
      const ejects =
        outlier?.consecutive5xxErrors !== undefined ||
        outlier?.consecutiveGatewayErrors !== undefined ||
        outlier?.consecutiveErrors !== undefined;
      const missing = [
        limits ? undefined : 'connection pool limits',
        ejects ? undefined : 'outlier detection',
      ].filter(Boolean);
      return missing.length
        ? `DestinationRule ${name(dr.metadata)} lacks ${missing.join(' and ')}`
        : `DestinationRule ${name(
            dr.metadata,
          )}: connection pool limits and outlier detection`;
    });
    return {
      pass: evidence.some(line => !line.includes(' lacks ')),
      evidence,
    };
  });

const mtlsStrict: Check = input =>
  perCluster(input, c => ({
    pass: c.mtlsMode === 'STRICT',
    evidence: [`mutual TLS ${c.mtlsMode}`],
  }));

const authorizationPolicy: Check = input =>
  perCluster(input, c => {
    const covering = c.authorizationPolicies.filter(
      p => p.scope !== 'mesh' && (p.action ?? 'ALLOW') === 'ALLOW',
    );
    return {
      pass: covering.length > 0,
      evidence: covering.length
        ? covering.map(
            p => `AuthorizationPolicy ${p.namespace}/${p.name} (${p.scope})`,
          )
        : ['no ALLOW AuthorizationPolicy for its workloads or namespace'],
    };
  });

const resources: Check = input =>
  perCluster(input, c => {
    const evidence: string[] = [];
    for (const w of c.workloads) {
      for (const container of w.containers) {
        const missing = [
          ['requests', 'cpu'],
          ['requests', 'memory'],
          ['limits', 'cpu'],
          ['limits', 'memory'],
        ]
          .filter(
            ([kind, resource]) =>
              container.resources?.[kind as 'requests' | 'limits']?.[
                resource
              ] === undefined,
          )
          .map(([kind, resource]) => `${kind}.${resource}`);
        if (missing.length) {
          evidence.push(
            `${w.name}/${container.name} lacks ${missing.join(', ')}`,
          );
        }
      }
    }
    return {
      pass: evidence.length === 0,
      evidence: evidence.length
        ? evidence
        : [
            `requests and limits on every container of ${c.workloads
              .map(w => w.name)
              .join(', ')}`,
          ],
    };
  });

const LATENCY_METRIC = /istio_request_duration_milliseconds/;
const ERROR_MATCHER = /response_code\s*=~\s*"5/;

const monitoring: Check = input => {
  const monitors = perCluster(input, c => {
    if (c.serviceMonitorsError !== undefined) {
      return {
        pass: 'unknown',
        evidence: [`ServiceMonitors not read: ${c.serviceMonitorsError}`],
      };
    }
    return {
      pass: c.serviceMonitors.length > 0,
      evidence: c.serviceMonitors.length
        ? c.serviceMonitors.map(m => `ServiceMonitor ${m.namespace}/${m.name}`)
        : [
            c.serviceMonitorsServed === false
              ? 'no ServiceMonitor selects its Service: the cluster serves no ServiceMonitors (prometheus-operator is not installed)'
              : 'no ServiceMonitor selects its Service',
          ],
    };
  });
  const rules = input.alertRules;
  if (!rules) {
    return {
      ...monitors,
      status: 'unknown',
      evidence: [...monitors.evidence, 'alert rules not asked'],
    };
  }
  if (rules.error !== undefined) {
    return {
      status: monitors.status === 'fail' ? 'fail' : 'unknown',
      evidence: [...monitors.evidence, `${rules.source}: ${rules.error}`],
      sources: [...monitors.sources, rules.source],
    };
  }
  const latency = rules.rules.filter(r => LATENCY_METRIC.test(r.query));
  const errors = rules.rules.filter(r => ERROR_MATCHER.test(r.query));
  const evidence = [
    ...monitors.evidence,
    latency.length
      ? `latency alert ${latency.map(r => r.name).join(', ')}`
      : 'no latency alert rule',
    errors.length
      ? `error ratio alert ${errors.map(r => r.name).join(', ')}`
      : 'no error ratio alert rule',
  ];
  const rulesPass = latency.length > 0 && errors.length > 0;
  return {
    status: monitors.status === 'fail' || !rulesPass ? 'fail' : monitors.status,
    evidence,
    sources: [...monitors.sources, rules.source],
  };
};

const noValidationErrors: Check = input =>
  perCluster(input, c => {
    const errors = c.findings.filter(f => f.severity === 'error');
    return {
      pass: errors.length === 0,
      evidence: errors.length
        ? errors.map(
            f =>
              `${f.code} ${f.object.kind} ${f.object.namespace}/${f.object.name} ${f.path}: ${f.message}`,
          )
        : [
            `no configuration errors${
              c.findings.length
                ? ` (${c.findings.length} warnings or notes)`
                : ''
            }`,
          ],
    };
  });

const canaryFinished: Check = input =>
  perCluster(input, c => {
    const split = c.trafficSplit.filter(r =>
      r.destinations.some(d => d.weight > 0 && d.weight < 100),
    );
    return {
      pass: split.length === 0,
      evidence: split.length
        ? split.map(
            r =>
              `VirtualService ${r.virtualService} still splits ${r.destinations
                .map(d => `${d.version ?? d.subset ?? d.host} ${d.weight} %`)
                .join(' / ')}`,
          )
        : ['one version takes 100 % on every route'],
    };
  });

function trafficCheck(
  input: GateInput,
  judge: (
    figures: TrafficFigures,
    thresholds: LifecycleThresholds,
  ) => { pass: boolean; line: string } | undefined,
): ReturnType<Check> {
  const traffic = input.traffic;
  if (!traffic) {
    return {
      status: 'unknown',
      evidence: ['no Prometheus watches it'],
      sources: [],
    };
  }
  if (traffic.error !== undefined) {
    return {
      status: 'unknown',
      evidence: [`${traffic.source}: ${traffic.error}`],
      sources: [traffic.source],
    };
  }
  if (traffic.figures.requestsPerSecond === null) {
    return {
      status: 'unknown',
      evidence: [
        `${traffic.source} has no request series of it over the last ${traffic.windowSeconds} s: no data to judge by (is its telemetry scraped, its Istio cluster ID right?)`,
      ],
      sources: [traffic.source],
    };
  }
  if (traffic.figures.requestsPerSecond === 0) {
    return {
      status: 'fail',
      evidence: [
        `no requests in the last ${traffic.windowSeconds} s to judge by`,
      ],
      sources: [traffic.source],
    };
  }
  const judged = judge(traffic.figures, input.thresholds);
  if (!judged) {
    return {
      status: 'unknown',
      evidence: [
        `${traffic.source} answered without this figure over the last ${traffic.windowSeconds} s`,
      ],
      sources: [traffic.source],
    };
  }
  return {
    status: ok(judged.pass),
    evidence: [`${judged.line} over ${traffic.windowSeconds} s`],
    sources: [traffic.source],
  };
}

const pct = (ratio: number) => `${+(ratio * 100).toFixed(3)} %`;

const successRatio: Check = input =>
  trafficCheck(input, (f, t) =>
    f.requestsPerSecond && f.ratio5xx !== null
      ? {
          pass: f.ratio5xx * 100 <= t.errorRatioPercent,
          line: `5xx ratio ${pct(f.ratio5xx)} (threshold ${
            t.errorRatioPercent
          } %)`,
        }
      : undefined,
  );

const latency: Check = input =>
  trafficCheck(input, (f, t) =>
    f.requestsPerSecond && f.latencyMs.p95 !== null
      ? {
          pass: f.latencyMs.p95 <= t.p95LatencyMs,
          line: `p95 ${Math.round(f.latencyMs.p95)} ms (threshold ${
            t.p95LatencyMs
          } ms)`,
        }
      : undefined,
  );

const mtlsShare: Check = input =>
  trafficCheck(input, (f, t) =>
    f.requestsPerSecond && f.mtlsShare !== null
      ? {
          // Rounded to 0.01 %: a share computed from rates is not exact.
          pass: Math.round(f.mtlsShare * 10_000) / 100 >= t.mtlsSharePercent,
          line: `${pct(
            f.mtlsShare,
          )} of inbound requests over mutual TLS (needed ${
            t.mtlsSharePercent
          } %)`,
        }
      : undefined,
  );

/**
 * A quiet period in the largest whole unit: `7 days`, `2 hours`, `90 s`.
 *
 * @public
 */
export function describePeriod(seconds: number): string {
  const units: Array<[number, string]> = [
    [86_400, 'day'],
    [3600, 'hour'],
    [60, 'minute'],
  ];
  for (const [size, unit] of units) {
    const n = seconds / size;
    if (n >= 1 && Number.isInteger(n))
      return `${n} ${unit}${n === 1 ? '' : 's'}`;
  }
  return `${Math.round(seconds)} s`;
}

const noInbound: Check = input => {
  const quiet = input.quiet ?? [];
  const length = describePeriod(
    Math.round(input.thresholds.retireQuietDays * 86_400),
  );
  const period = `the last ${length}`;
  if (quiet.length === 0) {
    return {
      status: 'unknown',
      evidence: ['no Prometheus watches it: its requests cannot be seen'],
      sources: [],
    };
  }
  const sources = quiet.map(q => q.source);
  const called: string[] = [];
  const failed: string[] = [];
  const noSeries: string[] = [];
  const uncovered: string[] = [];
  let quietSources = 0;
  for (const q of quiet) {
    if (q.error !== undefined) {
      failed.push(`${q.source} did not answer: ${q.error}`);
      continue;
    }
    if ((q.requests ?? 0) >= 1) {
      called.push(
        `${Math.round(q.requests ?? 0)} inbound requests in ${period}`,
      );
    }
    if ((q.callerRequests ?? 0) >= 1 && (q.requests ?? 0) < 1) {
      called.push(
        `${Math.round(
          q.callerRequests ?? 0,
        )} requests its callers sent it in ${period} (reported by the callers)`,
      );
    }
    if (q.requests === null && q.callerRequests === null) {
      noSeries.push(
        `${q.source} has no request series of it in ${period}: no telemetry is not "no requests" (are its sidecars scraped, is its Istio cluster ID right?)`,
      );
    } else if (!q.telemetryCoversWindow) {
      uncovered.push(
        `${q.source} holds no mesh telemetry of its cluster from ${length} ago (retention shorter than the quiet period, or telemetry that started later)`,
      );
    } else quietSources++;
  }
  // Requests seen anywhere are evidence enough; anything missing leaves the
  // quiet period unconfirmed.
  if (called.length) {
    return { status: 'fail', evidence: [...called, ...failed], sources };
  }
  if (failed.length || uncovered.length || quietSources === 0) {
    return {
      status: 'unknown',
      evidence: [...failed, ...noSeries, ...uncovered],
      sources,
    };
  }
  return {
    status: 'pass',
    evidence: [`no inbound requests in ${period}`, ...noSeries],
    sources,
  };
};

const noDependents: Check = input => {
  const dependents = input.dependents;
  if (!dependents) {
    return { status: 'unknown', evidence: ['catalog not asked'], sources: [] };
  }
  if (dependents.error !== undefined) {
    return {
      status: 'unknown',
      evidence: [`${dependents.source}: ${dependents.error}`],
      sources: [dependents.source],
    };
  }
  return {
    status: ok(dependents.entityRefs.length === 0),
    evidence: dependents.entityRefs.length
      ? dependents.entityRefs.map(ref => `${ref} still depends on it`)
      : ['no catalog entity depends on it or consumes its APIs'],
    sources: [dependents.source],
  };
};

const replacementNamed: Check = input => {
  const replacedBy = input.declaration.replacedBy;
  let line = `replaced by ${replacedBy}`;
  if (replacedBy === undefined)
    line = 'no mesh-lifecycle.io/replaced-by annotation';
  else if (replacedBy === 'none') line = 'explicitly replaced by none';
  return {
    status: ok(replacedBy !== undefined),
    evidence: [line],
    sources: ['catalog'],
  };
};

const ownersNotified: Check = ({ declaration, notified }) => {
  if (declaration.retirementNotified !== undefined) {
    return {
      status: 'pass',
      evidence: [`owners notified on ${declaration.retirementNotified}`],
      sources: ['catalog'],
    };
  }
  if (notified?.error !== undefined) {
    return {
      status: 'unknown',
      evidence: [
        `the retirement requests could not be read: ${notified.error}`,
      ],
      sources: ['catalog', notified.source],
    };
  }
  if (notified) {
    return {
      status: 'pass',
      evidence: [
        `${
          notified.owners.length
            ? `${notified.owners.join(', ')} notified`
            : 'no dependent, nobody to notify'
        } by retirement request ${notified.requestId} on ${notified.at.slice(
          0,
          10,
        )}`,
      ],
      sources: [notified.source],
    };
  }
  return {
    status: 'fail',
    evidence: [
      'no retirement request notified them, and no mesh-lifecycle.io/retirement-notified annotation',
    ],
    sources: ['catalog', 'retirement requests'],
  };
};

const annotated: Check = input => {
  const { kubernetesId, labelSelector, namespace } = input.declaration.target;
  const found =
    (kubernetesId !== undefined || labelSelector !== undefined) &&
    namespace !== undefined;
  return {
    status: ok(found),
    evidence: [
      found
        ? `finds its objects by ${
            labelSelector ? 'label selector' : `kubernetes-id ${kubernetesId}`
          } in namespace ${namespace}`
        : 'needs backstage.io/kubernetes-id (or -label-selector) and backstage.io/kubernetes-namespace',
    ],
    sources: ['catalog'],
  };
};

const cleanedUp: Check = input => {
  const failed: string[] = [];
  const left: string[] = [];
  for (const c of input.clusters) {
    if (c.error !== undefined) {
      failed.push(clusterFailure({ source: c.source, error: c.error }));
    } else if (c.evidence.objectsLeft > 0) {
      left.push(
        `${c.evidence.cluster}: ${c.evidence.objectsLeft} objects left`,
      );
    } else {
      const unseen = seenOnlyIn(c.evidence, 'left');
      if (unseen) failed.push(unseen);
    }
  }
  let status: GateStatus = 'pass';
  if (left.length) status = 'fail';
  else if (failed.length || input.clusters.length === 0) status = 'unknown';
  let summary: string[] = [];
  if (input.clusters.length === 0) summary = ['no cluster was checked'];
  else if (!left.length && !failed.length) {
    summary = ['nothing left on any cluster'];
  }
  return {
    status,
    evidence: [...left, ...failed, ...summary],
    sources: input.clusters.map(c => `cluster ${c.source}`),
  };
};

const MESH_DEFAULTS: Gate[] = [
  {
    id: 'routes-timeouts-retries',
    title: 'Every route has a timeout and retries',
    hint: 'Set http[].timeout and http[].retries (attempts, perTryTimeout, retryOn) on its VirtualService, e.g. the seed’s 10s and 3 × 2s on 5xx,reset,connect-failure.',
    check: routesResilient,
  },
  {
    id: 'destination-rule-resilience',
    title: 'A DestinationRule limits connections and ejects failing endpoints',
    hint: 'Add trafficPolicy.connectionPool (tcp.maxConnections, http.http1MaxPendingRequests) and outlierDetection (consecutive5xxErrors, interval, baseEjectionTime) to its DestinationRule.',
    check: destinationRuleResilient,
  },
  {
    id: 'mtls-strict',
    title: 'Mutual TLS is STRICT for its workloads',
    hint: 'Apply a PeerAuthentication with mtls.mode STRICT to its workloads, its namespace or the mesh.',
    check: mtlsStrict,
  },
  {
    id: 'authorization-policy',
    title: 'An AuthorizationPolicy covers it',
    hint: 'Add an ALLOW AuthorizationPolicy selecting its workloads that names its callers’ service accounts.',
    check: authorizationPolicy,
  },
  {
    id: 'resources',
    title: 'Every container has resource requests and limits',
    hint: 'Set resources.requests and resources.limits (cpu and memory) on every container of its Deployments.',
    check: resources,
  },
  {
    id: 'monitoring',
    title: 'It is scraped and has latency and error ratio alerts',
    hint: 'Add a ServiceMonitor selecting its Service and a PrometheusRule with a p95 latency alert (istio_request_duration_milliseconds) and a 5xx ratio alert (istio_requests_total, response_code=~"5..").',
    check: monitoring,
  },
  {
    id: 'no-config-errors',
    title: 'Its mesh configuration validates without errors',
    hint: 'Fix the validation findings shown with their object and path.',
    check: noValidationErrors,
  },
];

const RETIRE_CONDITIONS: Gate[] = [
  {
    id: 'no-inbound-requests',
    title: 'No inbound requests for the quiet period',
    hint: 'Move the remaining callers to the replacement and wait for the quiet period.',
    check: noInbound,
  },
  {
    id: 'no-dependents',
    title: 'No catalog entity depends on it',
    hint: 'Update the dependsOn and consumesApis of the entities listed, or move them to the replacement.',
    check: noDependents,
  },
  {
    id: 'replacement-named',
    title: 'A replacement is named, or explicitly none',
    hint: 'Annotate the entity with mesh-lifecycle.io/replaced-by: <entity ref> or none.',
    check: replacementNamed,
  },
  {
    id: 'owners-notified',
    title: 'The owners of its dependents were notified',
    hint: 'File a retirement request (the retire-service template): it notifies them. Told some other way, annotate the entity with mesh-lifecycle.io/retirement-notified: <date>.',
    check: ownersNotified,
  },
];

const GATES: Record<LifecyclePhase, Gate[]> = {
  design: [
    {
      id: 'kubernetes-annotations',
      title: 'The catalog says where its objects are',
      hint: 'Annotate the entity with backstage.io/kubernetes-id (or backstage.io/kubernetes-label-selector) and backstage.io/kubernetes-namespace.',
      check: annotated,
    },
  ],
  develop: MESH_DEFAULTS,
  test: MESH_DEFAULTS,
  deploy: [
    {
      id: 'canary-finished',
      title: 'The rollout is finished: one version takes 100 %',
      hint: 'Shift the remaining weight to the new version (or back) so that one destination takes 100 %.',
      check: canaryFinished,
    },
    {
      id: 'success-ratio',
      title: 'Its 5xx ratio is within the threshold',
      hint: 'Find the failing requests (5xx by version and caller) before promoting.',
      check: successRatio,
    },
    {
      id: 'latency',
      title: 'Its p95 latency is within the threshold',
      hint: 'Find the slow version or dependency before promoting.',
      check: latency,
    },
    {
      id: 'mtls-share',
      title: 'All inbound requests use mutual TLS',
      hint: 'Find the callers without a sidecar (source workload unknown) and inject them, or make mTLS STRICT.',
      check: mtlsShare,
    },
  ],
  operate: RETIRE_CONDITIONS,
  // Finishing the retirement: the conditions still hold, and nothing is left.
  retire: [
    ...RETIRE_CONDITIONS,
    {
      id: 'cleaned-up',
      title: 'Its cluster objects are cleaned up',
      hint: 'Delete its workloads, Services and Istio objects (the decommission template does), then archive the repository.',
      check: cleanedUp,
    },
  ],
};

/**
 * The gates of each phase as listed for users.
 *
 * @public
 */
export const LIFECYCLE_GATES: Record<LifecyclePhase, GateDescription[]> =
  Object.fromEntries(
    Object.entries(GATES).map(([phase, gates]) => [
      phase,
      gates.map(({ id, title, hint }) => ({ id, title, hint })),
    ]),
  ) as Record<LifecyclePhase, GateDescription[]>;

/**
 * Evaluates the gates between a phase and the next: the seed's mesh
 * defaults before test and deploy, a finished canary with success ratio,
 * p95 and mTLS share within thresholds before operate, a quiet period, no
 * dependents, a named replacement and notified owners before retire, and
 * to finish retiring those same conditions and the clean-up. Each gate reports its status, the evidence and a hint.
 *
 * @public
 */
export function evaluateGates(
  phase: LifecyclePhase,
  input: GateInput,
): PhaseGates {
  const gates = GATES[phase].map(gate => ({
    id: gate.id,
    title: gate.title,
    hint: gate.hint,
    ...gate.check(input),
  }));
  return {
    from: phase,
    ...(nextLifecyclePhase(phase) ? { to: nextLifecyclePhase(phase) } : {}),
    gates,
    passed: gates.every(g => g.status === 'pass'),
  };
}
