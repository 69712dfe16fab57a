import {
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import {
  AlertsResponse,
  DependenciesResponse,
  GateClusterEvidence,
  GateInput,
  LifecycleResponse,
  LifecyclePhase,
  LifecycleThresholdOverrides,
  MeshResponse,
  PhaseInput,
  PhaseRule,
  ServiceDeclaration,
  TrafficResponse,
  ValidationFinding,
  assessHealth,
  attachIstioObjects,
  evaluateGates,
  inferPhase,
  matchesLabelSelector,
  resolveThresholds,
  validateMeshConfig,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import { z } from 'zod';
import { ResourceType } from '../clusters/ClusterObjectCache';
import {
  parseObjects,
  serviceMonitorSchema,
  serviceSchema,
} from '../clusters/objectSchemas';
import { KUBERNETES_RESOURCES } from '../clusters/resources';
import { AlertsReader } from './AlertsReader';
import { ClusterMeshReader, MeshCluster } from './ClusterMeshReader';
import { RetirementFacts } from '../retirements/RetirementStore';
import { DependenciesReader } from './DependenciesReader';
import { ownedBy } from './ownership';
import { readMeshConfigSnapshot } from './readMeshConfigSnapshot';
import { unconfiguredCluster } from './pinnedCluster';
import { sourceError } from './sourceError';
import { TrafficReader } from './TrafficReader';

/** The window the gates judge request figures over: one hour. */
const GATE_WINDOW_SECONDS = 3600;
/** The window of the current health: five minutes. */
const HEALTH_WINDOW_SECONDS = 300;
/** A retiring service's traffic trend is read over a day, hour by hour. */
const TREND_RANGE_SECONDS = 86_400;

type ClusterObjects = Awaited<ReturnType<LifecycleReader['clusterObjects']>>;

/**
 * Judges a service's lifecycle: gathers the evidence from the clusters'
 * caches, Prometheus and the catalog, and runs the pure lifecycle logic of
 * -common on it (phase inference, gates, health, mesh config validation).
 * Each source that fails shows as unknown evidence; the rest still counts.
 */
export class LifecycleReader {
  private readonly clusters: MeshCluster[];
  private readonly mesh: ClusterMeshReader;
  private readonly traffic: TrafficReader;
  private readonly dependencies: DependenciesReader;
  private readonly alerts: AlertsReader;
  private readonly logger: LoggerService;
  private readonly thresholds: LifecycleThresholdOverrides;
  private readonly rules?: readonly PhaseRule[];
  private readonly recordedPhase?: (
    entityRef: string,
  ) => Promise<LifecyclePhase | undefined>;
  private readonly retirementFacts?: (
    entityRef: string,
  ) => Promise<RetirementFacts>;

  constructor(options: {
    clusters: MeshCluster[];
    mesh: ClusterMeshReader;
    traffic: TrafficReader;
    dependencies: DependenciesReader;
    alerts: AlertsReader;
    logger: LoggerService;
    thresholds?: LifecycleThresholdOverrides;
    rules?: readonly PhaseRule[];
    /**
     * The phase last recorded in the history: kept when missing evidence
     * leaves the phase uncertain.
     */
    recordedPhase?: (entityRef: string) => Promise<LifecyclePhase | undefined>;
    /** What its retirement requests tell: whom they notified, whether it was retired. */
    retirementFacts?: (entityRef: string) => Promise<RetirementFacts>;
  }) {
    this.clusters = options.clusters;
    this.mesh = options.mesh;
    this.traffic = options.traffic;
    this.dependencies = options.dependencies;
    this.alerts = options.alerts;
    this.logger = options.logger;
    this.thresholds = options.thresholds ?? {};
    this.rules = options.rules;
    this.recordedPhase = options.recordedPhase;
    this.retirementFacts = options.retirementFacts;
  }

  async read(
    declaration: ServiceDeclaration,
    options: {
      credentials: BackstageCredentials;
      /** A quiet period other than the configured one (a decommission's drain window). */
      drainWindowSeconds?: number;
    },
  ): Promise<LifecycleResponse> {
    const resolved = resolveThresholds(this.thresholds, declaration.thresholds);
    const thresholds =
      options.drainWindowSeconds === undefined
        ? resolved
        : {
            ...resolved,
            retireQuietDays: options.drainWindowSeconds / 86_400,
          };
    const hasTelemetry =
      declaration.target.kubernetesId !== undefined &&
      declaration.target.namespace !== undefined;
    const { cluster: pinned } = declaration.target;
    const clusters = pinned
      ? this.clusters.filter(c => c.name === pinned)
      : this.clusters;
    const unconfigured = unconfiguredCluster(
      declaration,
      this.clusters.map(c => c.name),
    );

    const [
      mesh,
      objects,
      gateTrafficAnswer,
      healthTraffic,
      alerts,
      dependencies,
      quiet,
      recorded,
      retirement,
    ] = await Promise.all([
      this.mesh.read(declaration),
      unconfigured
        ? [{ ...unconfigured, error: { ...unconfigured.error } }]
        : Promise.all(
            clusters.map(c =>
              this.settle(c, this.clusterObjects(c, declaration)),
            ),
          ),
      hasTelemetry
        ? this.traffic.read(declaration, { windowSeconds: GATE_WINDOW_SECONDS })
        : undefined,
      hasTelemetry
        ? this.traffic.read(declaration, {
            windowSeconds: HEALTH_WINDOW_SECONDS,
          })
        : undefined,
      hasTelemetry ? this.alerts.read(declaration) : undefined,
      hasTelemetry
        ? this.dependencies.read(declaration, {
            windowSeconds: GATE_WINDOW_SECONDS,
            credentials: options.credentials,
          })
        : undefined,
      hasTelemetry
        ? this.traffic.inboundRequests(
            declaration,
            Math.round(thresholds.retireQuietDays * 86_400),
          )
        : undefined,
      this.recorded(declaration.entityRef),
      this.retirement(declaration.entityRef),
    ]);

    const retiring =
      declaration.declaredPhase?.phase === 'retire' ||
      mesh.clusters.some(
        c =>
          c.status === 'ok' &&
          c.workloads.some(w => w.lifecycleStatus === 'decommissioning'),
      );
    const trend =
      retiring && hasTelemetry ? await this.trend(declaration) : healthTraffic;

    const phase = inferPhase({
      declaration,
      mesh,
      traffic: trend,
      rules: this.rules,
      ...(recorded ? { recorded } : {}),
      ...(retirement ? { retirement: retirement.phase } : {}),
    });

    const validation: LifecycleResponse['validation'] = objects.map(o =>
      o.status === 'ok'
        ? { source: o.source, status: 'ok', findings: this.validate(o.value) }
        : o,
    );
    const gateInput: GateInput = {
      declaration,
      thresholds,
      clusters: objects.map((o, i) => {
        if (o.status !== 'ok')
          return { source: o.source, error: o.error.message };
        const findings = validation[i];
        return {
          source: o.source,
          evidence: this.gateEvidence(
            o.value,
            mesh,
            findings.status === 'ok' ? findings.findings : [],
          ),
        };
      }),
      ...gateTraffic(gateTrafficAnswer, GATE_WINDOW_SECONDS),
      ...(quiet
        ? {
            quiet: quiet.map(q =>
              q.status === 'ok'
                ? {
                    source: q.source,
                    requests: q.requests,
                    callerRequests: q.callerRequests,
                    telemetryCoversWindow: q.telemetryCoversWindow,
                  }
                : { source: q.source, error: q.error.message },
            ),
          }
        : {}),
      ...alertRules(alerts),
      ...dependents(dependencies),
      ...(retirement?.notified ? { notified: retirement.notified } : {}),
    };
    const gates = evaluateGates(phase.phase, gateInput);

    const healthSource = healthTraffic?.sources.find(
      s => s.status === 'ok' && s.figures.requestsPerSecond !== null,
    );
    const health = assessHealth({
      clusters: mesh.clusters.map(c =>
        c.status === 'ok'
          ? { cluster: c.cluster, workloads: c.workloads }
          : { cluster: c.source },
      ),
      figures: healthSource?.status === 'ok' ? healthSource.figures : undefined,
      figuresSource: healthSource?.source,
      ...(healthSource
        ? {}
        : { figuresMissing: figuresMissing(healthTraffic) }),
      alerts: (alerts?.sources ?? []).flatMap(s =>
        s.status === 'ok'
          ? s.rules.map(r => ({
              name: r.name,
              state: r.state,
              severity: r.severity,
            }))
          : [],
      ),
      retiring: retiring || phase.phase === 'retire',
      thresholds,
    });

    return {
      entityRef: declaration.entityRef,
      phase,
      gates,
      health,
      validation,
      thresholds,
    };
  }

  /** The last recorded phase; none when the history cannot tell. */
  /**
   * What its retirement requests tell the phase (retired or not) and the
   * gate owners-notified; both unknown, with the reason, when unread.
   */
  private async retirement(entityRef: string): Promise<
    | {
        phase: NonNullable<PhaseInput['retirement']>;
        notified?: GateInput['notified'];
      }
    | undefined
  > {
    if (!this.retirementFacts) return undefined;
    const source = 'retirement requests';
    try {
      const { notice, completed } = await this.retirementFacts(entityRef);
      return {
        phase: completed ? { completed } : {},
        ...(notice ? { notified: { source, ...notice } } : {}),
      };
    } catch (error) {
      const { message } = sourceError(error);
      this.logger.warn(
        `Could not read the retirement requests of ${entityRef}: ${message}`,
      );
      return {
        phase: { error: message },
        notified: { source, error: message },
      };
    }
  }

  private async recorded(
    entityRef: string,
  ): Promise<LifecyclePhase | undefined> {
    if (!this.recordedPhase) return undefined;
    try {
      return await this.recordedPhase(entityRef);
    } catch (error) {
      this.logger.warn(
        `Could not read the recorded phase of ${entityRef}: ${
          sourceError(error).message
        }`,
      );
      return undefined;
    }
  }

  private async trend(
    declaration: ServiceDeclaration,
  ): Promise<TrafficResponse> {
    const end = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000);
    return this.traffic.read(declaration, {
      windowSeconds: 3600,
      range: {
        start: new Date(end.getTime() - TREND_RANGE_SECONDS * 1000),
        end,
        stepSeconds: 3600,
      },
    });
  }

  /**
   * What a cluster gave, or why it failed, in one line saying what to check
   * (API discovery failures too).
   */
  private async settle<T>(
    cluster: MeshCluster,
    value: Promise<T>,
  ): Promise<
    | { source: string; status: 'ok'; value: T }
    | {
        source: string;
        status: 'error';
        error: { name: string; message: string };
      }
  > {
    const source = cluster.name;
    try {
      return { source, status: 'ok', value: await value };
    } catch (error) {
      return {
        source,
        status: 'error',
        error: sourceError(cluster.objects.failure(error)),
      };
    }
  }

  /** Every object of the kinds the validator and the gates read. */
  private async clusterObjects(
    cluster: MeshCluster,
    declaration: ServiceDeclaration,
  ) {
    const list = async <T extends z.ZodType>(type: ResourceType, schema: T) =>
      parseObjects(schema, await cluster.objects.list(type), message =>
        this.logger.warn(
          `Ignoring a ${type.kind} on cluster ${cluster.name}: ${message}`,
        ),
      );
    const { namespace } = declaration.target;
    const owned = ownedBy(declaration);
    const isOwned = (object: {
      metadata: { namespace?: string; labels?: Record<string, string> };
    }) =>
      owned(object) &&
      (namespace === undefined || object.metadata.namespace === namespace);
    const notServed = { serviceMonitors: [], serviceMonitorsServed: false };
    const monitors: Promise<{
      serviceMonitors: Array<z.infer<typeof serviceMonitorSchema>>;
      serviceMonitorsServed?: boolean;
      /** Why they could not be read. */
      serviceMonitorsError?: string;
    }> = cluster
      .servedApis()
      .then(async apis =>
        // A cluster without prometheus-operator's CRDs has none.
        apis.monitoring === undefined
          ? notServed
          : {
              serviceMonitors: await list(
                KUBERNETES_RESOURCES.serviceMonitors,
                serviceMonitorSchema,
              ),
            },
      )
      .catch((error: unknown) => {
        const failure = cluster.objects.failure(
          error,
          KUBERNETES_RESOURCES.serviceMonitors,
        );
        // Not served (the CRDs went since discovery): none. Any other
        // failure leaves them unknown, never none.
        return failure.status === 404
          ? notServed
          : {
              serviceMonitors: [],
              serviceMonitorsError: sourceError(failure).message,
            };
      });
    const [snapshot, read] = await Promise.all([
      readMeshConfigSnapshot(cluster, this.logger),
      monitors,
    ]);
    const watched = cluster.objects.watchedNamespaces;
    return {
      cluster: cluster.name,
      snapshot,
      ...read,
      // Objects outside the namespaces read are not seen.
      ...(namespace === undefined && watched
        ? { searchedOnly: [...watched] }
        : {}),
      owned: {
        services: snapshot.services.filter(isOwned),
        workloads: snapshot.workloads.filter(isOwned),
      },
    };
  }

  private validate(objects: ClusterObjects): ValidationFinding[] {
    const seen = new Set<string>();
    return objects.owned.services.flatMap(service =>
      validateMeshConfig({
        service: {
          name: service.metadata.name,
          namespace: service.metadata.namespace ?? 'default',
        },
        snapshot: objects.snapshot,
      }).filter(f => {
        const key = `${f.code}/${f.object.kind}/${f.object.namespace}/${f.object.name}/${f.path}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      }),
    );
  }

  private gateEvidence(
    objects: ClusterObjects,
    mesh: MeshResponse,
    findings: ValidationFinding[],
  ): GateClusterEvidence {
    const { snapshot } = objects;
    const { services, workloads } = objects.owned;
    const podLabels = workloads.map(
      w => w.spec?.template?.metadata?.labels ?? {},
    );
    const attached = services.map(s =>
      attachIstioObjects({
        service: {
          name: s.metadata.name,
          namespace: s.metadata.namespace ?? 'default',
        },
        podLabels,
        virtualServices: snapshot.virtualServices,
        destinationRules: snapshot.destinationRules,
        peerAuthentications: snapshot.peerAuthentications,
        authorizationPolicies: snapshot.authorizationPolicies,
      }),
    );
    const unique = <T>(items: T[]) => [...new Set(items)];
    const virtualServices = unique(attached.flatMap(a => a.virtualServices));
    const destinationRules = unique(attached.flatMap(a => a.destinationRules));
    const policies = attached.flatMap(a => a.authorizationPolicies);
    const authorizationPolicies = unique(policies.map(p => p.object)).map(
      object => ({
        name: object.metadata.name,
        namespace: object.metadata.namespace ?? '',
        scope: policies.find(p => p.object === object)!.scope,
        action: object.spec?.action,
      }),
    );
    const workloadPeerAuthentications = unique(
      attached.flatMap(a =>
        a.peerAuthentications
          .filter(p => p.scope === 'workload')
          .map(p => p.object),
      ),
    );
    const serviceMonitors = objects.serviceMonitors.filter(monitor =>
      services.some(service => selects(monitor, service)),
    );
    const cluster = mesh.clusters.find(
      c => c.status === 'ok' && c.cluster === objects.cluster,
    );
    return {
      cluster: objects.cluster,
      virtualServices,
      destinationRules,
      workloads: workloads.map(w => ({
        name: w.metadata.name,
        replicas: w.spec?.replicas ?? 1,
        containers: w.spec?.template?.spec?.containers ?? [],
      })),
      mtlsMode: cluster?.status === 'ok' ? cluster.mtls.mode : 'PERMISSIVE',
      authorizationPolicies,
      serviceMonitors: serviceMonitors.map(m => ({
        name: m.metadata.name,
        namespace: m.metadata.namespace ?? '',
      })),
      ...(objects.serviceMonitorsError !== undefined
        ? { serviceMonitorsError: objects.serviceMonitorsError }
        : {}),
      ...(objects.serviceMonitorsServed === false
        ? { serviceMonitorsServed: false }
        : {}),
      ...(objects.searchedOnly ? { searchedOnly: objects.searchedOnly } : {}),
      trafficSplit: cluster?.status === 'ok' ? cluster.trafficSplit : [],
      findings,
      objectsLeft:
        workloads.length +
        services.length +
        virtualServices.length +
        destinationRules.length +
        workloadPeerAuthentications.length +
        authorizationPolicies.filter(p => p.scope === 'workload').length,
    };
  }
}

/** Whether a ServiceMonitor selects a Service, as prometheus-operator does. */
function selects(
  monitor: z.infer<typeof serviceMonitorSchema>,
  service: z.infer<typeof serviceSchema>,
): boolean {
  const namespace = service.metadata.namespace ?? 'default';
  const namespaces = monitor.spec?.namespaceSelector;
  const inNamespace = namespaces?.any
    ? true
    : (
        namespaces?.matchNames ?? [monitor.metadata.namespace ?? 'default']
      ).includes(namespace);
  const selector = monitor.spec?.selector;
  const hasRequirements =
    Object.keys(selector?.matchLabels ?? {}).length > 0 ||
    (selector?.matchExpressions ?? []).length > 0;
  // An empty selector selects every Service in the namespaces.
  return (
    inNamespace &&
    (!hasRequirements ||
      matchesLabelSelector(selector ?? {}, service.metadata.labels))
  );
}

/**
 * The request figures the deploy gates judge by: none when no Prometheus
 * watches the service; an error when any of those that do failed (the figures
 * it holds could fail a gate, so the rest cannot make it pass); else the
 * first source with series of the service, or the first that answered.
 */
function gateTraffic(
  traffic: TrafficResponse | undefined,
  windowSeconds: number,
): Partial<GateInput> {
  const sources = traffic?.sources ?? [];
  if (sources.length === 0) return {};
  const failed = sources.find(s => s.status === 'error');
  if (failed && failed.status === 'error') {
    return {
      traffic: { source: failed.source, error: failed.error.message },
    };
  }
  const answered = sources.flatMap(s => (s.status === 'ok' ? [s] : []));
  const chosen =
    answered.find(s => s.figures.requestsPerSecond !== null) ?? answered[0];
  return {
    traffic: { source: chosen.source, figures: chosen.figures, windowSeconds },
  };
}

/** Why no Prometheus gave request figures, for the health verdict. */
function figuresMissing(traffic: TrafficResponse | undefined): string {
  if (!traffic) {
    return 'it has no backstage.io/kubernetes-id and -namespace to find its telemetry by';
  }
  if (traffic.sources.length === 0) return 'no Prometheus watches it';
  return traffic.sources
    .map(s =>
      s.status === 'ok'
        ? `${s.source} has no request series of it${
            s.warnings?.length ? ` (${s.warnings.join('; ')})` : ''
          }`
        : `${s.source} did not answer: ${s.error.message}`,
    )
    .join('; ');
}

function alertRules(alerts: AlertsResponse | undefined): Partial<GateInput> {
  if (!alerts || alerts.sources.length === 0) return {};
  const answered = alerts.sources.filter(s => s.status === 'ok');
  if (answered.length === 0) {
    const [failed] = alerts.sources;
    return {
      alertRules: {
        source: failed.source,
        error: failed.status === 'error' ? failed.error.message : 'no answer',
      },
    };
  }
  return {
    alertRules: {
      source: answered.map(s => s.source).join(', '),
      rules: answered.flatMap(s =>
        s.status === 'ok'
          ? s.rules.map(r => ({ name: r.name, query: r.query }))
          : [],
      ),
    },
  };
}

function dependents(
  dependencies: DependenciesResponse | undefined,
): Partial<GateInput> {
  if (!dependencies) return {};
  if (dependencies.catalog.status !== 'ok') {
    return {
      dependents: {
        source: 'catalog',
        error: dependencies.catalog.error.message,
      },
    };
  }
  const refs = new Set<string>();
  for (const source of dependencies.sources) {
    if (source.status !== 'ok') continue;
    for (const caller of source.callers) {
      if (caller.declared) caller.entities.forEach(e => refs.add(e.entityRef));
    }
  }
  dependencies.unobserved.dependents.forEach(d => refs.add(d.entityRef));
  return { dependents: { source: 'catalog', entityRefs: [...refs].sort() } };
}
