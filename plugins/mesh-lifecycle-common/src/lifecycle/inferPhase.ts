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
      'marked service.lifecycle/status: decommissioning, or scaled to zero in production',
    when: [
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
  /** `true`/`false`, an environment, a phase or a trend. */
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

/**
 * Infers a service's lifecycle phase from where and how it runs, with the
 * evidence behind it and anything contradictory. The rules are data
 * ({@link DEFAULT_PHASE_RULES} unless given); an explicit
 * `mesh-lifecycle.io/phase` annotation wins over them, but the inferred phase
 * and any disagreement are still reported.
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
    const byEnvironment = new Map<LifecycleEnvironment, MeshWorkload[]>();
    for (const w of cluster.workloads) {
      const environment = lifecycleEnvironment(
        w.environment ?? cluster.environment,
      );
      if (!environment) continue;
      byEnvironment.set(environment, [
        ...(byEnvironment.get(environment) ?? []),
        w,
      ]);
    }
    for (const [environment, workloads] of byEnvironment) {
      deployedIn.add(environment);
      evidence.push({
        fact: 'deployedIn',
        value: environment,
        source,
        detail: workloads.map(w => `${w.namespace}/${w.name}`).join(', '),
      });
      const wanted = workloads.filter(w => w.replicas > 0);
      if (wanted.length > 0) {
        runsIn.add(environment);
        evidence.push({
          fact: 'runsIn',
          value: environment,
          source,
          detail: wanted
            .map(w => `${w.name} ${w.readyReplicas}/${w.replicas} ready`)
            .join(', '),
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
      w =>
        lifecycleEnvironment(w.environment ?? cluster.environment) ===
        'production',
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
  const scaledToZero = deployed && !running;
  if (scaledToZero) {
    evidence.push({
      fact: 'scaledToZero',
      value: true,
      source: 'clusters',
      detail: 'every workload has 0 replicas',
    });
  }

  let hasTraffic: boolean | undefined;
  for (const source of traffic?.sources ?? []) {
    if (source.status !== 'ok') {
      unanswered.push(source.source);
      continue;
    }
    const rps = source.figures.requestsPerSecond ?? 0;
    hasTraffic = (hasTraffic ?? false) || rps > 0;
    evidence.push({
      fact: 'hasTraffic',
      value: rps > 0,
      source: source.source,
      detail: `${rps.toFixed(2)} requests/s over ${traffic?.windowSeconds} s`,
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

  const facts = {
    decommissioning,
    scaledToZero,
    rolloutInProgress: rollout,
    hasTraffic: hasTraffic ?? false,
    replacementNamed,
  };
  const holds = (condition: PhaseCondition) => {
    switch (condition.fact) {
      case 'runsIn':
        return runsIn.has(condition.environment);
      case 'deployedIn':
        return deployedIn.has(condition.environment);
      default:
        return facts[condition.fact] === condition.equals;
    }
  };
  const rule =
    rules.find(r => r.when.some(group => group.every(holds))) ??
    DEFAULT_PHASE_RULES[DEFAULT_PHASE_RULES.length - 1];

  const contradictions: PhaseInference['contradictions'] = [];
  const declared = declaration.declaredPhase;
  if (declared && declared.phase !== rule.phase) {
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
        .filter(e => e.fact === 'decommissioning' || e.fact === 'hasTraffic')
        .map(e => e.source),
    });
  }

  return {
    phase: declared?.source === 'annotation' ? declared.phase : rule.phase,
    inferred: rule.phase,
    rule: { phase: rule.phase, description: rule.description },
    ...(declared ? { declared } : {}),
    evidence,
    contradictions,
    unanswered,
  };
}
