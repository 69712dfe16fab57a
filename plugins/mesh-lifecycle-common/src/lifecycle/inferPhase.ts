import { ClusterMesh, MeshResponse, MeshWorkload } from '../api/mesh';
import { TrafficResponse } from '../api/traffic';
import { LifecyclePhase } from '../phases';
import { DeclaredPhase, ServiceDeclaration } from '../readServiceDeclaration';

/**
 * The environments a cluster can serve, as the lifecycle sees them.
 *
 * @public
 */
export type LifecycleEnvironment = 'development' | 'testing' | 'production';

const ENVIRONMENT_NAMES: Record<string, LifecycleEnvironment> = {
  development: 'development',
  dev: 'development',
  sandbox: 'development',
  testing: 'testing',
  test: 'testing',
  qa: 'testing',
  staging: 'testing',
  stage: 'testing',
  preprod: 'testing',
  production: 'production',
  prod: 'production',
  live: 'production',
};

/**
 * The lifecycle environment of a cluster's free-form `environment`
 * (`prod`, `Production`, `staging`, …), `undefined` when it names none.
 *
 * @public
 */
export function lifecycleEnvironment(
  environment: string | undefined,
): LifecycleEnvironment | undefined {
  return environment === undefined
    ? undefined
    : ENVIRONMENT_NAMES[environment.trim().toLowerCase()];
}

/**
 * A fact a phase rule can test.
 *
 * @public
 */
export type PhaseCondition =
  | {
      fact:
        | 'retired'
        | 'decommissioning'
        | 'scaledToZero'
        | 'rolloutInProgress'
        | 'hasTraffic'
        | 'replacementNamed';
      equals: boolean;
    }
  | { fact: 'runsIn' | 'deployedIn'; environment: LifecycleEnvironment };

/**
 * A phase rule: the phase holds when all conditions of any of the `when`
 * groups hold. Rules are tried in order; the first that holds wins.
 *
 * @public
 */
export interface PhaseRule {
  phase: LifecyclePhase;
  when: PhaseCondition[][];
  /** Why the rule gives that phase, shown with the result. */
  description: string;
}

/**
 * The default phase rules, from the seed's lifecycle:
 * retire when marked `decommissioning` or scaled to zero in production;
 * deploy while a rollout is in progress in production; operate when it runs
 * stable in production; test when it runs in testing; develop when it runs
 * only in development; design when it runs nowhere.
 *
 * @public
 */
export const DEFAULT_PHASE_RULES: readonly PhaseRule[] = [
  {
    phase: 'retire',
    description:
      'retired by a retirement request, marked service.lifecycle/status: decommissioning, or scaled to zero in production',
    when: [
      [{ fact: 'retired', equals: true }],
      [{ fact: 'decommissioning', equals: true }],
      [
        { fact: 'deployedIn', environment: 'production' },
        { fact: 'scaledToZero', equals: true },
      ],
    ],
  },
  {
    phase: 'deploy',
    description: 'a rollout is in progress in production',
    when: [
      [
        { fact: 'runsIn', environment: 'production' },
        { fact: 'rolloutInProgress', equals: true },
      ],
    ],
  },
  {
    phase: 'operate',
    description: 'runs stable in production',
    when: [[{ fact: 'runsIn', environment: 'production' }]],
  },
  {
    phase: 'test',
    description: 'runs in a testing environment',
    when: [[{ fact: 'runsIn', environment: 'testing' }]],
  },
  {
    phase: 'develop',
    description: 'runs in a development environment only',
    when: [[{ fact: 'runsIn', environment: 'development' }]],
  },
  {
    phase: 'design',
    description: 'runs nowhere yet',
    when: [[]],
  },
];

/**
 * One fact behind a phase, and where it was seen.
 *
 * @public
 */
export interface PhaseEvidence {
  fact: PhaseCondition['fact'] | 'declaredPhase' | 'trafficTrend';
  /**
   * `true`/`false`, an environment, a phase or a trend; `unknown` when the
   * source did not answer or answered without data (`detail` says why).
   */
  value: string | boolean;
  /** `catalog`, `cluster <name>`, `prometheus <host>`. */
  source: string;
  detail: string;
}

/**
 * A service's phase with the evidence behind it.
 *
 * @public
 */
export interface PhaseInference {
  /** The phase in force: the explicit annotation if any, else inferred. */
  phase: LifecyclePhase;
  /** The phase the rules give from the evidence. */
  inferred: LifecyclePhase;
  /** The rule that gave it. */
  rule: { phase: LifecyclePhase; description: string };
  /** What the catalog declares, and from where. */
  declared?: DeclaredPhase;
  evidence: PhaseEvidence[];
  /** Facts that disagree with each other, each with its sources. */
  contradictions: Array<{ message: string; sources: string[] }>;
  /** Clusters and Prometheus servers that did not answer. */
  unanswered: string[];
  /**
   * Present when a source was missing and the rules could not decide
   * between phases: what was missing, what the phase could also be, and
   * which phase was kept in force instead of the inferred one.
   */
  uncertain?: PhaseUncertainty;
}

/**
 * Why a phase could not be inferred for certain.
 *
 * @public
 */
export interface PhaseUncertainty {
  /** The facts that are unknown, each with the reason. */
  unknownFacts: Array<{ fact: PhaseCondition['fact']; reason: string }>;
  /**
   * Phases of rules that the unknown facts might make hold, tried before
   * the inferred one.
   */
  possible: LifecyclePhase[];
  /**
   * The phase kept in force instead of the inferred one: a phase never moves
   * back because a source is missing.
   */
  kept?: { phase: LifecyclePhase; from: 'recorded' | 'declared' };
}

/**
 * What the phase is inferred from: the catalog's declaration, the `mesh`
 * answer (where it runs), and the `traffic` answer (with series when a trend
 * is wanted).
 *
 * @public
 */
export interface PhaseInput {
  declaration: ServiceDeclaration;
  mesh: MeshResponse;
  traffic?: TrafficResponse;
  rules?: readonly PhaseRule[];
  /**
   * The phase last recorded in the lifecycle history: kept in force when
   * missing evidence leaves the phase uncertain.
   */
  recorded?: LifecyclePhase;
  /**
   * Its newest retirement request, when it completed (the service was
   * decommissioned), or why the requests could not be read.
   */
  retirement?: {
    completed?: { requestId: string; at: string };
    error?: string;
  };
}

function isRollingOut(cluster: ClusterMesh): string | undefined {
  for (const route of cluster.trafficSplit) {
    const split = route.destinations.filter(
      d => d.weight > 0 && d.weight < 100,
    );
    if (split.length >= 2) {
      return `VirtualService ${route.virtualService} splits ${split
        .map(d => `${d.subset ?? d.host} ${d.weight} %`)
        .join(' / ')}`;
    }
  }
  for (const w of cluster.workloads) {
    if (
      w.replicas > 0 &&
      (w.updatedReplicas < w.replicas || w.availableReplicas < w.replicas)
    ) {
      return `${w.name}: ${w.updatedReplicas} of ${w.replicas} updated, ${w.availableReplicas} available`;
    }
  }
  return undefined;
}

function trend(traffic: TrafficResponse | undefined): PhaseEvidence[] {
  const evidence: PhaseEvidence[] = [];
  for (const source of traffic?.sources ?? []) {
    if (source.status !== 'ok' || !source.series) continue;
    const points = source.series.requestsPerSecond
      .map(p => p.v)
      .filter((v): v is number => v !== null);
    if (points.length < 6) continue;
    const third = Math.floor(points.length / 3);
    const mean = (values: number[]) =>
      values.reduce((a, b) => a + b, 0) / values.length;
    const before = mean(points.slice(0, third));
    const after = mean(points.slice(-third));
    let value = 'flat';
    if (after > before * 1.1 && after > 0) value = 'growing';
    else if (after < before * 0.9) value = 'falling';
    evidence.push({
      fact: 'trafficTrend',
      value,
      source: source.source,
      detail: `${before.toFixed(2)} → ${after.toFixed(
        2,
      )} requests/s over the range`,
    });
  }
  return evidence;
}

/** A fact that is true, false, or unknown (`undefined`). */
type Tristate = boolean | undefined;

const and = (values: Tristate[]): Tristate =>
  values.some(v => v === false)
    ? false
    : values.every(v => v === true) || undefined;
const or = (values: Tristate[]): Tristate => {
  if (values.some(v => v === true)) return true;
  return values.every(v => v === false) ? false : undefined;
};

/**
 * The lifecycle environment of a workload: its namespace's, else its
 * cluster's, else the one the cluster's name suggests (`prod`, `staging` …),
 * else `production`. Says which fallback was taken.
 */
function workloadEnvironment(
  workload: MeshWorkload,
  cluster: ClusterMesh,
): { environment: LifecycleEnvironment; assumed?: string } {
  const own =
    lifecycleEnvironment(workload.environment) ??
    lifecycleEnvironment(cluster.environment);
  if (own) return { environment: own };
  const configured =
    cluster.environment === undefined
      ? `cluster ${cluster.cluster} has no environment`
      : `cluster ${cluster.cluster}'s environment ${JSON.stringify(
          cluster.environment,
        )} names none`;
  const byName = lifecycleEnvironment(cluster.cluster);
  if (byName) {
    return {
      environment: byName,
      assumed: `${configured}; assumed ${byName} from its name`,
    };
  }
  return {
    environment: 'production',
    assumed: `${configured}; assumed production (set meshLifecycle.clusters[].environment)`,
  };
}

/**
 * Infers a service's lifecycle phase from where and how it runs, with the
 * evidence behind it and anything contradictory. The rules are data
 * ({@link DEFAULT_PHASE_RULES} unless given); an explicit
 * `mesh-lifecycle.io/phase` annotation wins over them, but the inferred phase
 * and any disagreement are still reported.
 *
 * Facts are true, false or unknown: a cluster or Prometheus that did not
 * answer, or answered without data, makes the facts it would have given
 * unknown, never false. A rule that unknown facts might make hold leaves the
 * phase uncertain (`uncertain`); the phase in force is then the last
 * recorded one (or the declared one) when the evidence allows it, so that a
 * missing source never moves a service back to an earlier phase.
 *
 * @public
 */
export function inferPhase(input: PhaseInput): PhaseInference {
  const { declaration, mesh, traffic } = input;
  const rules = input.rules ?? DEFAULT_PHASE_RULES;
  const evidence: PhaseEvidence[] = [];
  const unanswered: string[] = [];
  const runsIn = new Set<LifecycleEnvironment>();
  const deployedIn = new Set<LifecycleEnvironment>();
  let decommissioning = false;
  let deployed = false;
  let running = false;
  let rollout = false;

  for (const cluster of mesh.clusters) {
    if (cluster.status !== 'ok') {
      unanswered.push(`cluster ${cluster.source}`);
      continue;
    }
    const source = `cluster ${cluster.cluster}`;
    if (cluster.workloads.length === 0) continue;
    deployed = true;
    // Per environment: a namespace may name its own.
    const byEnvironment = new Map<
      LifecycleEnvironment,
      { workloads: MeshWorkload[]; assumed?: string }
    >();
    const environments = new Map<MeshWorkload, LifecycleEnvironment>();
    for (const w of cluster.workloads) {
      const { environment, assumed } = workloadEnvironment(w, cluster);
      environments.set(w, environment);
      const entry = byEnvironment.get(environment) ?? { workloads: [] };
      entry.workloads.push(w);
      entry.assumed ??= assumed;
      byEnvironment.set(environment, entry);
    }
    for (const [environment, { workloads, assumed }] of byEnvironment) {
      const note = assumed ? ` (${assumed})` : '';
      deployedIn.add(environment);
      evidence.push({
        fact: 'deployedIn',
        value: environment,
        source,
        detail: `${workloads
          .map(w => `${w.namespace}/${w.name}`)
          .join(', ')}${note}`,
      });
      const wanted = workloads.filter(w => w.replicas > 0);
      if (wanted.length > 0) {
        runsIn.add(environment);
        evidence.push({
          fact: 'runsIn',
          value: environment,
          source,
          detail: `${wanted
            .map(w => `${w.name} ${w.readyReplicas}/${w.replicas} ready`)
            .join(', ')}${note}`,
        });
      }
    }
    if (cluster.workloads.some(w => w.replicas > 0)) running = true;
    for (const w of cluster.workloads) {
      if (w.lifecycleStatus === 'decommissioning') {
        decommissioning = true;
        evidence.push({
          fact: 'decommissioning',
          value: true,
          source,
          detail: `${w.name} is marked service.lifecycle/status: decommissioning`,
        });
      }
    }
    const production = cluster.workloads.filter(
      w => environments.get(w) === 'production',
    );
    const rolling =
      production.length > 0 &&
      isRollingOut({ ...cluster, workloads: production });
    if (rolling) {
      rollout = true;
      evidence.push({
        fact: 'rolloutInProgress',
        value: true,
        source,
        detail: rolling,
      });
    }
  }

  // What the clusters that did not answer might hold is unknown; with no
  // cluster at all, where it runs is unknown too.
  let clustersMissing: string | undefined;
  if (unanswered.length > 0) {
    clustersMissing = `${unanswered.join(', ')} did not answer`;
  } else if (mesh.clusters.length === 0) {
    clustersMissing = 'no cluster is configured for it';
  }
  const unknownFacts: PhaseUncertainty['unknownFacts'] = [];
  const fromClusters = (
    fact: PhaseCondition['fact'],
    seen: boolean,
  ): Tristate => {
    if (seen) return true;
    if (clustersMissing === undefined) return false;
    if (!unknownFacts.some(u => u.fact === fact)) {
      unknownFacts.push({ fact, reason: clustersMissing });
    }
    return undefined;
  };

  // Scaled to zero: deployed and running nowhere; a running workload decides.
  let scaledToZero: Tristate;
  if (running) scaledToZero = false;
  else if (clustersMissing !== undefined) {
    scaledToZero = undefined;
    unknownFacts.push({ fact: 'scaledToZero', reason: clustersMissing });
  } else scaledToZero = deployed;
  if (scaledToZero) {
    evidence.push({
      fact: 'scaledToZero',
      value: true,
      source: 'clusters',
      detail: 'every workload has 0 replicas',
    });
  }

  // Traffic: a source that did not answer, or has no series of the service,
  // says nothing about it; only series that are zero say "no traffic".
  let hasTraffic: Tristate;
  const trafficUnknown: string[] = [];
  const trafficSources = traffic?.sources ?? [];
  for (const source of trafficSources) {
    if (source.status !== 'ok') {
      unanswered.push(source.source);
      trafficUnknown.push(`${source.source} did not answer`);
      evidence.push({
        fact: 'hasTraffic',
        value: 'unknown',
        source: source.source,
        detail: `did not answer: ${source.error.message}`,
      });
      continue;
    }
    const rps = source.figures.requestsPerSecond;
    if (rps === null) {
      trafficUnknown.push(`${source.source} has no request series of it`);
      evidence.push({
        fact: 'hasTraffic',
        value: 'unknown',
        source: source.source,
        detail: `no request series of it over ${
          traffic?.windowSeconds
        } s: no data is not "no traffic" (${
          source.warnings?.join('; ') ??
          'is its telemetry scraped, and its Istio cluster ID right?'
        })`,
      });
      continue;
    }
    hasTraffic = hasTraffic || rps > 0;
    evidence.push({
      fact: 'hasTraffic',
      value: rps > 0,
      source: source.source,
      detail: `${rps.toFixed(2)} requests/s over ${traffic?.windowSeconds} s`,
    });
  }
  if (!hasTraffic && (trafficUnknown.length || trafficSources.length === 0)) {
    hasTraffic = undefined;
    unknownFacts.push({
      fact: 'hasTraffic',
      reason: trafficUnknown.length
        ? trafficUnknown.join('; ')
        : 'no Prometheus watches it',
    });
  }
  const trends = trend(traffic);
  evidence.push(...trends);

  const replacementNamed =
    declaration.replacedBy !== undefined && declaration.replacedBy !== 'none';
  if (declaration.replacedBy !== undefined) {
    evidence.push({
      fact: 'replacementNamed',
      value: replacementNamed,
      source: 'catalog',
      detail: `mesh-lifecycle.io/replaced-by: ${declaration.replacedBy}`,
    });
  }
  if (declaration.declaredPhase) {
    evidence.push({
      fact: 'declaredPhase',
      value: declaration.declaredPhase.phase,
      source: 'catalog',
      detail:
        declaration.declaredPhase.source === 'annotation'
          ? 'mesh-lifecycle.io/phase annotation'
          : 'spec.lifecycle',
    });
  }

  let retired: Tristate = false;
  if (input.retirement?.error !== undefined) {
    retired = undefined;
    unknownFacts.push({
      fact: 'retired',
      reason: `its retirement requests could not be read: ${input.retirement.error}`,
    });
  } else if (input.retirement?.completed) {
    retired = true;
    evidence.push({
      fact: 'retired',
      value: true,
      source: 'retirement requests',
      detail: `decommissioned by retirement request ${
        input.retirement.completed.requestId
      } on ${input.retirement.completed.at.slice(0, 10)}`,
    });
  }

  const facts: Record<
    Exclude<PhaseCondition['fact'], 'runsIn' | 'deployedIn'>,
    Tristate
  > = {
    retired,
    decommissioning: fromClusters('decommissioning', decommissioning),
    scaledToZero,
    rolloutInProgress: fromClusters('rolloutInProgress', rollout),
    hasTraffic,
    replacementNamed,
  };
  for (const fact of ['decommissioning', 'rolloutInProgress'] as const) {
    if (facts[fact] === undefined) {
      evidence.push({
        fact,
        value: 'unknown',
        source: 'clusters',
        detail: clustersMissing ?? '',
      });
    }
  }
  const holds = (condition: PhaseCondition): Tristate => {
    switch (condition.fact) {
      case 'runsIn':
        return fromClusters('runsIn', runsIn.has(condition.environment));
      case 'deployedIn':
        return fromClusters(
          'deployedIn',
          deployedIn.has(condition.environment),
        );
      default: {
        const value = facts[condition.fact];
        return value === undefined ? undefined : value === condition.equals;
      }
    }
  };
  // Rules in order: the first that surely holds gives the phase; those
  // before it that might hold make it uncertain.
  const possible: PhaseRule[] = [];
  let rule: PhaseRule = DEFAULT_PHASE_RULES[DEFAULT_PHASE_RULES.length - 1];
  for (const candidate of rules) {
    const result = or(candidate.when.map(group => and(group.map(holds))));
    if (result === true) {
      rule = candidate;
      break;
    }
    if (result === undefined) possible.push(candidate);
  }

  const declared = declaration.declaredPhase;
  const candidates = new Set<LifecyclePhase>([
    rule.phase,
    ...possible.map(p => p.phase),
  ]);
  let uncertain: PhaseUncertainty | undefined;
  let phase: LifecyclePhase = rule.phase;
  if (possible.length > 0) {
    const usedFacts = new Set(
      possible.flatMap(p => p.when.flat().map(c => c.fact)),
    );
    uncertain = {
      unknownFacts: unknownFacts.filter(u => usedFacts.has(u.fact)),
      possible: [...new Set(possible.map(p => p.phase))],
    };
    const keep =
      input.recorded !== undefined
        ? { phase: input.recorded, from: 'recorded' as const }
        : declared && { phase: declared.phase, from: 'declared' as const };
    if (keep && keep.phase !== rule.phase && candidates.has(keep.phase)) {
      uncertain.kept = keep;
      phase = keep.phase;
    }
  }
  if (declared?.source === 'annotation') phase = declared.phase;

  const contradictions: PhaseInference['contradictions'] = [];
  if (declared && !candidates.has(declared.phase)) {
    contradictions.push({
      message: `the catalog declares ${declared.phase} (${
        declared.source === 'annotation'
          ? 'mesh-lifecycle.io/phase'
          : 'spec.lifecycle'
      }), the clusters and telemetry say ${rule.phase} (${rule.description})`,
      sources: [
        'catalog',
        ...new Set(
          evidence.filter(e => e.source !== 'catalog').map(e => e.source),
        ),
      ],
    });
  }
  const retiring =
    declared?.phase === 'retire' || decommissioning || rule.phase === 'retire';
  const growing = trends.find(t => t.value === 'growing');
  if (retiring && growing) {
    contradictions.push({
      message: `it is retiring, but its traffic keeps growing (${growing.detail})`,
      sources: ['catalog', growing.source],
    });
  } else if (decommissioning && hasTraffic) {
    contradictions.push({
      message: 'it is marked decommissioning, but still receives requests',
      sources: evidence
        .filter(
          e =>
            e.fact === 'decommissioning' ||
            (e.fact === 'hasTraffic' && e.value === true),
        )
        .map(e => e.source),
    });
  }

  return {
    phase,
    inferred: rule.phase,
    rule: { phase: rule.phase, description: rule.description },
    ...(declared ? { declared } : {}),
    evidence,
    contradictions,
    unanswered,
    ...(uncertain ? { uncertain } : {}),
  };
}
